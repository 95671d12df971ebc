"""Sealed answer sheets (docs/ANONYMITY.md "How a submission is written"): the claim transaction
writes no response; the job runner releases sheets later, shuffled, in another transaction."""
import json
from datetime import date, datetime, timedelta

from sqlalchemy import inspect

from app.core import clock
from app.extensions import db
from app.models import AuditEntry, Invitation, Response, SealedAnswer, SurveyDraft, utcnow
from app.survey.sealing import due, release_sealed, sealed_count
from app.survey.services import Paradata, open_link, submit_response
from tests.conftest import release_all

from .conftest import count_rows, full_sheet, post_sheet, questionnaire_of

IDENTITY_TABLES = {"invitations", "respondents", "respondent_targets", "survey_drafts", "outbox_messages"}


def _tagged(invitation, tag: str) -> dict:
    """Answers with one free-text item carrying `tag`, so a test can follow a sheet (the
    attacker cannot: the tag is the test's ground truth, not something the database keeps)."""
    q = questionnaire_of(invitation)
    answers = {i.code: "a" for i in q.items if i.type == "choice"}
    text_items = [i.code for i in q.items if i.type != "choice"]
    assert text_items, "the questionnaire needs a free-text item"
    answers[text_items[0]] = tag
    return answers


def _submit(invitation, tag):
    sealed = submit_response(invitation, questionnaire_of(invitation), _tagged(invitation, tag), clock.today(),
                             Paradata(device_hash=f"dev-{tag}", net_prefix_hash="net"))
    db.session.commit()
    return sealed


def _tag_of_responses() -> dict[int, str]:
    from app.models import Answer

    rows = db.session.execute(db.select(Answer.response_id, Answer.text).where(Answer.text.like("tag-%")))
    return {rid: text for rid, text in rows}


def test_sealed_table_has_no_identity_column_or_foreign_key(app):
    schema = inspect(db.engine)
    targets = {fk["referred_table"] for fk in schema.get_foreign_keys("sealed_answers")}
    assert not targets & IDENTITY_TABLES, targets
    names = {c["name"] for c in schema.get_columns("sealed_answers")}
    assert not {n for n in names if "respondent" in n or "invitation" in n or "email" in n or "token" in n}


def test_web_submission_is_sealed_not_a_response_and_draft_is_gone(client, make_invitation):
    invitation = make_invitation()
    post_sheet(client, invitation, full_sheet(questionnaire_of(invitation)))
    assert count_rows(Response) == 0 and count_rows(SealedAnswer) == 1 and count_rows(SurveyDraft) == 0
    assert db.session.get(Invitation, invitation.id).answered_on == clock.today()
    assert release_all() == 1
    assert count_rows(Response) == 1 and count_rows(SealedAnswer) == 0
    response = db.session.scalar(db.select(Response))
    assert response.mode == "web" and response.duration_s is not None and response.device_hash
    assert len(response.answers) == len([i for i in questionnaire_of(invitation).items])


def test_release_keeps_answers_paradata_and_time(app, make_invitation):
    invitation = make_invitation()
    open_link(invitation, Paradata(net_prefix_hash="first-net", device_hash="first-dev"), clock.today())
    db.session.commit()
    sealed = _submit(invitation, "tag-one")
    expected = (sealed.submitted_at, sealed.unit_id, sealed.group_id, sealed.questionnaire_code)
    release_all()
    response = db.session.scalar(db.select(Response))
    assert (response.submitted_at, response.unit_id, response.group_id, response.questionnaire_code) == expected
    assert response.device_hash == "dev-tag-one" and response.moved_device is True and response.moved_network is True
    assert _tag_of_responses() == {response.id: "tag-one"}


def test_release_rule_count_or_age(app, make_invitation):
    app.config.update(SEAL_RELEASE_MIN_SHEETS=3, SEAL_RELEASE_MAX_HOURS=6)
    invitations = [make_invitation() for _ in range(3)]
    _submit(invitations[0], "tag-0")
    _submit(invitations[1], "tag-1")
    assert not due() and release_sealed() == 0 and sealed_count() == 2
    # The oldest waited longer than the limit: everything waiting goes.
    assert due(now=utcnow() + timedelta(hours=6, minutes=1))
    _submit(invitations[2], "tag-2")
    assert due() and release_sealed() == 3 and sealed_count() == 0 and count_rows(Response) == 3


def test_release_rule_campaign_closed(app, make_invitation):
    from app.models import Campaign

    app.config.update(SEAL_RELEASE_MIN_SHEETS=100, SEAL_RELEASE_MAX_HOURS=6)
    invitation = make_invitation()
    _submit(invitation, "tag-last")
    assert not due()
    campaign = db.session.get(Campaign, invitation.campaign_id)
    campaign.answers_by = clock.today() - timedelta(days=1)  # answering closed: no sheet can join the batch
    db.session.commit()
    assert due() and release_sealed() == 1


def test_jobs_run_once_releases_when_due(app, runner, make_invitation):
    app.config.update(SEAL_RELEASE_MIN_SHEETS=2)
    first, second = make_invitation(), make_invitation()
    _submit(first, "tag-a")
    result = runner.invoke(args=["jobs", "run", "--once"])
    assert result.exit_code == 0, result.output
    assert count_rows(Response) == 0 and sealed_count() == 1  # one sheet alone waits
    _submit(second, "tag-b")
    result = runner.invoke(args=["jobs", "run", "--once"])
    assert result.exit_code == 0 and json.loads(result.output.splitlines()[-1])["runs"]["survey.release"] >= 1
    assert count_rows(Response) == 2 and sealed_count() == 0


def test_response_ids_are_not_in_invitation_or_submission_order(app, make_invitation):
    invitations = [make_invitation() for _ in range(30)]
    for n, invitation in enumerate(invitations):
        _submit(invitation, f"tag-{n:02d}")
    release_all()
    by_id = [tag for _rid, tag in sorted(_tag_of_responses().items())]
    assert sorted(by_id) == [f"tag-{n:02d}" for n in range(30)]  # none lost, none twice
    # Shuffled: the chance of the submission order coming back is 1 / 30!.
    assert by_id != sorted(by_id)


def test_batches_move_everything_exactly_once(app, make_invitation):
    invitations = [make_invitation() for _ in range(7)]
    for n, invitation in enumerate(invitations):
        _submit(invitation, f"tag-{n}")
    assert release_sealed(force=True, batch_size=3) == 7
    assert sorted(_tag_of_responses().values()) == [f"tag-{n}" for n in range(7)]
    assert release_sealed(force=True) == 0


def test_second_submission_seals_nothing(app, make_invitation):
    invitation = make_invitation()
    assert _submit(invitation, "tag-x") is not None
    assert _submit(db.session.get(Invitation, invitation.id), "tag-y") is None
    assert sealed_count() == 1


def test_submission_writes_no_time_near_it_on_the_identity_side(app, make_invitation):
    """Every table diffed around a submission: the only new or changed rows that hold a time of
    day inside the submission window are the sealed sheet's own; the invitation gets dates only;
    the audit log gets nothing."""
    invitation = make_invitation()
    invitation.created_at = invitation.sent_at = utcnow() - timedelta(days=3)  # mailed days ago, as in life
    open_link(invitation, Paradata(device_hash="d"), clock.today())
    db.session.commit()
    before = _snapshot()
    start = utcnow() - timedelta(seconds=1)
    _submit(invitation, "tag-window")
    end = utcnow() + timedelta(seconds=1)
    after = _snapshot()
    changed = {table: after[table] - before[table] for table in after}
    assert changed["sealed_answers"] and not changed["responses"] and not changed["audit_log"]
    for table, rows in changed.items():
        if table == "sealed_answers":
            continue
        for row in rows:
            for value in row:
                if isinstance(value, datetime):
                    assert not start <= value.replace(tzinfo=None) <= end, (table, row)
    assert count_rows(AuditEntry) == len(before["audit_log"])


def _snapshot() -> dict[str, set]:
    out = {}
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            out[table.name] = {tuple(_plain(v) for v in row) for row in conn.execute(table.select())}
    return out


def _plain(value):
    return json.dumps(value, sort_keys=True, default=str) if isinstance(value, (dict, list)) else value


def test_enumerator_entry_is_sealed_and_its_invitation_has_no_time_of_day(app, make_user, make_campaign,
                                                                        make_invitation):
    from app.models import Unit
    from app.survey.services import enter_interview

    campaign = make_campaign()
    enumerator = make_user("enumerator", units=["SO_TP"])
    respondent = make_invitation(campaign, group="NGUOI_DAN", email=None, enumerator=enumerator, invite=False)
    audit_before = count_rows(AuditEntry)
    unit = db.session.get(Unit, respondent.unit_id)
    from app.core.schemes import questionnaire

    q = questionnaire(campaign.scheme_code, respondent.group.questionnaire_code)
    sealed = enter_interview(enumerator, respondent, unit, q, {i.code: "a" for i in q.items if i.type == "choice"},
                             "paper", clock.today())
    db.session.commit()
    assert sealed is not None and sealed.mode == "paper" and count_rows(Response) == 0
    invitation = db.session.scalar(db.select(Invitation).where(Invitation.respondent_id == respondent.id))
    assert invitation.created_at.time() == datetime.min.time() and isinstance(invitation.answered_on, date)
    assert count_rows(AuditEntry) == audit_before  # no audit entry names the respondent of an entry
    release_all()
    response = db.session.scalar(db.select(Response))
    assert response.mode == "paper" and response.entered_by_id == enumerator.id and response.device_hash is None
