"""The invitation a respondent receives looks official, and its "not me" link works: a GET (a mail
scanner following links) changes nothing; the confirmed POST revokes the person's links and
tells the secretariat. A no-reply contact is refused."""
import re

import pytest

from app.extensions import db
from app.mailing.mailboxes import MailboxError, parse_mail_url, save_mailbox
from app.mailing.outbox import drain
from app.core import clock
from app.mailing.addresses import addresses_to_fix
from app.mailing.services import queue_invitations
from app.models import Invitation, MailReply
from app.survey.services import INVALID, OPEN, resolve_survey_link
from tests.conftest import csrf_token, login


@pytest.fixture
def invited(app, make_campaign, make_respondents, smtp_server, use_mailbox):
    server = smtp_server()
    campaign = make_campaign()
    campaign.issuer, campaign.plan_reference, campaign.minutes_needed = "Sở Nội vụ", "Kế hoạch số 45/KH-SNV", 12
    db.session.commit()
    use_mailbox(server.url())
    person, = make_respondents(campaign, "SO_NV", 1, group="HDND", targets=["SO_TP", "SO_NV"])
    queue_invitations(campaign)
    db.session.commit()
    assert drain().sent == 1
    mail = server.messages[0].message
    return campaign, person, mail


def test_the_invitation_names_issuer_plan_time_privacy_and_a_not_me_link(invited):
    campaign, person, mail = invited
    assert str(mail["From"]) == "Sở Nội vụ <hopthu@sonv.gov.vn>" and mail["Reply-To"] == "cchc@sonv.gov.vn"
    text = mail.get_body(("plain",)).get_content()
    assert "Sở Nội vụ, Kế hoạch số 45/KH-SNV" in text and "khoảng 12 phút" in text
    assert "không gắn với tên" in text and "Hạn trả lời" in text
    assert len(re.findall(r"/s/\S+/khong-phai-toi", text)) == 1
    html = mail.get_body(("html",)).get_content()
    assert re.search(r'<a href="[^"]+/khong-phai-toi">', html)


def test_not_me_asks_first_then_revokes_every_link_of_the_person(app, client, make_user, invited):
    campaign, person, mail = invited
    url = re.search(r"(/s/\S+/khong-phai-toi)", mail.get_body(("plain",)).get_content()).group(1)
    path = url[url.index("/s/"):]
    token = path.split("/")[2]
    page = client.get(path)
    assert page.status_code == 200 and "Thư mời này không gửi cho Ông/Bà?" in page.get_data(as_text=True)
    assert resolve_survey_link(token, clock.today()).state == OPEN  # a GET (mail scanner) revoked nothing
    done = client.post(path, data={"csrf_token": csrf_token(client, path)})
    assert done.status_code == 200 and "Tổ thư ký đã được thông báo" in done.get_data(as_text=True)
    db.session.expire_all()
    invitations = db.session.scalars(db.select(Invitation).where(Invitation.respondent_id == person.id)).all()
    assert len(invitations) == 2 and all(i.revoked_at is not None for i in invitations)
    assert resolve_survey_link(token, clock.today()).state == INVALID  # revoked: the neutral answer
    assert client.get(f"/s/{token}").status_code != 200  # the survey link no longer opens
    assert db.session.scalar(db.select(db.func.count()).select_from(MailReply).where(MailReply.kind == "not_me")) == 2
    assert [fix.respondent.id for fix in addresses_to_fix(campaign)] == [person.id]
    # The secretariat sees it on the replies page, with the person and the units.
    login(client, make_user("admin"))
    listing = client.get(f"/mailing/campaigns/{campaign.id}/replies").get_data(as_text=True)
    assert "Không phải tôi" in listing and person.full_name in listing and "Sở Tư pháp" in listing
    # The used link no longer works; like every dead link it gets the neutral 404 page.
    assert client.get(path).status_code == 404


def test_a_forged_not_me_link_is_404(client, invited):
    assert client.get("/s/WzEsImFiYyJd.forged/khong-phai-toi").status_code == 404


@pytest.mark.parametrize("url", [
    "smtp://127.0.0.1:25?tls=none&sender=no-reply@sonv.gov.vn",
    "smtp://127.0.0.1:25?tls=none&sender=hopthu@sonv.gov.vn&reply_to=khong-tra-loi@sonv.gov.vn",
    "smtp://127.0.0.1:25?tls=none&sender=hopthu@sonv.gov.vn&reply_to=noreply@sonv.gov.vn",
])
def test_a_no_reply_contact_is_refused_and_nothing_is_saved(app, make_campaign, url):
    from app.models import Mailbox

    with pytest.raises(MailboxError, match="không nhận trả lời"):
        save_mailbox(None, parse_mail_url(url))
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(Mailbox)) == 0
