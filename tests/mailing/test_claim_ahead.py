"""The drain claims a mailbox's next batch while it sends the current one (PostgreSQL; SQLite
claims between batches): every message still goes exactly once, and a drain stopped half-way
leaves no row claimed — the rows claimed ahead are given back, due as they were."""
import threading
from collections import Counter

from sqlalchemy import func, select

from app.extensions import db
from app.mailing import claims, outbox
from app.mailing.outbox import drain
from app.mailing.services import queue_invitations
from app.models import Invitation, OutboxMessage, utcnow

BATCH = 10


def _queued(app, make_campaign, make_respondents, smtp_server, use_mailbox, n):
    server = smtp_server()
    use_mailbox(server.url())
    campaign = make_campaign()
    make_respondents(campaign, "SO_TP", n)
    assert queue_invitations(campaign) == n
    db.session.commit()
    return server


def _claims(monkeypatch) -> list:
    """The thread of every claim the drain makes."""
    threads, real = [], claims.claim

    def spy(*args, **kwargs):
        threads.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(claims, "claim", spy)
    return threads


def test_every_message_goes_once_with_batches_claimed_ahead(app, make_campaign, make_respondents, smtp_server,
                                                            use_mailbox, database_url, monkeypatch):
    server = _queued(app, make_campaign, make_respondents, smtp_server, use_mailbox, 3 * BATCH + 5)
    threads = _claims(monkeypatch)
    result = drain(batch=BATCH)
    assert result.sent == 3 * BATCH + 5 and not result.failed
    assert Counter(a for m in server.messages for a in m.rcpt_tos) == Counter(
        db.session.scalars(select(OutboxMessage.to_addr)))
    assert all(n == 1 for n in Counter(a for m in server.messages for a in m.rcpt_tos).values())
    db.session.expire_all()
    rows = db.session.execute(select(OutboxMessage.status, OutboxMessage.claimed_by)).all()
    assert {r.status for r in rows} == {"sent"} and all(r.claimed_by is None for r in rows)
    assert db.session.scalar(select(func.count()).where(Invitation.status != "sent")) == 0
    ahead = [t for t in threads if t.startswith("outbox-claim")]
    if database_url.startswith("postgresql"):
        assert len(ahead) >= 3  # batches 2, 3, 4 (and the empty one after) claimed while sending
    else:
        assert not ahead


def test_a_drain_stopped_half_way_gives_back_what_it_claimed_ahead(app, make_campaign, make_respondents, smtp_server,
                                                                   use_mailbox, database_url, monkeypatch):
    n = 4 * BATCH
    server = _queued(app, make_campaign, make_respondents, smtp_server, use_mailbox, n)
    threads = _claims(monkeypatch)

    def stop():  # after 15 messages: in the second batch, with the third claimed ahead
        if len(server.messages) >= BATCH + 5:
            return True
        return False

    result = drain(batch=BATCH, should_stop=stop)
    assert result.sent == BATCH + 5 == len(server.messages)
    db.session.expire_all()
    rows = db.session.execute(select(OutboxMessage.id, OutboxMessage.status, OutboxMessage.claimed_by,
                                     OutboxMessage.next_attempt_at)).all()
    assert not [r for r in rows if r.status == "sending" or r.claimed_by is not None]
    queued = [r for r in rows if r.status == "queued"]
    assert len(queued) == n - BATCH - 5
    now = utcnow()
    assert all(r.next_attempt_at <= now for r in queued)  # due now: none waits for a lease
    if database_url.startswith("postgresql"):  # the third batch had been claimed ahead
        assert "outbox-claim" in " ".join(threads)
    result = drain(batch=BATCH)
    assert result.sent == n - BATCH - 5
    received = Counter(a for m in server.messages for a in m.rcpt_tos)
    assert len(received) == n and set(received.values()) == {1}


def test_rows_claimed_ahead_for_a_mailbox_paused_meanwhile_wait_for_the_pause(app, make_campaign, make_respondents,
                                                                              smtp_server, use_mailbox):
    from datetime import timedelta

    from app.models import Mailbox

    server = _queued(app, make_campaign, make_respondents, smtp_server, use_mailbox, BATCH)
    key, = db.session.scalars(select(OutboxMessage.mailbox_id).distinct()).all()
    worker = outbox.worker_name()
    ahead = claims.ClaimAhead(worker)
    try:
        ahead.start(outbox.route_for(key), 0, BATCH)
        assert len(ahead.claims[key].result()) == BATCH  # claimed ahead, by the claiming thread
        db.session.commit()
        until = utcnow() + timedelta(minutes=10)
        db.session.get(Mailbox, key).paused_until = until
        db.session.commit()
        result = outbox.drain_once(batch=BATCH, worker=worker, ahead=ahead)
        assert result.sent == 0 and server.messages == []
    finally:
        ahead.release()
    db.session.expire_all()
    rows = db.session.execute(select(OutboxMessage.status, OutboxMessage.claimed_by, OutboxMessage.next_attempt_at)).all()
    assert len(rows) == BATCH
    assert all(r.status == "queued" and r.claimed_by is None and r.next_attempt_at == until for r in rows)
