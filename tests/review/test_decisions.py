"""Decisions: dismiss, exclude (scoped to the finding's campaign and unit), void, revert."""
import pytest

from app.extensions import db
from app.interference_review.services import ReviewError, decide, revert
from app.models import AuditEntry, Decision, Finding, Response, Unit


def _finding(campaign, unit_code, response_ids, rule="same_device", fingerprint=None):
    unit = db.session.scalar(db.select(Unit).where(Unit.campaign_id == campaign.id, Unit.code == unit_code))
    finding = Finding(campaign_id=campaign.id, unit_id=unit.id, rule=rule, severity="high", score=0.9,
                      response_ids=list(response_ids), evidence={"responses": len(response_ids), "minutes": 9,
                                                                 "median_minutes": 10, "variant": "device"},
                      fingerprint=fingerprint or f"fp-{unit_code}-{rule}-{response_ids[0]}")
    db.session.add(finding)
    db.session.commit()
    return finding


@pytest.fixture
def admin(make_user):
    return make_user("admin")


def _excluded(ids):
    return {r.id: r.excluded for r in db.session.scalars(db.select(Response).where(Response.id.in_(ids)))}


def test_dismiss_changes_no_data_and_is_logged(planted, admin):
    campaign, bad = planted
    f = _finding(campaign, "SO_TP", [r.id for r in bad])
    decide(f, "dismiss", "Máy tính dùng chung, đã xác minh", actor=admin)
    db.session.commit()
    assert f.state == "dismissed"
    assert not any(_excluded([r.id for r in bad]).values())
    d = db.session.scalar(db.select(Decision))
    assert (d.action, d.user_id, d.reason) == ("dismiss", admin.id, "Máy tính dùng chung, đã xác minh")
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "finding.dismiss"))
    assert entry.user_id == admin.id and entry.target == f"finding:{f.id}"
    assert entry.details["reason"] == "Máy tính dùng chung, đã xác minh"


def test_exclude_touches_only_the_findings_campaign_and_unit(planted, make_campaign, make_response, admin):
    campaign, bad = planted
    other_unit = db.session.scalar(db.select(Response).join(Unit, Unit.id == Response.unit_id)
                                   .where(Unit.code == "SO_NV", Response.campaign_id == campaign.id))
    other_campaign = make_campaign(name="Kỳ khác")
    foreign = make_response(other_campaign, "SO_TP", "LD_SO")
    db.session.commit()
    ids = [r.id for r in bad] + [other_unit.id, foreign.id]
    f = _finding(campaign, "SO_TP", ids)
    decide(f, "exclude", "Một người trả lời thay nhiều người", actor=admin)
    db.session.commit()
    state = _excluded(ids)
    assert all(state[r.id] for r in bad)
    assert state[other_unit.id] is False and state[foreign.id] is False
    assert f.state == "excluded"


def test_void_cancels_the_units_survey_result(planted, admin):
    campaign, bad = planted
    f = _finding(campaign, "SO_TP", [r.id for r in bad])
    decide(f, "void", "Can thiệp có hệ thống, theo Quy định", actor=admin)
    db.session.commit()
    unit = f.unit
    assert unit.survey_voided and unit.void_reason == "Can thiệp có hệ thống, theo Quy định"
    assert f.state == "voided"


@pytest.mark.parametrize("action,reason,message", [
    ("delete", "lý do", "không hợp lệ"),
    ("void", "   ", "Cần ghi lý do"),
])
def test_bad_decisions_are_refused_and_change_nothing(planted, admin, action, reason, message):
    campaign, bad = planted
    f = _finding(campaign, "SO_TP", [r.id for r in bad])
    with pytest.raises(ReviewError, match=message):
        decide(f, action, reason, actor=admin)
    db.session.rollback()
    assert db.session.get(Finding, f.id).state == "open"
    assert not db.session.get(Finding, f.id).unit.survey_voided
    assert db.session.scalar(db.select(db.func.count(Decision.id))) == 0


def test_a_decided_finding_must_be_reverted_before_another_decision(planted, admin):
    campaign, bad = planted
    f = _finding(campaign, "SO_TP", [r.id for r in bad])
    decide(f, "dismiss", "không có gì", actor=admin)
    with pytest.raises(ReviewError, match="hoàn tác"):
        decide(f, "void", "đổi ý", actor=admin)
    with pytest.raises(ReviewError):
        revert(_finding(campaign, "SO_NV", [1], fingerprint="open-one"), "lý do", actor=admin)


def test_revert_exclude_keeps_responses_another_standing_exclude_covers(planted, admin):
    campaign, bad = planted
    ids = [r.id for r in bad]
    a = _finding(campaign, "SO_TP", ids, rule="same_device")
    b = _finding(campaign, "SO_TP", ids[:2], rule="near_duplicate")
    decide(a, "exclude", "thiết bị chung", actor=admin)
    decide(b, "exclude", "phiếu trùng", actor=admin)
    db.session.commit()
    revert(a, "nhầm lẫn", actor=admin)
    db.session.commit()
    state = _excluded(ids)
    assert [state[i] for i in ids] == [True, True, False, False]
    assert a.state == "open"
    revert(b, "nhầm lẫn", actor=admin)
    db.session.commit()
    assert not any(_excluded(ids).values())
    actions = [d.action for d in db.session.scalars(db.select(Decision).order_by(Decision.id))]
    assert actions == ["exclude", "exclude", "revert", "revert"]
    assert db.session.scalar(db.select(db.func.count(AuditEntry.id)).where(AuditEntry.action == "finding.revert")) == 2


def test_revert_void_keeps_the_unit_voided_while_another_void_stands(planted, admin):
    campaign, bad = planted
    ids = [r.id for r in bad]
    a = _finding(campaign, "SO_TP", ids, rule="same_device")
    b = _finding(campaign, "SO_TP", ids, rule="burst")
    decide(a, "void", "lý do A", actor=admin)
    decide(b, "void", "lý do B", actor=admin)
    db.session.commit()
    revert(b, "B không đứng vững", actor=admin)
    db.session.commit()
    assert a.unit.survey_voided and a.unit.void_reason == "lý do A"
    revert(a, "A không đứng vững", actor=admin)
    db.session.commit()
    assert not a.unit.survey_voided and a.unit.void_reason is None
