"""Which outbox rows a worker takes: the mailbox's rate and daily cap, the claim itself, the next
batch claimed ahead (PostgreSQL), and the claims of a dead worker put back after the lease. The
crash bound these serve is explained in outbox.py, which drains with them."""
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import OutboxMessage, utcnow

from .statuses import link_invitations

LEASE = timedelta(minutes=10)
#: A drain reclaims dead claims on its first pass and then at most this often (the lease is 10 minutes).
RECLAIM_EVERY = 60.0


def _box_filter(mailbox_id):
    return OutboxMessage.mailbox_id.is_(None) if mailbox_id is None else OutboxMessage.mailbox_id == mailbox_id


def _local_midnight_utc(now: datetime) -> datetime:
    tz = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "UTC"))
    local = now.replace(tzinfo=ZoneInfo("UTC")).astimezone(tz)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return start.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def allowance(mailbox_id, settings, now: datetime, batch: int) -> tuple[int, bool]:
    """How many messages this mailbox (its settings; None = the development backend) may send now:
    (n, limited_by_the_minute_rate)."""
    if settings is None:
        return batch, False
    sent = select(func.count()).select_from(OutboxMessage).where(_box_filter(mailbox_id),
                                                                  OutboxMessage.status == "sent")
    last_minute = db.session.scalar(sent.where(OutboxMessage.sent_at > now - timedelta(seconds=60)))
    today = db.session.scalar(sent.where(OutboxMessage.sent_at >= _local_midnight_utc(now)))
    by_rate = settings.rate_per_minute - last_minute
    by_cap = settings.daily_cap - today
    n = max(0, min(batch, by_rate, by_cap))
    return n, n == 0 and by_rate <= 0 and by_cap > 0


def reclaim_stale(now: datetime) -> int:
    """Put rows whose worker died (still 'sending' after the lease) back in the queue, and mark the
    invitations of rows it had recorded as sent but not yet linked (see statuses.link_invitations)."""
    stale = OutboxMessage.claimed_at < now - LEASE
    _repair_links(now, stale)
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == "sending", stale)
        .values(status="queued", claimed_by=None, claimed_at=None, next_attempt_at=now))
    db.session.commit()
    return result.rowcount or 0


def _repair_links(now: datetime, stale) -> None:
    unlinked = db.session.execute(select(OutboxMessage.id, OutboxMessage.kind, OutboxMessage.invitation_ids,
                                         OutboxMessage.claimed_by)
                                  .where(OutboxMessage.status == "sent", OutboxMessage.claimed_by.is_not(None), stale)
                                  ).all()
    for worker in {row.claimed_by for row in unlinked}:
        link_invitations(db.session.connection(), [row for row in unlinked if row.claimed_by == worker], worker, now)


OUT = OutboxMessage.__table__
#: What send_batch needs of a claimed row; returned by the claiming statement itself.
_SENDING = (OUT.c.id, OUT.c.kind, OUT.c.to_addr, OUT.c.subject, OUT.c.body_text, OUT.c.body_html,
            OUT.c.invitation_ids, OUT.c.respondent_id, OUT.c.attempts)


def claim(mailbox_id, worker: str, now: datetime, limit: int) -> list:
    """Claim up to `limit` due rows of one mailbox in a short transaction (SKIP LOCKED on PostgreSQL);
    returns the claimed rows, by id, with what sending them needs.

    Two statements: the due ids are selected and locked, then marked 'sending' with RETURNING — so
    the rows returned are exactly the ones this worker claimed (a row another claimer took in
    between fails `status = 'queued'`), without reading them again."""
    ids = db.session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.status == "queued", OutboxMessage.next_attempt_at <= now, _box_filter(mailbox_id))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit)
        .with_for_update(skip_locked=True)).all()
    rows = []
    if ids:
        rows = db.session.execute(update(OUT).where(OUT.c.id.in_(ids), OUT.c.status == "queued")
                                  .values(status="sending", claimed_by=worker, claimed_at=now)
                                  .returning(*_SENDING)).all()
    db.session.commit()
    return sorted(rows, key=lambda row: row.id)

def give_back(conn, rows, worker: str, **values) -> None:
    """Rows this worker claimed and did not send: queued again as they were (or with `values`, e.g.
    a later next_attempt_at); the caller commits."""
    conn.execute(update(OUT).where(OUT.c.id.in_([row.id for row in rows]), OUT.c.status == "sending",
                                   OUT.c.claimed_by == worker)
                 .values(status="queued", claimed_by=None, claimed_at=None, **values))


class ClaimAhead:
    """PostgreSQL: the next batch of a mailbox claimed by a background thread (its own session and
    connection) while the current batch is being sent, so the claim (a write of every claimed row)
    is not on the sending path. Only when the batch was full and the rate left room for another.

    Claimed ahead is still only 'sending': a worker that dies before sending those rows sends none
    of them (the lease puts them back; the crash bound is unchanged); rows not sent when the drain
    ends are given back at once (release). SQLite is left out: one writer, and the status thread
    commits every few milliseconds."""

    def __init__(self, worker: str):
        self.app, self.worker = current_app._get_current_object(), worker
        self.claims: dict = {}  #: mailbox key -> Future of the claimed rows
        self.pool = None

    def start(self, route, sending: int, batch: int) -> None:
        """Claim the batch after the `sending` rows of this mailbox that are being sent now."""
        if route.mailbox_id in self.claims:
            return
        if self.pool is None:
            self.pool = ThreadPoolExecutor(1, thread_name_prefix="outbox-claim")
        self.claims[route.mailbox_id] = self.pool.submit(self._claim, route.mailbox_id, route.settings, sending, batch)

    def _claim(self, mailbox_id, settings, sending: int, batch: int) -> list:
        with self.app.app_context():
            try:
                now = utcnow()
                # The rows being sent are not all recorded yet: count them as sent in the last minute.
                n, _limited = allowance(mailbox_id, settings, now, batch + sending)
                n = min(batch, n - sending)
                return claim(mailbox_id, self.worker, now, n) if n > 0 else []
            finally:
                db.session.remove()

    def take(self, key) -> list:
        """The rows claimed ahead for this mailbox (an error of the claim is raised here)."""
        claimed = self.claims.pop(key, None)
        return claimed.result() if claimed is not None else []

    def keys(self) -> set:
        return set(self.claims)

    def release(self) -> None:
        """Give back, due as they were, the rows claimed ahead and not sent."""
        try:
            for key in list(self.claims):
                try:
                    rows = self.take(key)
                except Exception:
                    current_app.logger.warning("outbox: a claim ahead failed", exc_info=True)
                    continue
                if not rows:
                    continue
                try:  # on a connection of its own: the drain's session may be failing
                    with db.engine.begin() as conn:
                        give_back(conn, rows, self.worker)
                except Exception:
                    current_app.logger.warning("outbox: %d rows claimed ahead are given back after the lease", len(rows),
                                               exc_info=True)
        finally:
            if self.pool is not None:
                self.pool.shutdown(wait=True)
