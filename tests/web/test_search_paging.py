"""Search and paging of the development mailbox, the audit log and the enumerator's list (issue 14 point 11)."""
from email.message import EmailMessage
from pathlib import Path

from app.core import audit
from app.extensions import db
from app.models import Group, Respondent, RespondentList, RespondentTarget, Unit
from tests.conftest import login


def _mail(directory: Path, n: int, to: str, subject: str) -> None:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "cchc@sonoivu.gov.vn", to, subject
    msg["Date"] = "Mon, 30 Nov 2026 08:00:00 +0700"
    msg.set_content("Kính gửi Ông/Bà.")
    (directory / f"{n:06d}.eml").write_bytes(bytes(msg))


def test_dev_mailbox_searches_and_pages(app, client, make_user, tmp_path):
    directory = tmp_path / "mail"  # its own folder: other tests leave mails in the session's one
    directory.mkdir()
    app.config["MAIL_DEV_DIR"] = str(directory)
    for n in range(45):
        _mail(directory, n, f"nguoi{n}@sotp.gov.vn", f"Thư mời số {n}")
    _mail(directory, 99, "giang.vt@hdnd.gov.vn", "Nhắc nhở: khảo sát Chỉ số CCHC")
    login(client, make_user("admin"))  # the development mailbox is the admin's only (it shows every link)
    first = client.get("/mailing/dev-mail").get_data(as_text=True)
    assert "46 thư, mới nhất trước." in first and "Trang 1/3" in first and first.count("<article") == 20
    assert "giang.vt@hdnd.gov.vn" in first  # newest first
    found = client.get("/mailing/dev-mail", query_string={"q": "NHẮC NHỞ"}).get_data(as_text=True)
    assert found.count("<article") == 1 and "giang.vt@hdnd.gov.vn" in found and "Trang 1/" not in found
    last = client.get("/mailing/dev-mail", query_string={"page": "3"}).get_data(as_text=True)
    assert last.count("<article") == 6 and "Trang 3/3" in last
    assert "Không có thư nào khớp." in client.get("/mailing/dev-mail", query_string={"q": "zzz"}).get_data(as_text=True)


def test_audit_log_filters_searches_and_pages(client, make_user, make_campaign):
    campaign = make_campaign()
    admin = make_user("admin")
    for n in range(60):
        audit.record("list.upload", admin, campaign.id, target=f"SO_{n:02d}")
    audit.record("list.approve", admin, campaign.id, target="SO_TP")
    db.session.commit()
    login(client, admin)
    first = client.get("/admin/audit").get_data(as_text=True)
    assert "Trang 1/2" in first and first.count("<tr><td>") == 50
    approved = client.get("/admin/audit", query_string={"action": "list.approve"}).get_data(as_text=True)
    assert "1 dòng." in approved and "SO_TP" in approved and "SO_07" not in approved
    searched = client.get("/admin/audit", query_string={"q": "SO_07"}).get_data(as_text=True)
    assert "1 dòng." in searched
    by_user = client.get("/admin/audit", query_string={"q": admin.email}).get_data(as_text=True)
    assert "Trang 1/2" in by_user
    assert client.get("/admin/audit", query_string={"page": "-3", "action": "<x>"}).status_code == 200


def test_enumerator_list_searches_and_pages(client, make_user, make_campaign):
    campaign = make_campaign()
    enumerator = make_user("enumerator", units=["SO_TP"])
    unit = db.session.scalar(db.select(Unit).where(Unit.campaign_id == campaign.id, Unit.code == "SO_TP"))
    group = db.session.scalar(db.select(Group).where(Group.campaign_id == campaign.id, Group.code == "NGUOI_DAN"))
    for n in range(55):
        r = Respondent(campaign_id=campaign.id, unit_id=unit.id, group_id=group.id, full_name=f"Đỗ Thị {n:02d}",
                       phone=f"09130000{n:02d}", enumerator_id=enumerator.id)
        r.targets = [RespondentTarget(unit_id=unit.id)]
        db.session.add(r)
    # Enumerators interview only people on approved lists (issue 12 point 9).
    db.session.add(RespondentList(campaign_id=campaign.id, unit_id=unit.id, state="approved"))
    db.session.commit()
    login(client, enumerator)
    url = f"/survey/campaigns/{campaign.id}/interviews"
    first = client.get(url).get_data(as_text=True)
    assert "55 người." in first and "Trang 1/2" in first
    found = client.get(url, query_string={"q": "đỗ thị 07", "todo": "1"}).get_data(as_text=True)
    assert "1 người." in found and "Đỗ Thị 07" in found
    assert "0913000042" in client.get(url, query_string={"q": "0913000042"}).get_data(as_text=True)
