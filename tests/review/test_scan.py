"""Loading frames from the database, scanning, persisting findings (dedupe by fingerprint)."""
from datetime import timedelta

from app.extensions import db
from app.interference_review.frames import load_answers, load_responses, questionnaire_shapes, reminder_times
from app.interference_review.services import decide, needs_scan, run_scan
from app.models import AuditEntry, Finding, InterferenceScan, OutboxMessage

from .conftest import T0


def test_frames_have_the_columns_scan_needs(planted):
    campaign, bad = planted
    responses = load_responses(campaign.id)
    assert list(responses.columns) == ["response_id", "unit", "unit_kind", "group", "questionnaire", "mode",
                                       "submitted_at", "duration_s", "net_hash", "net_prefix_hash", "ua_hash",
                                       "device_hash", "moved"]
    assert len(responses) == 19
    row = responses.set_index("response_id").loc[bad[0].id]
    assert (row["unit"], row["unit_kind"], row["group"], row["questionnaire"]) == (
        "SO_TP", "department", "LD_SO", "Q_LD_SO")
    answers = load_answers(campaign.id)
    assert list(answers.columns) == ["response_id", "item", "option"]
    from app.models import Answer
    assert len(answers) == db.session.scalar(db.select(db.func.count()).select_from(Answer))


def test_answers_read_in_chunks_equal_answers_read_at_once(planted, monkeypatch):
    import pandas as pd

    from app.interference_review import frames
    from app.models import Answer, Response

    campaign, _ = planted
    whole = frames.load_answers(campaign.id)
    monkeypatch.setattr(frames, "ANSWER_CHUNK", 7)  # SQLite reads in chunks; PostgreSQL copies at once
    pd.testing.assert_frame_equal(frames.load_answers(campaign.id), whole)
    assert len(whole) > 7 and whole["item"].notna().all() and whole["option"].notna().all()
    for col in ("item", "option"):  # categories: the codes present, sorted, whatever the reader
        assert list(whole[col].cat.categories) == sorted(set(whole[col].astype(str)))
    rows = db.session.execute(db.select(Answer.response_id, Answer.item_code, Answer.option_code)
                              .join(Response, Response.id == Answer.response_id)
                              .where(Response.campaign_id == campaign.id, Answer.option_code.is_not(None))).all()
    assert sorted(zip(whole["response_id"], whole["item"].astype(str), whole["option"].astype(str))) \
        == sorted((r, i, o) for r, i, o in rows)


def test_moved_is_network_or_device_and_unknown_only_when_both_are(campaign, make_response):
    a = make_response(campaign, "SO_TP", "LD_SO", moved_network=True, moved_device=None)
    b = make_response(campaign, "SO_TP", "LD_SO", moved_network=None, moved_device=None)
    c = make_response(campaign, "SO_TP", "LD_SO", moved_network=False, moved_device=False)
    d = make_response(campaign, "SO_TP", "LD_SO", moved_network=None, moved_device=True)
    moved = load_responses(campaign.id).set_index("response_id")["moved"]
    assert moved[a.id] is True or bool(moved[a.id]) is True
    assert moved.isna()[b.id]
    assert bool(moved[c.id]) is False
    assert bool(moved[d.id]) is True


def test_shapes_come_from_the_scheme(app):
    shapes = questionnaire_shapes("PAR_PROVINCE")
    q = shapes["Q_LD_SO"]
    assert len(q.items) == 16  # choice items only, free text left out
    first = q.items[0]
    assert first.top_option == "a" and "x" in first.options and first.block == "1"


def test_reminders_are_distinct_minutes_of_sent_reminder_mails(campaign):
    for s in (0, 10, 50):
        db.session.add(OutboxMessage(campaign_id=campaign.id, kind="reminder", to_addr="x@example.gov.vn",
                                     subject="s", body_text="b", body_html="b", status="sent",
                                     sent_at=T0 + timedelta(seconds=s)))
    db.session.add(OutboxMessage(campaign_id=campaign.id, kind="invitation", to_addr="y@example.gov.vn",
                                 subject="s", body_text="b", body_html="b", status="sent",
                                 sent_at=T0 + timedelta(hours=5)))
    db.session.commit()
    times = reminder_times(campaign.id)
    assert [t.to_pydatetime() for t in times] == [T0]


def test_scan_persists_findings_with_evidence_and_unit_risk(planted):
    campaign, bad = planted
    outcome = run_scan(campaign)
    db.session.commit()
    finding = db.session.scalar(db.select(Finding).where(Finding.rule == "same_device"))
    assert finding.unit.code == "SO_TP" and finding.group.code == "LD_SO"
    assert finding.response_ids == [r.id for r in bad]
    assert finding.severity == "high" and finding.state == "open"
    assert finding.evidence["responses"] == 4
    assert finding.fingerprint in outcome.fingerprints
    risk = {r["unit"]: r for r in outcome.record.unit_risk}
    assert set(risk) == {"SO_TP"} and risk["SO_TP"]["level"] in ("watch", "review")
    assert db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "interference.scan"))


def test_rescan_keeps_findings_and_their_decisions(planted):
    campaign, bad = planted
    run_scan(campaign)
    db.session.commit()
    finding = db.session.scalar(db.select(Finding))
    decide(finding, "dismiss", "Máy tính dùng chung ở bộ phận một cửa", actor=None)
    db.session.commit()
    again = run_scan(campaign)
    db.session.commit()
    assert again.record.new_findings == 0
    assert db.session.scalar(db.select(db.func.count(Finding.id))) == 1
    assert db.session.get(Finding, finding.id).state == "dismissed"
    assert len(db.session.get(Finding, finding.id).decisions) == 1


def test_needs_scan_only_when_responses_changed(planted, make_response):
    campaign, _ = planted
    assert needs_scan(campaign)
    run_scan(campaign)
    db.session.commit()
    assert not needs_scan(campaign)
    make_response(campaign, "SO_NV", "LD_SO")
    db.session.commit()
    assert needs_scan(campaign)


def test_empty_campaign_scans_to_nothing(campaign):
    outcome = run_scan(campaign)
    db.session.commit()
    assert outcome.record.responses == 0 and outcome.fingerprints == ()
    assert db.session.scalar(db.select(db.func.count(InterferenceScan.id))) == 1


def test_a_finding_stored_meanwhile_by_another_scan_is_not_a_crash(planted, monkeypatch):
    from app.interference import scan
    from app.interference_review import services

    campaign, _ = planted
    result = scan(load_responses(campaign.id), load_answers(campaign.id), questionnaire_shapes("PAR_PROVINCE"))
    services.persist_findings(campaign, result.findings)
    db.session.commit()
    stored = db.session.scalar(db.select(db.func.count(Finding.id)))
    original = services.select

    def stale_select(*args):  # the other scan read the fingerprints before this commit
        stmt = original(*args)
        return stmt.where(db.false()) if args and args[0] is Finding.fingerprint else stmt

    monkeypatch.setattr(services, "select", stale_select)
    services.persist_findings(campaign, result.findings)
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count(Finding.id))) == stored
