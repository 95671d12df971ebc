"""A real SMTP server on loopback (aiosmtpd) and factories for invited respondents."""
import threading
import warnings
from dataclasses import dataclass, field
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from app.extensions import db
from app.mailing.mailboxes import parse_mail_url, save_mailbox
from app.models import Group, Respondent, RespondentList, RespondentTarget, Unit
from tests.browser_support import free_port


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list
    data: bytes
    smtputf8: bool

    @property
    def message(self):
        return message_from_bytes(self.data, policy=policy.default)


@dataclass
class Handler:
    """Records accepted messages; can refuse given recipients or the next N messages."""

    messages: list = field(default_factory=list)
    refuse_rcpt: dict = field(default_factory=dict)  #: address -> "550 …" (permanent) or "450 …"
    fail_next: list = field(default_factory=list)  #: replies for the next DATA commands, e.g. ["451 …"]
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse_rcpt:
            return self.refuse_rcpt[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.fail_next:
                return self.fail_next.pop(0)
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content
                                          or envelope.content, "SMTPUTF8" in (envelope.mail_options or [])))
        return "250 Message accepted for delivery"

    def to(self, addr):
        return [m for m in self.messages if addr in m.rcpt_tos]


class SmtpServer:
    def __init__(self, login=None, smtputf8=True):
        self.handler = Handler()
        self.port = free_port()
        self.login = login
        kwargs = {}
        if login:
            def authenticator(server, session, envelope, mechanism, auth_data):
                ok = (auth_data.login.decode(), auth_data.password.decode()) == login
                return AuthResult(success=ok, handled=False)
            # Loopback test server only: plain AUTH without TLS is what we want to exercise here.
            warnings.filterwarnings("ignore", "Requiring AUTH while not requiring TLS")
            kwargs = {"authenticator": authenticator, "auth_required": True, "auth_require_tls": False}
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port,
                                     enable_SMTPUTF8=smtputf8, **kwargs)

    def url(self, login=None, password=None, **query) -> str:
        cred = f"{login}:{password}@" if login else ""
        q = {"tls": "none", "sender": "hopthu@sonv.gov.vn", "name": "Sở Nội vụ", "reply_to": "cchc@sonv.gov.vn",
             "rate": 100000, "daily_cap": 100000, **query}
        return f"smtp://{cred}127.0.0.1:{self.port}?" + "&".join(f"{k}={v}" for k, v in q.items())

    @property
    def messages(self):
        return self.handler.messages


@pytest.fixture
def smtp_server():
    """smtp_server(login=("user", "pass"), smtputf8=True) -> a started SmtpServer on 127.0.0.1 (refusals and
    failures on demand). The browser tests' plain keep-everything inbox is `smtp_inbox` (tests/conftest.py)."""
    started = []

    def start(**kwargs):
        server = SmtpServer(**kwargs)
        server.controller.start()
        started.append(server)
        return server

    yield start
    for server in started:
        if server.controller._thread is not None:  # a test may have stopped it already
            server.controller.stop()


@pytest.fixture
def use_mailbox(app):
    """use_mailbox(url, unit_code=None): store an official mailbox (default one when unit_code is None)."""

    def use(url, unit_code=None):
        box = save_mailbox(unit_code, parse_mail_url(url))
        db.session.commit()
        return box

    return use


@pytest.fixture
def make_respondents(app):
    """make_respondents(campaign, unit_code, n, group="LD_SO", email=True, targets=None, approve=True)."""
    counter = {"n": 0}

    def make(campaign, unit_code, n=1, group="LD_SO", email=True, targets=None, approve=True, emails=None):
        unit = db.session.scalar(db.select(Unit).where(Unit.campaign_id == campaign.id, Unit.code == unit_code))
        grp = db.session.scalar(db.select(Group).where(Group.campaign_id == campaign.id, Group.code == group))
        target_units = [db.session.scalar(db.select(Unit).where(Unit.campaign_id == campaign.id, Unit.code == c))
                        for c in (targets or [unit_code])]
        people = []
        for i in range(n):
            counter["n"] += 1
            k = counter["n"]
            addr = (emails[i] if emails else f"nguoi{k}@{unit_code.lower()}.gov.vn") if email else None
            r = Respondent(campaign_id=campaign.id, unit_id=unit.id, group_id=grp.id, full_name=f"Nguyễn Văn {k}",
                           email=addr, phone=f"0912{k:06d}")
            r.targets = [RespondentTarget(unit_id=u.id) for u in target_units]
            db.session.add(r)
            people.append(r)
        lst = db.session.scalar(db.select(RespondentList).where(RespondentList.unit_id == unit.id))
        if lst is None:
            lst = RespondentList(campaign_id=campaign.id, unit_id=unit.id, state="draft")
            db.session.add(lst)
        if approve:
            lst.state = "approved"
        db.session.commit()
        return people

    return make
