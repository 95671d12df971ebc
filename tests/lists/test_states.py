"""Quotas, submit / approve / return, deadline lock, replacing with invitations, sampling."""
from datetime import date, timedelta

import pytest

from app.extensions import db
from app.lists import services
from app.lists.importer import import_list
from app.lists.state import ListError, approve, quota_status, return_list, submit
from app.models import AuditEntry, Group, Invitation, Respondent, RespondentList, RespondentTarget
from tests.lists.conftest import person, xlsx


def _group(campaign, code):
    return db.session.scalar(db.select(Group).where(Group.campaign_id == campaign.id, Group.code == code))


def _full_list():
    """A Sở list that meets every PAR_PROVINCE quota for a department."""
    rows, i = [], 0
    for code, n in (("HDND", 3), ("LD_SO", 3), ("LD_PHONG", 5), ("LD_HUYEN", 2)):
        for _ in range(n):
            i += 1
            rows.append(person(i, group=code))
    for _ in range(60):
        i += 1
        rows.append(person(i, group="NGUOI_DAN", email="", phone=f"09120{i:05d}"))
    return rows


def test_quota_kinds(campaign, unit):
    import_list(campaign, unit, "a.xlsx", xlsx([person(1, group="HDND"), person(2, group="LD_SO")]))
    status = {q["code"]: q for q in quota_status(campaign, unit)}
    assert status["HDND"]["count"] == 1 and not status["HDND"]["ok"] and status["HDND"]["quota"] == "từ 3 đến 10"
    assert status["NGUOI_DAN"]["quota"] == "đúng 60"
    district = next(u for u in campaign.units if u.kind == "district")
    assert {q["code"]: q for q in quota_status(campaign, district)}["NGUOI_DAN"]["quota"] == "đúng 100"
    grp = _group(campaign, "LD_SO")
    grp.quota_min, grp.quota_max = None, None
    assert {q["code"]: q for q in quota_status(campaign, unit)}["LD_SO"]["quota"] == "tất cả"
    grp.quota_min, grp.quota_max = None, 5
    assert {q["code"]: q for q in quota_status(campaign, unit)}["LD_SO"]["quota"] == "tối đa 5"
    grp.quota_min, grp.quota_max = 2, None
    assert {q["code"]: q for q in quota_status(campaign, unit)}["LD_SO"]["quota"] == "ít nhất 2"


def test_submit_needs_explanation_when_quota_broken_then_locks(campaign, unit, make_user):
    focal = make_user("focal", units=["SO_TP"])
    import_list(campaign, unit, "a.xlsx", xlsx([person(1)]), actor=focal)
    with pytest.raises(ListError, match="giải trình"):
        submit(campaign, unit, focal)
    rlist = submit(campaign, unit, focal, explanation="Sở chỉ có 1 lãnh đạo trong năm nay.")
    db.session.commit()
    assert rlist.state == "submitted" and rlist.quota_explanation.startswith("Sở chỉ có")
    with pytest.raises(ListError, match="chờ Tổ thư ký duyệt"):
        import_list(campaign, unit, "b.xlsx", xlsx([person(2)]), mode="append")


def test_full_list_submits_without_explanation_and_is_approved(campaign, unit, make_user):
    admin = make_user("admin")
    report = import_list(campaign, unit, "a.xlsx", xlsx(_full_list()))
    assert report["errors"] == [] and report["imported"] == 73
    assert all(q["ok"] for q in quota_status(campaign, unit))
    submit(campaign, unit)
    rlist = approve(campaign, unit, admin)
    db.session.commit()
    assert rlist.state == "approved" and rlist.decided_by_id == admin.id
    with pytest.raises(ListError, match="trả lại danh sách trước"):
        import_list(campaign, unit, "b.xlsx", xlsx([person(1)]))
    actions = db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-3:] == ["list.upload", "list.submit", "list.approve"]


def test_return_needs_reason_and_reopens(campaign, unit):
    import_list(campaign, unit, "a.xlsx", xlsx(_full_list()))
    with pytest.raises(ListError, match="Chỉ trả lại"):
        return_list(campaign, unit, "Thiếu người")
    submit(campaign, unit)
    with pytest.raises(ListError, match="lý do"):
        return_list(campaign, unit, "  ")
    rlist = return_list(campaign, unit, "Thiếu đại biểu HĐND.")
    assert rlist.state == "returned" and rlist.return_reason == "Thiếu đại biểu HĐND."
    report = import_list(campaign, unit, "b.xlsx", xlsx([person(1)]), mode="append")
    assert report["duplicates"]  # the list is open again
    with pytest.raises(ListError, match="Chỉ duyệt"):
        approve(campaign, unit)


def test_deadline_locks_upload_and_submit(make_campaign):
    campaign = make_campaign(lists_by=date.today() - timedelta(days=2), answers_by=date.today() + timedelta(days=5))
    unit = campaign.units[0]
    with pytest.raises(ListError, match="quá hạn"):
        import_list(campaign, unit, "a.xlsx", xlsx([person(1)]))
    with pytest.raises(ListError, match="quá hạn"):
        submit(campaign, unit, explanation="x")


def _invite(campaign, respondent, answered=False):
    inv = Invitation(campaign_id=campaign.id, respondent_id=respondent.id, unit_id=respondent.unit_id,
                     group_id=respondent.group_id, questionnaire_code="Q", nonce="n" * 16,
                     answered_on=date.today() if answered else None)
    db.session.add(inv)
    db.session.flush()
    return inv


def test_replacing_a_returned_list_with_invitations(campaign, unit):
    import_list(campaign, unit, "a.xlsx", xlsx(_full_list()))
    submit(campaign, unit)
    approve(campaign, unit)
    first = db.session.scalar(db.select(Respondent).where(Respondent.unit_id == unit.id).limit(1))
    _invite(campaign, first)
    return_list(campaign, unit, "Sửa lại")
    db.session.commit()
    report = import_list(campaign, unit, "b.xlsx", xlsx([person(500)]))
    db.session.commit()
    assert report["replaced"] == 73
    assert db.session.scalar(db.select(db.func.count(Invitation.id))) == 0
    assert db.session.scalar(db.select(db.func.count(RespondentTarget.id))) == 1
    # once someone has answered, the list can only be added to
    _invite(campaign, db.session.scalar(db.select(Respondent)), answered=True)
    db.session.commit()
    with pytest.raises(ListError, match="đã có 1 phiếu được trả lời"):
        import_list(campaign, unit, "c.xlsx", xlsx([person(600)]))
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(Respondent.id))) == 1
    assert import_list(campaign, unit, "c.xlsx", xlsx([person(600)]), mode="append")["imported"] == 1


def test_sampling_is_reproducible_and_recorded(campaign, unit):
    district = next(u for u in campaign.units if u.kind == "district")
    rows = [person(i, group="NGUOI_DAN", email="", phone=f"09130{i:05d}", org="") for i in range(1, 251)]
    import_list(campaign, district, "dan.xlsx", xlsx(rows))
    citizens = _group(campaign, "NGUOI_DAN")
    result = services.draw_sample(campaign, district, citizens, 100, seed=20261215)
    db.session.commit()
    kept = sorted(db.session.scalars(db.select(Respondent.phone).where(Respondent.unit_id == district.id)))
    assert result["population"] == 250 and len(kept) == 100
    rlist = db.session.scalar(db.select(RespondentList).where(RespondentList.unit_id == district.id))
    assert rlist.sample_seed == 20261215 and "random.Random(20261215)" in rlist.sample_note
    # the same list and seed give the same sample
    import_list(campaign, district, "dan.xlsx", xlsx(rows))
    services.draw_sample(campaign, district, citizens, 100, seed=20261215)
    db.session.commit()
    assert sorted(db.session.scalars(db.select(Respondent.phone).where(Respondent.unit_id == district.id))) == kept
    assert db.session.scalar(db.select(db.func.count(RespondentTarget.id))) == 100
    with pytest.raises(ListError, match="không cần rút mẫu"):
        services.draw_sample(campaign, district, citizens, 100, seed=1)


def test_sample_export_shows_seed_and_method(campaign, unit):
    import io

    from openpyxl import load_workbook

    from app.lists.downloads import list_workbook

    rows = [person(i, group="NGUOI_DAN", email="", phone=f"09140{i:05d}", org="") for i in range(1, 21)]
    rows.append(person(99, name='=HYPERLINK("http://x","y")'))
    import_list(campaign, unit, "dan.xlsx", xlsx(rows))
    services.draw_sample(campaign, unit, _group(campaign, "NGUOI_DAN"), 5, seed=7)
    rlist = db.session.scalar(db.select(RespondentList).where(RespondentList.unit_id == unit.id))
    wb = load_workbook(io.BytesIO(list_workbook(campaign, unit, rlist)))
    sample = [[c.value for c in r] for r in wb["Mẫu ngẫu nhiên"].iter_rows()]
    assert sample[1][1] == "7" and "python-random-sample-v1" in sample[2][1]
    names = [r[1].value for r in wb["Danh sách"].iter_rows(min_row=2)]
    formula_cell = next(c for c in wb["Danh sách"]["B"] if str(c.value).startswith("=HYPERLINK"))
    assert formula_cell.data_type == "s" and formula_cell.quotePrefix
    assert len(names) == 6


def test_enumerator_assignment(campaign, unit, make_user):
    e1 = make_user("enumerator", units=["SO_TP"])
    e2 = make_user("enumerator", units=["SO_TP"])
    stranger = make_user("enumerator", units=["SO_NV"])
    import_list(campaign, unit, "a.xlsx", xlsx([person(1), person(2, group="NGUOI_DAN", email="", phone="0912000222")]))
    citizen = db.session.scalar(db.select(Respondent).where(Respondent.email.is_(None)))
    assert citizen.enumerator_id is None  # two enumerators: the admin chooses
    assert services.assign_enumerator(campaign, unit, e2.id) == 1
    db.session.commit()
    db.session.refresh(citizen)
    assert citizen.enumerator_id == e2.id
    with pytest.raises(ListError, match="không phải điều tra viên"):
        services.assign_enumerator(campaign, unit, stranger.id)
    assert e1.id != e2.id
