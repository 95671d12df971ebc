"""Reminders from the dashboard; the secretariat's resend and address change from the unit page."""
from datetime import date, timedelta

from app.extensions import db
from app.models import OutboxMessage
from tests.conftest import csrf_token


def _outbox():
    return db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.status == "queued"))


def test_reminders_to_one_unit_queue_mail(known, client, as_role):
    as_role("coordinator")
    unit = known.units["SO_TP"]
    page = f"/progress/campaigns/{known.campaign.id}/units/{unit.code}"
    token = csrf_token(client, page)
    before = _outbox()
    response = client.post(f"{page}/remind", data={"csrf_token": token}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "thư đôn đốc cho Sở Tư pháp" in html
    assert _outbox() > before
    # only this unit's people got one
    reminded = {m.respondent_id for m in db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.kind == "reminder"))}
    assert reminded and all(db.session.get(type(known.people["p3"]), rid).unit_id == unit.id for rid in reminded)


def test_reminder_after_the_deadline_is_refused_and_says_why(known, client, as_role):
    known.campaign.lists_by = date.today() - timedelta(days=30)
    known.campaign.answers_by = date.today() - timedelta(days=1)
    db.session.commit()
    as_role("coordinator")
    unit = known.units["SO_TP"]
    page = f"/progress/campaigns/{known.campaign.id}/units/{unit.code}"
    token = csrf_token(client, page)
    before = _outbox()
    html = client.post(f"{page}/remind", data={"csrf_token": token}, follow_redirects=True).get_data(as_text=True)
    assert "Đã quá hạn trả lời phiếu" in html
    assert _outbox() == before


def test_secretariat_changes_an_address_and_resends_from_the_unit_page(known, client, as_role):
    as_role("coordinator")
    campaign = known.campaign
    page = f"/progress/campaigns/{campaign.id}/units/{known.units['SO_TP'].code}"
    token = csrf_token(client, page)
    p7 = known.people["p7"]
    response = client.post(f"/mailing/campaigns/{campaign.id}/respondents/{p7.id}/address",
                           data={"csrf_token": token, "email": "dung.dia.chi@example.gov.vn",
                                 "unit_id": known.units["SO_TP"].id}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "p7@example.gov.vn" in html and "dung.dia.chi@example.gov.vn" in html
    db.session.expire_all()
    assert db.session.get(type(p7), p7.id).email == "dung.dia.chi@example.gov.vn"
    before = _outbox()
    html = client.post(f"/mailing/campaigns/{campaign.id}/invitations/{known.invitations['p8'].id}/resend",
                       data={"csrf_token": token}, follow_redirects=True).get_data(as_text=True)
    assert "gửi lại thư mời" in html
    assert _outbox() == before + 1


def test_focal_cannot_resend_change_or_remind_another_unit(known, client, as_role):
    as_role("focal", units=["SO_TP"])
    campaign = known.campaign
    token = csrf_token(client, f"/progress/campaigns/{campaign.id}/units/{known.units['SO_TP'].code}")
    before = _outbox()
    for key in ("p7", "q2"):
        assert client.post(f"/mailing/campaigns/{campaign.id}/respondents/{known.people[key].id}/address",
                           data={"csrf_token": token, "email": "x@example.gov.vn"}).status_code == 403
        assert client.post(f"/mailing/campaigns/{campaign.id}/invitations/{known.invitations[key].id}/resend",
                           data={"csrf_token": token}).status_code == 403
    assert client.post(f"/progress/campaigns/{campaign.id}/units/{known.units['SO_NV'].code}/remind",
                       data={"csrf_token": token}).status_code == 403
    assert _outbox() == before


def test_bad_address_is_refused_and_nothing_changes(known, client, as_role):
    as_role("coordinator")
    page = f"/progress/campaigns/{known.campaign.id}/units/{known.units['SO_TP'].code}"
    token = csrf_token(client, page)
    p7 = known.people["p7"]
    html = client.post(f"/mailing/campaigns/{known.campaign.id}/respondents/{p7.id}/address",
                       data={"csrf_token": token, "email": "khong-phai-dia-chi"}, follow_redirects=True).get_data(as_text=True)
    assert 'class="flash error"' in html
    db.session.expire_all()
    assert db.session.get(type(p7), p7.id).email == "p7@example.gov.vn"
