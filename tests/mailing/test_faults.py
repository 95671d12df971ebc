"""Retries, failure states, a wrong password, Vietnamese addresses, and a worker that dies mid-batch."""
from datetime import timedelta

import pytest

from app.extensions import db
from app.mailing import claims, outbox
from app.mailing.outbox import drain, drain_once
from app.mailing.services import queue_invitations
from app.models import Invitation, Mailbox, OutboxMessage, Respondent, utcnow


def _queue(campaign, make_respondents, n=1, **kw):
    people = make_respondents(campaign, "SO_TP", n, **kw)
    queue_invitations(campaign)
    db.session.commit()
    return people


def test_4xx_then_2xx_is_retried_with_backoff(app, make_campaign, make_respondents, smtp_server, use_mailbox):
    server = smtp_server()
    use_mailbox(server.url())
    campaign = make_campaign()
    _queue(campaign, make_respondents)
    server.handler.fail_next.append("451 4.3.0 Thử lại sau")
    first = drain_once()
    assert (first.sent, first.retried) == (0, 1)
    row = db.session.scalar(db.select(OutboxMessage))
    assert row.status == "queued" and row.attempts == 1 and row.smtp_code == 451 and "451" in row.last_error
    assert row.next_attempt_at >= utcnow() + timedelta(seconds=50)
    assert drain_once().sent == 0  # not due yet
    second = drain_once(now=row.next_attempt_at + timedelta(seconds=1))
    assert second.sent == 1 and len(server.messages) == 1
    db.session.expire_all()
    assert db.session.scalar(db.select(Invitation.status)) == "sent"


def test_5xx_fails_permanently_with_the_reply_and_marks_the_address(app, make_campaign, make_respondents, smtp_server,
                                                                   use_mailbox):
    server = smtp_server()
    use_mailbox(server.url())
    campaign = make_campaign()
    bad, good = _queue(campaign, make_respondents, 2)
    server.handler.refuse_rcpt[bad.email] = "550 5.1.1 Hộp thư không tồn tại"
    result = drain()
    assert (result.sent, result.failed) == (1, 1)
    db.session.expire_all()
    failed = db.session.scalar(db.select(OutboxMessage).where(OutboxMessage.to_addr == bad.email))
    assert failed.status == "failed" and failed.smtp_code == 550 and "không tồn tại" in failed.last_error
    inv = db.session.scalar(db.select(Invitation).where(Invitation.respondent_id == bad.id))
    assert inv.status == "failed" and "550" in inv.last_error
    assert db.session.get(Respondent, bad.id).email_status == "failed"
    assert len(server.handler.to(good.email)) == 1


def test_temporary_failures_give_up_after_the_last_attempt(app, make_campaign, make_respondents, smtp_server,
                                                           use_mailbox):
    server = smtp_server()
    use_mailbox(server.url())
    campaign = make_campaign()
    _queue(campaign, make_respondents)
    server.handler.fail_next.extend(["421 4.7.0 bận"] * outbox.MAX_ATTEMPTS)
    now = utcnow()
    for _ in range(outbox.MAX_ATTEMPTS):
        drain_once(now=now)
        now += outbox.BACKOFF_MAX + timedelta(minutes=1)
    row = db.session.scalar(db.select(OutboxMessage))
    db.session.refresh(row)
    assert row.status == "failed" and row.attempts == outbox.MAX_ATTEMPTS and "421" in row.last_error


def test_server_down_is_retried_not_lost(app, make_campaign, make_respondents, smtp_server, use_mailbox):
    server = smtp_server()
    use_mailbox(server.url())
    server.controller.stop()
    campaign = make_campaign()
    _queue(campaign, make_respondents, 2)
    result = drain_once()
    assert result.retried == 2 and result.sent == 0 and result.errors
    rows = db.session.scalars(db.select(OutboxMessage)).all()
    assert {r.status for r in rows} == {"queued"} and all("Không kết nối được" in r.last_error for r in rows)


def test_wrong_password_pauses_the_mailbox_and_shows_the_error(app, make_campaign, make_respondents, smtp_server,
                                                               use_mailbox):
    server = smtp_server(login=("hopthu", "dung-mat-khau"))
    campaign = make_campaign()
    box = use_mailbox(server.url(login="hopthu", password="sai-mat-khau"), unit_code="SO_TP")
    _queue(campaign, make_respondents, 2)
    result = drain_once()
    assert result.sent == 0 and result.failed == 0 and "từ chối đăng nhập" in result.errors[0]
    db.session.expire_all()
    box = db.session.get(Mailbox, box.id)
    assert "từ chối đăng nhập" in box.last_error and box.paused_until > utcnow()
    rows = db.session.scalars(db.select(OutboxMessage)).all()
    assert all(r.status == "queued" and r.attempts == 0 for r in rows)
    assert drain_once().sent == 0  # paused: no crash loop against the server
    # The secretariat fixes the password: sending resumes and the error clears.
    use_mailbox(server.url(login="hopthu", password="dung-mat-khau"), unit_code="SO_TP")
    assert drain_once(now=utcnow() + outbox.PAUSE_ON_MAILBOX_PROBLEM + timedelta(seconds=1)).sent == 2
    assert len(server.messages) == 2


@pytest.mark.parametrize("smtputf8", [True, False])
def test_vietnamese_local_part(app, make_campaign, make_respondents, smtp_server, use_mailbox, smtputf8):
    server = smtp_server(smtputf8=smtputf8)
    use_mailbox(server.url())
    campaign = make_campaign()
    person, = _queue(campaign, make_respondents, emails=["nguyễn.văn.an@sotp.gov.vn"])
    result = drain()
    row = db.session.scalar(db.select(OutboxMessage))
    db.session.refresh(row)
    if smtputf8:
        assert result.sent == 1
        received, = server.messages
        assert received.smtputf8 and received.rcpt_tos == ["nguyễn.văn.an@sotp.gov.vn"]
        assert received.message["To"] == "nguyễn.văn.an@sotp.gov.vn"
    else:
        assert result.failed == 1 and row.status == "failed" and "SMTPUTF8" in row.last_error
        assert server.messages == []


def test_killed_worker_only_the_message_in_flight_goes_twice(app, make_campaign, make_respondents, smtp_server,
                                                             use_mailbox):
    server = smtp_server()
    use_mailbox(server.url())
    campaign = make_campaign()
    people = _queue(campaign, make_respondents, 10)

    class Died(BaseException):
        pass

    seen = []

    def die_after_fourth(row_id):
        seen.append(row_id)
        if len(seen) == 4:
            raise Died  # the server accepted #4; the status write never happens

    with pytest.raises(Died):
        drain_once(batch=10, after_accept=die_after_fourth)
    db.session.rollback()
    statuses = db.session.execute(db.select(OutboxMessage.status, db.func.count()).group_by(OutboxMessage.status)).all()
    assert dict(statuses) == {"sent": 3, "sending": 7}
    assert drain_once().sent == 0  # another worker does not touch rows within the lease
    later = utcnow() + claims.LEASE + timedelta(seconds=1)
    result = drain_once(now=later)
    assert result.reclaimed == 7 and result.sent == 7
    counts = sorted(len(server.handler.to(p.email)) for p in people)
    assert counts == [1] * 9 + [2]  # exactly once, except the one in flight
    assert db.session.scalar(db.select(db.func.count()).where(OutboxMessage.status == "sent")) == 10


def test_rate_limit_per_mailbox(app, make_campaign, make_respondents, smtp_server, use_mailbox):
    server = smtp_server()
    use_mailbox(server.url(rate=3, daily_cap=5))
    campaign = make_campaign()
    _queue(campaign, make_respondents, 7)
    now = utcnow()
    first = drain_once(now=now)
    assert first.sent == 3 and first.rate_limited is False
    blocked = drain_once(now=now)
    assert blocked.sent == 0 and blocked.rate_limited
    second = drain_once(now=now + timedelta(seconds=61))
    assert second.sent == 2  # the daily cap (5) stops it before the rate does
    assert drain_once(now=now + timedelta(seconds=200)).sent == 0
    assert len(server.messages) == 5


def test_concurrent_workers_send_each_message_once(app, make_campaign, make_respondents, smtp_server, use_mailbox):
    """Several workers over one PostgreSQL claim with SKIP LOCKED (SQLite: the lock file allows one)."""
    import threading

    if db.engine.dialect.name != "postgresql":
        pytest.skip("concurrent workers need PostgreSQL")
    server = smtp_server()
    use_mailbox(server.url())
    campaign = make_campaign()
    people = _queue(campaign, make_respondents, 60)
    results = []

    def work():
        with app.app_context():
            results.append(drain_once(batch=7).sent + drain(batch=7).sent)
            db.session.remove()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sum(results) == 60
    assert sorted(len(server.handler.to(p.email)) for p in people) == [1] * 60
