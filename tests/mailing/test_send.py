"""Invitations through a real SMTP server on loopback: the rendered mail, idempotent queueing."""
import re

from app.core import clock
from app.extensions import db
from app.survey.services import OPEN, resolve_survey_link
from app.mailing.outbox import drain
from app.mailing.services import queue_invitations, queue_invitations_report
from app.models import Invitation, OutboxMessage


def _link(msg):
    text = msg.get_body(("plain",)).get_content()
    return re.search(r"http://\S+/s/(\S+)", text).group(1), text


def test_rendered_invitation_headers_bodies_and_a_link_that_verifies(app, make_campaign, make_respondents,
                                                                    smtp_server, use_mailbox):
    server = smtp_server()
    use_mailbox(server.url())
    campaign = make_campaign()
    person, = make_respondents(campaign, "SO_TP", 1)
    assert queue_invitations(campaign) == 1
    db.session.commit()
    result = drain()
    assert result.sent == 1
    received, = server.messages
    msg = received.message
    assert msg["Subject"] == "Thư mời tham gia khảo sát Chỉ số cải cách hành chính — Sở Tư pháp"
    assert msg["From"].addresses[0].display_name == "Sở Nội vụ"
    assert msg["From"].addresses[0].addr_spec == "hopthu@sonv.gov.vn"
    assert msg["Reply-To"] == "cchc@sonv.gov.vn"
    assert msg["To"] == person.email and msg["Message-ID"] and msg["Date"]
    assert msg.get_content_type() == "multipart/alternative"
    token, text = _link(msg)
    assert "Kính gửi Ông/Bà Nguyễn Văn" in text and campaign.answers_by.strftime("%d/%m/%Y") in text
    assert "Mọi thắc mắc xin liên hệ: cchc@sonv.gov.vn" in text
    html = msg.get_body(("html",)).get_content()
    assert f'href="http://127.0.0.1:5000/s/{token}"' in html
    link = resolve_survey_link(token, clock.today())
    invitation = link.invitation
    assert link.state == OPEN and invitation.respondent_id == person.id
    assert invitation.status == "sent" and invitation.sent_at is not None


def test_queueing_twice_queues_nothing_new_and_citizens_get_no_mail(app, make_campaign, make_respondents, smtp_server,
                                                                   use_mailbox):
    server = smtp_server()
    use_mailbox(server.url())
    campaign = make_campaign()
    make_respondents(campaign, "SO_TP", 3)
    make_respondents(campaign, "SO_NV", 2, group="NGUOI_DAN", email=False)
    make_respondents(campaign, "H_DA", 2, approve=False)
    first = queue_invitations_report(campaign)
    db.session.commit()
    assert first == {"created": 5, "queued": 3, "mails": 3}
    assert queue_invitations_report(campaign) == {"created": 0, "queued": 0, "mails": 0}
    db.session.commit()
    drain()
    assert len(server.messages) == 3
    statuses = sorted(db.session.scalars(db.select(Invitation.status)))
    assert statuses == ["pending", "pending", "sent", "sent", "sent"]


def test_one_mail_lists_each_unit_for_a_respondent_assessing_several(app, make_campaign, make_respondents, smtp_server,
                                                                    use_mailbox):
    server = smtp_server()
    use_mailbox(server.url())
    campaign = make_campaign()
    make_respondents(campaign, "SO_NV", 1, group="HDND", targets=["SO_TP", "SO_NV", "H_DA"])
    assert queue_invitations(campaign) == 3
    db.session.commit()
    drain()
    received, = server.messages
    text = received.message.get_body(("plain",)).get_content()
    tokens_in_mail = [t for t in re.findall(r"/s/(\S+)", text) if not t.endswith("/khong-phai-toi")]  # survey links
    assert len(tokens_in_mail) == 3
    assert "- Sở Tư pháp: http" in text and "- UBND huyện Đông Anh: http" in text
    units = {resolve_survey_link(t, clock.today()).invitation.unit_id for t in tokens_in_mail}
    assert len(units) == 3
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 1


def test_the_worker_quotes_envelope_addresses_exactly_as_smtplib():
    """The worker skips smtplib's address parser for plain addresses (transport.quote_address);
    the MAIL FROM / RCPT TO it writes must be what smtplib.quoteaddr would have written."""
    import smtplib

    from app.mailing.transport import quote_address

    addresses = ["nguoi12@bench.gov.vn", "a.b+c@x-y.vn", "a%b@c", "a_b@c.d", ".a@b", "a..b@c", "a@b.",
                 "Nguyễn Văn A <a@b.vn>", "người@bộ.vn", "a@b@c", '"x y"@b.vn', "a@[1.2.3.4]", "<a@b.vn>",
                 "a(comment)@b.vn", " a@b.vn ", "a b@c.vn", ""]
    for address in addresses:
        assert quote_address(address) == smtplib.quoteaddr(address), address
