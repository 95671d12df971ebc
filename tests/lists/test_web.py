"""The list screens: scope (403), upload with errors on screen, error workbook, submit/approve/return."""
import io

from openpyxl import load_workbook

from app.extensions import db
from app.models import Respondent, RespondentList, Unit
from tests.conftest import csrf_token, login
from tests.lists.conftest import person, xlsx


def _url(campaign, code, tail=""):
    return f"/lists/campaigns/{campaign.id}/units/{code}{tail}"


def _upload(client, campaign, code, data, name="ds.xlsx", mode="replace"):
    token = csrf_token(client, _url(campaign, code))
    # The person uploading ticks "I understand N people go" (the count shown on the page).
    have = db.session.scalar(db.select(db.func.count(Respondent.id)).join(Unit, Unit.id == Respondent.unit_id)
                             .where(Unit.campaign_id == campaign.id, Unit.code == code))
    return client.post(_url(campaign, code, "/upload"), data={"u-csrf_token": token, "u-mode": mode,
                                                              "u-replace_ok": str(have),
                                                              "u-file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data", follow_redirects=True)


def test_focal_sees_and_uploads_only_its_unit(client, campaign, make_user):
    login(client, make_user("focal", units=["SO_TP"]))
    assert client.get(_url(campaign, "SO_NV")).status_code == 403
    assert client.get(_url(campaign, "SO_NV", "/template.xlsx")).status_code == 403
    assert client.get(_url(campaign, "SO_NV", "/export.xlsx")).status_code == 403
    token = csrf_token(client, _url(campaign, "SO_TP"))
    response = client.post(_url(campaign, "SO_NV", "/upload"),
                           data={"u-csrf_token": token, "u-file": (io.BytesIO(xlsx([person(1)])), "ds.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 403
    assert db.session.scalar(db.select(db.func.count(Respondent.id))) == 0
    # a focal user with one unit goes straight to its list
    index = client.get(f"/lists/campaigns/{campaign.id}")
    assert index.status_code == 302 and index.headers["Location"].endswith("/SO_TP")


def test_upload_shows_errors_and_offers_the_error_workbook(client, campaign, make_user):
    login(client, make_user("focal", units=["SO_TP"]))
    rows = [person(1), [2, "<b>Trần B</b>", "", "Sở Tư pháp", "LD_SO", "b@sotp.gov.vn", "", "", ""],
            [3, "Lê C", "", "Sở Tư pháp", "LD_SO", "nguyen van a@gmail", "", "", ""]]
    html = _upload(client, campaign, "SO_TP", xlsx(rows)).get_data(as_text=True)
    assert "nhập 1 người" in html and "2 dòng lỗi" in html
    assert "<b>Trần B</b>" not in html  # never rendered as markup
    assert "nguyen van a@gmail" in html and "không hợp lệ" in html
    errors = client.get(_url(campaign, "SO_TP", "/errors.xlsx"))
    ws = load_workbook(io.BytesIO(errors.data)).active
    assert [c.value for c in ws[1]][-2:] == ["Lỗi", "Dòng gốc"]
    assert [ws.cell(row=r, column=11).value for r in (2, 3, 4)] == [3, 4, None]


def test_bad_file_gets_a_clear_message_and_keeps_the_list(client, campaign, make_user):
    login(client, make_user("focal", units=["SO_TP"]))
    _upload(client, campaign, "SO_TP", xlsx([person(1), person(2)]))
    html = _upload(client, campaign, "SO_TP", b"PK\x03\x04garbage", name="ds.xlsx").get_data(as_text=True)
    assert "bị hỏng" in html
    assert db.session.scalar(db.select(db.func.count(Respondent.id))) == 2


def test_too_large_upload_is_413(app, client, campaign, make_user):
    login(client, make_user("focal", units=["SO_TP"]))
    token = csrf_token(client, _url(campaign, "SO_TP"))
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    response = client.post(_url(campaign, "SO_TP", "/upload"),
                           data={"u-csrf_token": token, "u-file": (io.BytesIO(b"x" * 20_000), "ds.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 413 and "50 MB" in response.get_data(as_text=True)


def test_submit_approve_return_by_roles(client, campaign, make_user):
    focal = make_user("focal", units=["SO_TP"])
    login(client, focal)
    _upload(client, campaign, "SO_TP", xlsx([person(1)]))
    token = csrf_token(client, _url(campaign, "SO_TP"))
    html = client.post(_url(campaign, "SO_TP", "/submit"), data={"c-csrf_token": token},
                       follow_redirects=True).get_data(as_text=True)
    assert "giải trình" in html
    client.post(_url(campaign, "SO_TP", "/submit"), data={"c-csrf_token": token, "c-explanation": "Chỉ có một người."})
    rlist = db.session.scalar(db.select(RespondentList))
    assert rlist.state == "submitted"
    assert client.post(_url(campaign, "SO_TP", "/approve"), data={"a-csrf_token": token}).status_code == 403
    coordinator = make_user("coordinator")
    login(client, coordinator)
    page = client.get(_url(campaign, "SO_TP")).get_data(as_text=True)
    assert "Chỉ có một người." in page and "/upload" not in page
    assert client.post(_url(campaign, "SO_TP", "/approve"), data={"a-csrf_token": token}).status_code == 403
    login(client, make_user("admin"))
    token = csrf_token(client, _url(campaign, "SO_TP"))
    client.post(_url(campaign, "SO_TP", "/return"), data={"r-csrf_token": token, "r-reason": "Thiếu HĐND."})
    db.session.expire_all()
    assert rlist.state == "returned" and rlist.return_reason == "Thiếu HĐND."
    login(client, focal)
    assert "Thiếu HĐND." in client.get(_url(campaign, "SO_TP")).get_data(as_text=True)


def test_template_download(client, campaign, make_user):
    login(client, make_user("focal", units=["SO_TP"]))
    response = client.get(_url(campaign, "SO_TP", "/template.xlsx"))
    wb = load_workbook(io.BytesIO(response.data))
    assert wb.sheetnames[:2] == ["Danh sách", "Hướng dẫn"]
    ws = wb["Danh sách"]
    assert [c.value for c in ws[1]] == ["STT", "Họ và tên", "Chức vụ", "Đơn vị công tác", "Nhóm đối tượng", "Email",
                                        "Số điện thoại", "Địa chỉ", "Đơn vị được đánh giá"]
    assert "'Nhóm đối tượng'!$A$2" in ws.data_validations.dataValidation[0].formula1
    assert {ws.column_dimensions[c].number_format for c in "EGI"} == {"@"}  # typed later: text, leading zero kept
    groups = [r[0].value for r in wb["Nhóm đối tượng"].iter_rows(min_row=2)]
    assert groups[0] == "HDND" and "NGUOI_DAN" in groups
    # the template, filled in, imports cleanly
    ws.append(person(1))
    buf = io.BytesIO()
    wb.save(buf)
    html = _upload(client, campaign, "SO_TP", buf.getvalue()).get_data(as_text=True)
    assert "nhập 1 người" in html


def test_admin_assigns_enumerator(client, campaign, make_user):
    enumerator = make_user("enumerator", units=["SO_TP"])
    make_user("enumerator", units=["SO_TP"])
    login(client, make_user("admin"))
    _upload(client, campaign, "SO_TP", xlsx([person(1, group="NGUOI_DAN", email="", phone="0912000333")]))
    token = csrf_token(client, _url(campaign, "SO_TP"))
    client.post(_url(campaign, "SO_TP", "/enumerator"), data={"e-csrf_token": token, "e-enumerator": enumerator.id})
    assert db.session.scalar(db.select(Respondent.enumerator_id)) == enumerator.id
