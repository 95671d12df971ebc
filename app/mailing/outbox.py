"""The outbox worker: claim due rows atomically, send them through one SMTP connection per
mailbox, write their statuses in small groups.

The crash bound: after a crash of a worker (killed, or any error), at most the last
RESEND_BOUND = 2 × GROUP = 20 messages per worker may be sent again; nothing is lost. (If the
database server or the machine itself goes down, the status commits of its last moments may be
lost too — see statuses.status_connection — and those messages are also sent again; still none lost.)

Why: a row is 'sending' only while one worker holds it. The messages the server accepts are
recorded 'sent' in groups of GROUP (10), one transaction each, written on the worker's own
status connection by a background thread while the next group goes out; a group waits for the
previous one to be committed before it is handed over. So at any moment at most two groups —
the one being committed and the one being collected, the message in flight included — have
been accepted and not yet recorded. Rows left in 'sending' longer than the lease are reclaimed
and sent again: those ≤ 20 messages may arrive twice; every other message is either recorded as
sent or still due. Refusals, retries and releases are written as soon as they happen. An
ordinary exception (not a kill) still records every accepted message first (only the one in
flight may go twice).

The invitations of sent messages are marked once INVITATION_GROUP (200) recorded messages have
gathered and at the end of a batch, in one statement (the counters' trigger runs once per
statement on PostgreSQL), together with the release of those rows; on PostgreSQL by a thread and
connection of their own that the sending thread does not wait for. A worker killed in between
leaves 'sent' rows still claimed, whose invitations claims.reclaim_stale() marks after the lease.

On PostgreSQL the drain claims a mailbox's next batch while it sends the current one
(claims.ClaimAhead). Rows claimed and not yet sent add nothing to the bound: a dead worker never sent
them, and the lease puts them back.
"""
import os
import socket
import ssl
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update

from app.core.crypto import decrypt
from app.extensions import db
from app.models import Invitation, Mailbox, OutboxMessage, Respondent, utcnow

from . import claims
from .claims import OUT, ClaimAhead, give_back
from .composer import build_mime
from .mailboxes import SmtpSettings, parse_mail_url
from .statuses import GROUP, Recorder
from .transport import DevTransport, MailboxProblem, SendError, SmtpTransport

BACKOFF_SECONDS = 60  #: first retry after 1 min, then 2, 4, 8 … (capped)
BACKOFF_MAX = timedelta(hours=6)
MAX_ATTEMPTS = 8
PAUSE_ON_MAILBOX_PROBLEM = timedelta(minutes=10)
BATCH = 200
#: The crash bound: at most this many messages per worker may be sent again after a crash.
RESEND_BOUND = 2 * GROUP


@dataclass
class Route:
    """Where the messages of one mailbox key go: an SMTP account, or the development backend."""

    mailbox_id: int | None
    settings: SmtpSettings | None  #: None = development backend
    mailbox: Mailbox | None = None


@dataclass
class DrainResult:
    sent: int = 0
    failed: int = 0
    retried: int = 0
    reclaimed: int = 0
    rate_limited: bool = False
    errors: list = field(default_factory=list)

    def add(self, other: "DrainResult") -> None:
        self.sent += other.sent
        self.failed += other.failed
        self.retried += other.retried
        self.reclaimed += other.reclaimed
        self.rate_limited = self.rate_limited or other.rate_limited
        self.errors += other.errors


def settings_of(box: Mailbox) -> SmtpSettings:
    return SmtpSettings(host=box.host, port=box.port, tls=box.tls, username=box.username,
                        password=decrypt(box.password_encrypted), sender=box.sender, sender_name=box.sender_name,
                        reply_to=box.reply_to, rate_per_minute=box.rate_per_minute, daily_cap=box.daily_cap)


def route_for(mailbox_id: int | None) -> Route:
    """The unit's mailbox row; NULL = MAIL_URL when configured, else the development backend."""
    if mailbox_id is not None:
        box = db.session.get(Mailbox, mailbox_id)
        if box is not None:
            return Route(mailbox_id, settings_of(box), box)
    url = current_app.config.get("MAIL_URL")
    return Route(None, parse_mail_url(url) if url else None)


def default_sender() -> tuple[str, str, str | None]:
    """(sender, name, reply_to) used when no mailbox row applies."""
    url = current_app.config.get("MAIL_URL")
    if url:
        s = parse_mail_url(url)
        return s.sender, s.sender_name, s.reply_to
    # Development backend: still an address one could answer, never a "no-reply" contact.
    return "to-thu-ky@parsurvey.local", _("Tổ thư ký Chỉ số cải cách hành chính"), None


INV, RESP = Invitation.__table__, Respondent.__table__


def _mine(mid: int, worker: str):
    return (OUT.c.id == mid, OUT.c.status == "sending", OUT.c.claimed_by == worker)


def _mark_failed(conn, row, worker: str, now: datetime, error: str, code: int | None) -> None:
    conn.execute(OUT.update().where(*_mine(row.id, worker)).values(
        status="failed", smtp_code=code, last_error=error, attempts=OUT.c.attempts + 1, claimed_by=None))
    if row.invitation_ids:
        conn.execute(INV.update().where(INV.c.id.in_(row.invitation_ids), INV.c.answered_on.is_(None))
                           .values(status="failed", last_error=error))
    if row.respondent_id:
        conn.execute(RESP.update().where(RESP.c.id == row.respondent_id)
                           .values(email_status="failed", email_error=error))
    conn.commit()


def _retry_later(conn, rows, worker: str, now: datetime, error: str, code: int | None = None) -> tuple[int, int]:
    """Temporary failure: back off exponentially; give up after MAX_ATTEMPTS. Returns (retried, failed)."""
    retried = failed = 0
    for row in rows:
        attempts = row.attempts + 1
        if attempts >= MAX_ATTEMPTS:
            _mark_failed(conn, row, worker, now, _("Bỏ sau %(n)d lần thử: %(error)s", n=attempts, error=error), code)
            failed += 1
            continue
        delay = min(timedelta(seconds=BACKOFF_SECONDS * 2 ** (attempts - 1)), BACKOFF_MAX)
        conn.execute(OUT.update().where(*_mine(row.id, worker)).values(
            status="queued", attempts=attempts, next_attempt_at=now + delay, smtp_code=code, last_error=error,
            claimed_by=None, claimed_at=None))
        retried += 1
    conn.commit()
    return retried, failed


def _release(conn, rows, worker: str, until: datetime, error: str) -> None:
    """Mailbox problem: give the rows back untouched (no attempt counted), due again later."""
    for row in rows:
        conn.execute(OUT.update().where(*_mine(row.id, worker)).values(
            status="queued", next_attempt_at=until, last_error=error, claimed_by=None, claimed_at=None))
    conn.commit()


def _mailbox_problem(route: Route, now: datetime, error: str) -> None:
    if route.mailbox_id is not None:
        db.session.execute(update(Mailbox).where(Mailbox.id == route.mailbox_id).values(
            last_error=error, last_error_at=now, paused_until=now + PAUSE_ON_MAILBOX_PROBLEM))
    db.session.commit()


def _mailbox_ok(route: Route) -> None:
    if route.mailbox is not None and (route.mailbox.last_error or route.mailbox.paused_until):
        db.session.execute(update(Mailbox).where(Mailbox.id == route.mailbox_id)
                           .values(last_error=None, last_error_at=None, paused_until=None))
        db.session.commit()


def make_transport(route: Route):
    if route.settings is None:
        return DevTransport(current_app.config["MAIL_DEV_DIR"])
    return SmtpTransport(route.settings, timeout=current_app.config["MAIL_TIMEOUT"], ssl_context=mail_tls_context())


_TLS_CONTEXTS: dict[tuple, ssl.SSLContext] = {}


def mail_tls_context() -> ssl.SSLContext:
    """Verified TLS for SMTP and IMAP: the system CAs plus MAIL_CA_FILE when set.

    Built once per worker process (loading the system CAs takes milliseconds) and shared by every
    mailbox and connection of that process — an SSLContext may be shared between threads. A new
    one is built when MAIL_CA_FILE is changed or rewritten (its path, size and time are the key)."""
    cafile = current_app.config.get("MAIL_CA_FILE") or None
    key = (cafile,)
    if cafile:
        stat = os.stat(cafile)
        key = (cafile, stat.st_size, stat.st_mtime_ns)
    context = _TLS_CONTEXTS.get(key)
    if context is None:
        context = ssl.create_default_context()
        if cafile:
            context.load_verify_locations(cafile=cafile)
        _TLS_CONTEXTS.clear()  # only the current CA file's context is kept
        _TLS_CONTEXTS[key] = context
    return context


class Connections:
    """The SMTP connections of one drain, one per mailbox (and its settings), kept open from one
    batch to the next; closed when the drain ends or waits."""

    def __init__(self):
        self._open: dict = {}

    def get(self, route: Route):
        key = (route.mailbox_id, route.settings)
        if key not in self._open:
            self._open[key] = make_transport(route)
        return self._open[key]

    def close(self) -> None:
        for transport in self._open.values():
            transport.close()
        self._open.clear()


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def send_batch(route: Route, rows: list, worker: str, after_accept=None, should_stop=None,
               connections: Connections | None = None, recorder: Recorder | None = None) -> DrainResult:
    """Send the claimed rows (claim's result) through the mailbox's connection; statuses are
    written by a Recorder (groups of accepted messages, see the crash bound in the module's docstring):
    the drain's, which goes on from one batch to the next, or one of the batch's own."""
    result = DrainResult()
    own = recorder is None
    if route.settings is None:
        sender, name, reply_to = default_sender()
    else:
        sender, name, reply_to = route.settings.sender, route.settings.sender_name, route.settings.reply_to
    transport = connections.get(route) if connections is not None else make_transport(route)
    pending = deque(rows)
    recorder = Recorder(worker) if own else recorder
    ahead = [None]  #: (row, wire bytes, Message-ID) of the next row, composed while the server answers

    def compose(row) -> tuple[bytes, str]:
        return build_mime(sender=sender, sender_name=name, reply_to=reply_to, to_addr=row.to_addr,
                          subject=row.subject, text=row.body_text, html=row.body_html)

    def compose_next() -> None:
        # Called by the transport between sending a message's data and reading the reply.
        if pending:
            try:
                ahead[0] = (pending[0], *compose(pending[0]))
            except Exception:  # composed again in the loop, whose handling applies
                ahead[0] = None
    try:
        while pending:
            if should_stop is not None and should_stop():
                _release(recorder.settled(), pending, worker, utcnow(), None)
                break
            if not transport.connected:
                try:
                    transport.open()
                except MailboxProblem as exc:
                    now = utcnow()
                    conn = recorder.settled()
                    _mailbox_problem(route, now, str(exc))
                    _release(conn, pending, worker, now + PAUSE_ON_MAILBOX_PROBLEM, str(exc))
                    result.errors.append(str(exc))
                    break
                except SendError as exc:
                    r, f = _retry_later(recorder.settled(), pending, worker, utcnow(), str(exc), exc.code)
                    result.retried += r
                    result.failed += f
                    result.errors.append(str(exc))
                    break
                _mailbox_ok(route)
            row = pending.popleft()
            if ahead[0] is not None and ahead[0][0] is row:
                _row, data, message_id = ahead[0]
            else:
                data, message_id = compose(row)
            ahead[0] = None
            try:
                transport.send(data, row.to_addr, compose_next)
            except SendError as exc:
                if exc.temporary:
                    r, f = _retry_later(recorder.settled(), [row], worker, utcnow(), str(exc), exc.code)
                    result.retried += r
                    result.failed += f
                else:
                    _mark_failed(recorder.settled(), row, worker, utcnow(), str(exc), exc.code)
                    result.failed += 1
                continue
            if after_accept is not None:
                after_accept(row.id)  # fault injection in tests: a worker dying right here
            recorder.accepted(row, message_id)
            result.sent += 1
        if own:
            recorder.finish()
        else:
            recorder.flush()
    except BaseException:
        recorder.after_error()
        raise
    finally:
        if connections is None:
            transport.close()
        if own:
            recorder.close()
    return result


def drain_once(now: datetime | None = None, batch: int = BATCH, after_accept=None, should_stop=None,
               connections: Connections | None = None, worker: str | None = None, reclaim: bool = True,
               ahead: ClaimAhead | None = None, recorder: Recorder | None = None) -> DrainResult:
    """One pass: reclaim dead claims, then one batch per mailbox that has due messages (the batch
    claimed ahead, if any: see ClaimAhead)."""
    now = now or utcnow()
    worker = worker or worker_name()
    result = DrainResult(reclaimed=claims.reclaim_stale(now) if reclaim else 0)
    keys = db.session.scalars(select(OutboxMessage.mailbox_id).where(
        OutboxMessage.status == "queued", OutboxMessage.next_attempt_at <= now).distinct()).all()
    db.session.commit()
    if ahead is not None:
        keys += [key for key in ahead.keys() if key not in keys]
    for key in keys:
        route = route_for(key)
        rows = ahead.take(key) if ahead is not None else []
        if route.mailbox is not None and route.mailbox.paused_until and route.mailbox.paused_until > now:
            if rows:  # paused since they were claimed ahead: back in the queue, due when the pause ends
                give_back(db.session, rows, worker, next_attempt_at=route.mailbox.paused_until)
                db.session.commit()
            continue
        if not rows:
            if recorder is not None:
                recorder.settle()  # the rate counts every message sent; on SQLite, no write meanwhile
            n, limited = claims.allowance(route.mailbox_id, route.settings, now, batch)
            result.rate_limited = result.rate_limited or limited
            rows = claims.claim(key, worker, now, n) if n else []
            if ahead is not None and rows and len(rows) == batch:
                ahead.start(route, len(rows), batch)
        elif len(rows) == batch:
            ahead.start(route, len(rows), batch)
        if rows:
            result.add(send_batch(route, rows, worker, after_accept=after_accept, should_stop=should_stop,
                                  connections=connections, recorder=recorder))
    return result


def drain(wait_for_rate: bool = True, should_stop=None, batch: int = BATCH) -> DrainResult:
    """Send everything due now; waits out per-minute rate limits, not back-offs or daily caps.
    One SMTP connection per mailbox serves all the batches of the drain; on PostgreSQL the next
    batch of a mailbox is claimed while the current one is sent (ClaimAhead)."""
    total = DrainResult()
    connections = Connections()
    worker = worker_name()
    ahead = ClaimAhead(worker) if db.engine.dialect.name == "postgresql" else None
    recorder = Recorder(worker)
    reclaimed_at = None
    try:
        while not (should_stop and should_stop()):
            reclaim = reclaimed_at is None or time.monotonic() - reclaimed_at >= claims.RECLAIM_EVERY
            if reclaim:
                reclaimed_at = time.monotonic()
            one = drain_once(batch=batch, should_stop=should_stop, connections=connections, worker=worker,
                             reclaim=reclaim, ahead=ahead, recorder=recorder)
            total.add(one)
            if one.sent or one.failed or one.retried:
                continue
            if one.rate_limited and wait_for_rate:
                recorder.finish()  # nothing left unrecorded while waiting
                connections.close()  # not held idle while waiting for the rate
                time.sleep(2)
                continue
            break
        recorder.finish()
    except BaseException:
        recorder.after_error()
        raise
    finally:
        try:
            if ahead is not None:
                ahead.release()
        finally:
            try:
                recorder.close()
            finally:
                connections.close()
    total.rate_limited = False
    return total
