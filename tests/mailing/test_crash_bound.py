"""The crash bound, proved with real processes: a worker sending to a real loopback SMTP server is
killed with SIGKILL at several points of its run; a fresh drain then completes.

Stated in app/mailing/outbox.py and the README: after a crash at most outbox.RESEND_BOUND (20)
messages per worker may be sent again; nothing is lost. Kill points: when the server has just
accepted the worker's 1st, GROUP-th, GROUP+1-th, 2·GROUP+5-th and 55th message (the SIGKILL is
sent from the server, so the worker dies waiting for that message's 250 — while its status
thread may be committing the previous group), and once from outside at a moment not tied to any
SMTP reply. Also: the batches of one drain share one SMTP connection.
"""
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from app.extensions import db
from app.mailing import claims, outbox
from app.mailing.outbox import drain_once
from app.mailing.services import queue_invitations
from app.models import Invitation, OutboxMessage, utcnow
from app.progress.services import Counts, read_counters, recount

from .conftest import Handler, SmtpServer

ROOT = Path(__file__).resolve().parents[2]
BATCH = 60  #: rows one worker claims per pass (a killed worker's claimed rows wait for the lease)
WORKER = ("import sys; from app import create_app; from app.mailing.outbox import drain; app = create_app()\n"
          "with app.app_context():\n"
          "    print('worker ready', flush=True); sys.stdin.readline()\n"  # starts when told
          f"    r = drain(batch={BATCH}); print('worker sent', r.sent, flush=True)")


@dataclass
class KillingHandler(Handler):
    """Accepts and keeps every message; on the victim's `kill_at`-th one it kills the victim
    before the 250 reply leaves — accepted by the server, never acknowledged to the worker."""

    victim: int | None = None
    kill_at: int = 0
    count: int = 0

    async def handle_DATA(self, server, session, envelope):
        reply = await super().handle_DATA(server, session, envelope)
        if self.victim is not None:
            self.count += 1
            if self.count == self.kill_at:
                os.kill(self.victim, signal.SIGKILL)
                self.victim = None
        return reply


def _worker(database_url, app):
    env = {**os.environ, "PARSURVEY_ENV": "development", "DATABASE_URL": database_url,
           "PARSURVEY_INSTANCE": app.config["INSTANCE_DIR"]}
    env.pop("MAIL_URL", None)
    proc = subprocess.Popen([sys.executable, "-c", WORKER], cwd=ROOT, env=env, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().startswith("worker ready"), proc.stderr.read()
    return proc


def _go(proc) -> None:
    proc.stdin.write("go\n")
    proc.stdin.flush()


def _unrecorded(pid: int, handler: Handler) -> int:
    """Messages the killed worker got accepted but never recorded: its rows still 'sending' that
    the server has. Also checks that no row is recorded 'sent' that the server does not have."""
    db.session.expire_all()
    rows = db.session.execute(select(OutboxMessage.to_addr, OutboxMessage.status)
                              .where(OutboxMessage.claimed_by.like(f"%:{pid}:%"))).all()
    received = {a for m in handler.messages for a in m.rcpt_tos}
    assert all(r.to_addr in received for r in rows if r.status == "sent")
    db.session.rollback()
    return sum(1 for r in rows if r.status == "sending" and r.to_addr in received)


def test_sigkill_at_several_points_resends_at_most_the_bound(app, database_url, make_campaign, make_respondents,
                                                            use_mailbox):
    handler = KillingHandler()
    server = SmtpServer()
    server.handler = server.controller.handler = handler
    server.controller.start()
    try:
        use_mailbox(server.url())
        campaign = make_campaign()
        # Each victim holds up to two batches until the lease: the one it sends and, on
        # PostgreSQL, the next one it claimed meanwhile (claims.ClaimAhead).
        people = make_respondents(campaign, "SO_TP", 13 * BATCH)
        queue_invitations(campaign)
        db.session.commit()
        group = outbox.GROUP
        resent = []
        for kill_at in (1, group, group + 1, 2 * group + 5, 55):
            handler.count, handler.kill_at = 0, kill_at
            victim = _worker(database_url, app)
            handler.victim = victim.pid
            _go(victim)
            assert victim.wait(60) == -signal.SIGKILL, victim.communicate()
            resent.append(_unrecorded(victim.pid, handler))
        # From outside, at whatever the worker is doing then (sending, or committing a group).
        victim = _worker(database_url, app)
        start = len(handler.messages)
        _go(victim)
        deadline = time.monotonic() + 60
        while len(handler.messages) < start + 33 and time.monotonic() < deadline:
            time.sleep(0.001)
        victim.send_signal(signal.SIGKILL)
        assert victim.wait(30) == -signal.SIGKILL
        resent.append(_unrecorded(victim.pid, handler))
        assert all(n <= outbox.RESEND_BOUND for n in resent), resent
        assert resent[0] == 1 and max(resent) > 1  # the kill points did hit unrecorded groups

        # A fresh drain after the lease completes the queue.
        later = utcnow() + claims.LEASE + timedelta(seconds=1)
        while drain_once(now=later).sent:
            pass
        db.session.expire_all()
        statuses = dict(db.session.execute(select(OutboxMessage.status, func.count())
                                           .group_by(OutboxMessage.status)).all())
        assert statuses == {"sent": len(people)}
        assert db.session.scalar(select(func.count()).where(OutboxMessage.claimed_by.is_not(None))) == 0
        counts = [len(handler.to(p.email)) for p in people]
        assert min(counts) == 1  # nothing lost
        assert sum(c - 1 for c in counts) == sum(resent)  # the only duplicates are the unrecorded ones
        # Invitations of rows a victim had recorded 'sent' but not yet marked are marked by the reclaim.
        assert db.session.scalar(select(func.count()).where(Invitation.status != "sent")) == 0
        assert read_counters(campaign) == {k: v for k, v in recount(campaign).items() if v != Counts()}
    finally:
        server.controller.stop()


def test_one_connection_per_drain_one_tls_context_per_process(app, make_campaign, make_respondents, smtp_server,
                                                              use_mailbox, monkeypatch):
    """The batches of one drain share the mailbox's SMTP connection; statuses still come in groups."""
    from app.mailing import transport

    opened = []
    real_open = transport.SmtpTransport.open
    monkeypatch.setattr(transport.SmtpTransport, "open", lambda self: (opened.append(self), real_open(self))[1])
    server = smtp_server()
    use_mailbox(server.url())
    campaign = make_campaign()
    people = make_respondents(campaign, "SO_TP", 2 * outbox.GROUP + 5)
    queue_invitations(campaign)
    db.session.commit()
    result = outbox.drain(batch=outbox.GROUP)  # three batches
    assert result.sent == len(people) and len(opened) == 1
    assert sorted(len(server.handler.to(p.email)) for p in people) == [1] * len(people)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).where(Invitation.status == "sent")) == len(people)
    assert db.session.scalar(select(func.count()).where(OutboxMessage.claimed_by.is_not(None))) == 0
    assert outbox.mail_tls_context() is outbox.mail_tls_context()
