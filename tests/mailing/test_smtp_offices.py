"""SMTP as government offices run it, against aiosmtpd on loopback: STARTTLS with a private CA
and AUTH, a wrong password, TLS required but not offered, greylisting (4xx at RCPT, then
accepted), 5xx for one recipient in a session that goes on, per-mailbox rate limits, and the
secretariat's "send a test to me" (Flask-Mail) through the same server."""
import datetime as dt
import ipaddress
import ssl
import threading
import warnings
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from app.extensions import db
from app.mailing.outbox import drain, drain_once
from app.mailing.services import queue_invitations
from app.models import Invitation, Mailbox, OutboxMessage

from tests.browser_support import free_port

LOGIN = ("hopthu@sotp.gov.vn", "Mat-khau-dung-1")


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1 (the office's internal CA, in effect)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mail.sotp.gov.vn")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    folder = tmp_path_factory.mktemp("tls")
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    return folder / "cert.pem", folder / "key.pem"


@dataclass
class OfficeHandler:
    messages: list = field(default_factory=list)
    sessions: set = field(default_factory=set)
    tls_sessions: set = field(default_factory=set)
    greylist: set = field(default_factory=set)  #: first RCPT of these gets 450, later ones pass
    refuse: dict = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        if address in self.greylist:
            self.greylist.discard(address)
            return "450 4.7.1 <%s>: Recipient address rejected: Greylisted, try again later" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.sessions.add(id(session))
            if session.ssl is not None:
                self.tls_sessions.add(id(session))
            self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 2.0.0 Ok: queued"


def _start(handler, certificate=None, tls=True):
    kwargs = {}
    if not tls:  # the point of that test: a server that offers no TLS at all
        warnings.filterwarnings("ignore", "Requiring AUTH while not requiring TLS")
    if tls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*certificate)
        kwargs = {"tls_context": context, "require_starttls": True}

    def authenticator(server, session, envelope, mechanism, auth_data):
        return AuthResult(success=(auth_data.login.decode(), auth_data.password.decode()) == LOGIN, handled=False)

    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, authenticator=authenticator,
                            auth_required=True, auth_require_tls=tls, **kwargs)
    controller.start()
    return controller, port


@pytest.fixture
def office(certificate):
    started = []

    def start(tls=True):
        handler = OfficeHandler()
        controller, port = _start(handler, certificate, tls)
        started.append(controller)
        return handler, port

    yield start
    for controller in started:
        controller.stop()


def _url(port, password=LOGIN[1], tls="starttls", rate=1000):
    return (f"smtp://{LOGIN[0].replace('@', '%40')}:{password}@127.0.0.1:{port}?tls={tls}&sender={LOGIN[0]}"
            f"&name=Sở Tư pháp&reply_to=cchc@sotp.gov.vn&rate={rate}&daily_cap=100000")


def _queue(campaign, make_respondents, unit="SO_TP", n=3, **kw):
    people = make_respondents(campaign, unit, n, **kw)
    queue_invitations(campaign)
    db.session.commit()
    return people


def test_starttls_with_the_office_ca_and_auth(app, office, certificate, make_campaign, make_respondents, use_mailbox):
    handler, port = office()
    app.config["MAIL_CA_FILE"] = str(certificate[0])
    campaign = make_campaign()
    use_mailbox(_url(port), unit_code="SO_TP")
    _queue(campaign, make_respondents)
    assert drain().sent == 3
    assert len(handler.messages) == 3 and handler.tls_sessions == handler.sessions and len(handler.sessions) == 1


def test_an_untrusted_certificate_sends_nothing(app, office, make_campaign, make_respondents, use_mailbox):
    handler, port = office()
    app.config["MAIL_CA_FILE"] = None
    campaign = make_campaign()
    use_mailbox(_url(port), unit_code="SO_TP")
    _queue(campaign, make_respondents, n=1)
    result = drain_once()
    assert result.sent == 0 and result.errors and handler.messages == []
    assert db.session.scalar(db.select(OutboxMessage.status)) == "queued"  # retried later, not lost


def test_wrong_password_over_starttls_pauses_the_mailbox(app, office, certificate, make_campaign, make_respondents,
                                                        use_mailbox):
    handler, port = office()
    app.config["MAIL_CA_FILE"] = str(certificate[0])
    campaign = make_campaign()
    box = use_mailbox(_url(port, password="sai-mat-khau"), unit_code="SO_TP")
    _queue(campaign, make_respondents, n=2)
    result = drain_once()
    assert result.sent == 0 and "từ chối đăng nhập" in result.errors[0]
    db.session.expire_all()
    assert "từ chối đăng nhập" in db.session.get(Mailbox, box.id).last_error
    assert all(r.attempts == 0 and r.status == "queued" for r in db.session.scalars(db.select(OutboxMessage)))


def test_tls_required_but_not_offered_never_sends_the_password_in_clear(app, office, make_campaign, make_respondents,
                                                                       use_mailbox):
    handler, port = office(tls=False)  # a server (or a man in the middle) that does not offer STARTTLS
    campaign = make_campaign()
    box = use_mailbox(_url(port), unit_code="SO_TP")
    _queue(campaign, make_respondents, n=1)
    result = drain_once()
    assert result.sent == 0 and "không hỗ trợ" in result.errors[0] and handler.messages == []
    db.session.expire_all()
    assert db.session.get(Mailbox, box.id).paused_until is not None


def test_greylisting_then_accepted_and_a_5xx_recipient_does_not_stop_the_session(
        app, office, certificate, make_campaign, make_respondents, use_mailbox):
    handler, port = office()
    app.config["MAIL_CA_FILE"] = str(certificate[0])
    campaign = make_campaign()
    use_mailbox(_url(port), unit_code="SO_TP")
    grey, bad, good = _queue(campaign, make_respondents, n=3)
    handler.greylist.add(grey.email)
    handler.refuse[bad.email] = "550 5.1.1 <%s>: Recipient address rejected: User unknown" % bad.email
    first = drain_once()
    assert (first.sent, first.failed, first.retried) == (1, 1, 1)
    assert len(handler.sessions) == 1  # one session: the refused recipient did not end it
    row = db.session.scalar(db.select(OutboxMessage).where(OutboxMessage.to_addr == grey.email))
    assert row.status == "queued" and row.smtp_code == 450
    second = drain_once(now=row.next_attempt_at + dt.timedelta(seconds=1))
    assert second.sent == 1
    db.session.expire_all()
    states = {inv.respondent_id: inv.status for inv in db.session.scalars(db.select(Invitation))}
    assert states == {grey.id: "sent", bad.id: "failed", good.id: "sent"}


def test_rate_limits_are_per_mailbox(app, office, certificate, make_campaign, make_respondents, use_mailbox):
    slow_handler, slow_port = office()
    fast_handler, fast_port = office()
    app.config["MAIL_CA_FILE"] = str(certificate[0])
    campaign = make_campaign()
    use_mailbox(_url(slow_port, rate=2), unit_code="SO_TP")
    use_mailbox(_url(fast_port, rate=1000), unit_code="SO_NV")
    make_respondents(campaign, "SO_TP", 5)
    make_respondents(campaign, "SO_NV", 5)
    queue_invitations(campaign)
    db.session.commit()
    assert drain_once().sent == 7
    assert (len(slow_handler.messages), len(fast_handler.messages)) == (2, 5)
    again = drain_once()  # within the same minute: the slow mailbox waits, nothing is lost
    assert again.sent == 0 and again.rate_limited
    assert db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.status == "queued")) == 3


def test_send_a_test_to_me_goes_through_the_official_mailbox(app, client, office, certificate, make_campaign,
                                                            make_user, use_mailbox):
    from tests.conftest import csrf_token, login

    handler, port = office()
    app.config["MAIL_CA_FILE"] = str(certificate[0])
    campaign = make_campaign()
    campaign.issuer, campaign.plan_reference = "UBND tỉnh Hà Nam", "Kế hoạch số 12/KH-UBND"
    db.session.commit()
    use_mailbox(_url(port), unit_code="H_DA")
    user = make_user("admin", email="thuky@sonv.gov.vn")
    login(client, user)
    page = client.get(f"/mailing/campaigns/{campaign.id}/mail-setup").get_data(as_text=True)
    assert "UBND tỉnh Hà Nam" in page and "Sở Tư pháp" in page and "khong-phai-toi" in page
    response = client.post(f"/mailing/campaigns/{campaign.id}/mail-setup/test",
                           data={"test-csrf_token": csrf_token(client, f"/mailing/campaigns/{campaign.id}/mail-setup")})
    assert response.status_code == 302
    (rcpts, content), = handler.messages
    assert rcpts == ["thuky@sonv.gov.vn"] and handler.tls_sessions == handler.sessions
    from email import message_from_bytes, policy

    mail = message_from_bytes(content, policy=policy.default)
    assert mail["Reply-To"] == "cchc@sotp.gov.vn" and "Sở Tư pháp" in str(mail["From"])
    text = mail.get_body(("plain",)).get_content()
    assert "Kế hoạch số 12/KH-UBND" in text and "khoảng 15 phút" in text and "không gắn với tên" in text
