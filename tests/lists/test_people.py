"""The list page for a focal unit (issue 14 point 8): a partial failure is not green, each error
names the row and the person, the list pages and searches beyond 500 people, and one row of an
open list can be edited or deleted (audited), never once the list is submitted."""
import re

from app.extensions import db
from app.lists.importer import import_list
from app.models import AuditEntry, Respondent, RespondentList
from tests.conftest import csrf_token, login
from tests.lists.conftest import person, xlsx
from tests.lists.test_web import _upload, _url


def _people(unit):
    return db.session.scalars(db.select(Respondent).where(Respondent.unit_id == unit.id)
                              .order_by(Respondent.id)).all()


def test_partial_failure_is_a_warning_naming_row_and_person(client, campaign, make_user):
    login(client, make_user("focal", units=["SO_TP"]))
    rows = [person(1), person(2, name="Trần Thị Bình", email="binh@@sotp")]
    html = _upload(client, campaign, "SO_TP", xlsx(rows)).get_data(as_text=True)
    assert 'class="flash warning"' in html and 'class="flash success"' not in html
    assert re.search(r"<td class=\"num\">3</td><td>Trần Thị Bình</td><td class=\"error\">[^<]*binh@@sotp", html)
    clean = _upload(client, campaign, "SO_TP", xlsx([person(1)])).get_data(as_text=True)
    assert 'class="flash success"' in clean


def test_list_pages_and_searches_beyond_500(client, campaign, unit, make_user):
    import_list(campaign, unit, "ds.xlsx", xlsx([person(i) for i in range(1, 651)]))
    db.session.commit()
    login(client, make_user("focal", units=["SO_TP"]))
    last = _people(unit)[-1]
    page1 = client.get(_url(campaign, "SO_TP")).get_data(as_text=True)
    assert "(650)" in page1 and "Trang 1/7" in page1 and last.full_name not in page1
    page7 = client.get(_url(campaign, "SO_TP") + "?page=7").get_data(as_text=True)
    assert last.email in page7 and "Trang 7/7" in page7
    found = client.get(_url(campaign, "SO_TP") + "?q=nguoi640@").get_data(as_text=True)
    assert "nguoi640@sotp.gov.vn" in found and "nguoi641@" not in found and "1 người khớp" in found
    assert client.get(_url(campaign, "SO_TP") + "?page=999").status_code == 200


def test_edit_and_delete_one_row_of_a_draft_list_are_audited(client, campaign, unit, make_user):
    import_list(campaign, unit, "ds.xlsx", xlsx([person(1), person(2)]))
    db.session.commit()
    focal = make_user("focal", units=["SO_TP"])
    login(client, focal)
    first, second = _people(unit)
    url = _url(campaign, "SO_TP", f"/people/{first.id}")
    form = client.get(url).get_data(as_text=True)
    assert first.email in form
    token = csrf_token(client, url)
    data = {"p-csrf_token": token, "p-full_name": "nguyễn văn sửa", "p-position": "Chuyên viên", "p-organisation": "Sở Tư pháp",
            "p-group": "LD_SO", "p-email": "Sua@SoTP.gov.vn", "p-phone": "0912 521 464", "p-address": "", "p-targets": ""}
    bad = client.post(url, data={**data, "p-email": "sai@@x"}, follow_redirects=True).get_data(as_text=True)
    assert "không hợp lệ" in bad
    taken = client.post(url, data={**data, "p-email": second.email}, follow_redirects=True).get_data(as_text=True)
    assert "đã có trong danh sách" in taken
    client.post(url, data=data)
    db.session.expire_all()
    edited = db.session.get(Respondent, first.id)
    assert (edited.full_name, edited.email, edited.phone) == ("Nguyễn Văn Sửa", "sua@sotp.gov.vn", "0912521464")
    token = csrf_token(client, _url(campaign, "SO_TP"))
    client.post(_url(campaign, "SO_TP", f"/people/{second.id}/delete"), data={"d-csrf_token": token})
    assert [p.id for p in _people(unit)] == [first.id]
    actions = db.session.scalars(db.select(AuditEntry.action).where(AuditEntry.user_id == focal.id)).all()
    assert "list.person_edit" in actions and "list.person_delete" in actions


def test_no_row_edits_once_submitted_or_for_another_unit(client, campaign, unit, make_user):
    import_list(campaign, unit, "ds.xlsx", xlsx([person(1)]))
    db.session.commit()
    other = next(u for u in campaign.units if u.code != "SO_TP")
    login(client, make_user("focal", units=[other.code]))
    who = _people(unit)[0]
    assert client.get(_url(campaign, "SO_TP", f"/people/{who.id}")).status_code == 403
    assert client.get(_url(campaign, other.code, f"/people/{who.id}")).status_code == 404  # not on that list
    login(client, make_user("focal", units=["SO_TP"]))
    db.session.execute(db.update(RespondentList).where(RespondentList.unit_id == unit.id).values(state="submitted"))
    db.session.commit()
    page = client.get(_url(campaign, "SO_TP")).get_data(as_text=True)
    assert "/delete" not in page
    token = csrf_token(client, _url(campaign, "SO_TP"))
    html = client.post(_url(campaign, "SO_TP", f"/people/{who.id}/delete"), data={"d-csrf_token": token},
                       follow_redirects=True).get_data(as_text=True)
    assert "đang chờ Tổ thư ký duyệt" in html and len(_people(unit)) == 1
