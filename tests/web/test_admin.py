"""The secretariat's set-up screens."""
import io


from app.extensions import db
from app.models import AuditEntry, Campaign, Group, Mailbox, Unit
from tests.conftest import csrf_token, login, xlsx_bytes


def test_create_campaign_copies_groups_from_scheme(client, make_user):
    login(client, make_user("admin"))
    token = csrf_token(client, "/admin/campaigns")
    response = client.post("/admin/campaigns", data={"csrf_token": token, "scheme": "PAR_PROVINCE", "year": 2026,
                                                     "name": "Chỉ số CCHC năm 2026", "lists_by": "2026-12-15",
                                                     "answers_by": "2027-01-10", "assessments_by": "2027-01-25"})
    assert response.status_code == 302
    campaign = db.session.scalar(db.select(Campaign))
    assert campaign.name == "Chỉ số CCHC năm 2026" and str(campaign.answers_by) == "2027-01-10"
    codes = [g.code for g in db.session.scalars(db.select(Group).where(Group.campaign_id == campaign.id)
                                                .order_by(Group.priority))]
    assert codes[0] == "HDND" and "NGUOI_DAN" in codes
    assert db.session.scalar(db.select(AuditEntry.action).where(AuditEntry.action == "campaign.create"))


def test_deadlines_out_of_order_are_refused(client, make_user, make_campaign):
    campaign = make_campaign()
    login(client, make_user("admin"))
    url = f"/admin/campaigns/{campaign.id}"
    before = campaign.lists_by
    token = csrf_token(client, url)
    response = client.post(url, data={"csrf_token": token, "action": "deadlines", "d-lists_by": "2027-02-01",
                                      "d-answers_by": "2027-01-10", "d-assessments_by": "2027-01-25",
                                      "d-csrf_token": token})
    assert "theo thứ tự" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).lists_by == before


def test_units_import_with_duplicate_code_writes_nothing(client, make_user, make_campaign):
    campaign = make_campaign(units=[])
    login(client, make_user("admin"))
    url = f"/admin/campaigns/{campaign.id}"
    token = csrf_token(client, url)
    data = xlsx_bytes([["Mã đơn vị", "Tên đơn vị", "Loại"], ["SO_A", "Sở A", "department"],
                  ["SO_B", "Sở B", "department"], ["SO_A", "Sở A lần hai", "department"]])
    response = client.post(url, data={"f-csrf_token": token, "action": "units_import",
                                      "f-file": (io.BytesIO(data), "don_vi.xlsx")}, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert "trùng với dòng 2" in html
    assert db.session.scalar(db.select(db.func.count(Unit.id))) == 0


def test_units_import_accepts_english_headers_and_csv(client, make_user, make_campaign):
    campaign = make_campaign(units=[])
    login(client, make_user("admin"))
    url = f"/admin/campaigns/{campaign.id}"
    token = csrf_token(client, url)
    csv_bytes = "\ufeffcode;name;kind\nSO_A;Sở Tư pháp;department\n".encode("utf-8")
    client.post(url, data={"f-csrf_token": token, "action": "units_import",
                           "f-file": (io.BytesIO(csv_bytes), "units.csv")}, content_type="multipart/form-data")
    unit = db.session.scalar(db.select(Unit))
    assert (unit.code, unit.name, unit.kind) == ("SO_A", "Sở Tư pháp", "department")


def test_mailbox_password_is_never_shown_back(client, make_user):
    login(client, make_user("admin"))
    token = csrf_token(client, "/admin/mailboxes")
    client.post("/admin/mailboxes", data={"csrf_token": token, "host": "smtp.tinh.gov.vn", "port": 587,
                                          "tls": "starttls", "username": "cchc", "password": "bi-mat-hop-thu",
                                          "sender": "cchc@tinh.gov.vn", "rate_per_minute": 60, "daily_cap": 5000})
    box = db.session.scalar(db.select(Mailbox))
    assert box is not None and "bi-mat-hop-thu" not in (box.password_encrypted or "")
    html = client.get("/admin/mailboxes").get_data(as_text=True)
    assert "bi-mat-hop-thu" not in html and "đã lưu" in html


def test_focal_cannot_open_admin_screens(client, as_role, make_campaign):
    campaign = make_campaign()
    as_role("focal", units=["SO_TP"])
    assert client.get(f"/admin/campaigns/{campaign.id}").status_code == 403
    assert client.get("/admin/users").status_code == 403
