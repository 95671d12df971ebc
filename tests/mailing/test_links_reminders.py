"""Signed links (resolve_link), reminders with cap/gap/quiet hours, deadlines, corrections."""
from datetime import date, datetime, timedelta

import pytest
from itsdangerous import URLSafeSerializer

from app.extensions import db
from app.mailing import tokens
from app.mailing.outbox import drain
from app.core import clock
from app.mailing.services import (MailingError, check_deadlines, correct_email, queue_invitations,
                                  resend_invitation, send_reminders)
from app.models import AuditEntry, Invitation, OutboxMessage, Respondent, utcnow


@pytest.fixture
def invited(app, make_campaign, make_respondents):
    """A campaign with 3 invited respondents of SO_TP (development backend), all sent."""
    campaign = make_campaign()
    people = make_respondents(campaign, "SO_TP", 3)
    queue_invitations(campaign)
    db.session.commit()
    assert drain().sent == 3
    return campaign, people


def _inv(person):
    return db.session.scalar(db.select(Invitation).where(Invitation.respondent_id == person.id))


def test_resolve_link_reasons(invited):
    campaign, people = invited
    inv = _inv(people[0])
    token = tokens.make_token(inv)
    assert tokens.resolve_link(token) == (inv, None)
    assert tokens.survey_url(inv) == f"http://127.0.0.1:5000/s/{token}"
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    forged = URLSafeSerializer("another-key", salt=tokens.SALT).dumps([inv.id, inv.nonce])
    other_purpose = URLSafeSerializer(app_key := "test-secret", salt="password-reset").dumps([inv.id, inv.nonce])
    unknown = URLSafeSerializer(app_key, salt=tokens.SALT).dumps([999999, inv.nonce])
    for bad in (tampered, token[: len(token) // 2], forged, other_purpose, unknown, "", "x.y.z"):
        assert tokens.resolve_link(bad) == (None, "invalid")
    assert tokens.resolve_link(token, today=campaign.answers_by) == (inv, None)
    assert tokens.resolve_link(token, today=campaign.answers_by + timedelta(days=1)) == (None, "expired")
    inv.answered_on = date.today()
    assert tokens.resolve_link(token) == (None, "answered")
    other = _inv(people[1])
    old = tokens.make_token(other)
    resend_invitation(other)
    db.session.commit()
    assert tokens.resolve_link(old) == (None, "revoked")
    assert tokens.resolve_link(tokens.make_token(other)) == (other, None)


def test_reminders_only_to_non_answerers_with_gap_and_cap(invited):
    campaign, people = invited
    campaign.reminder_every_days, campaign.reminder_max, campaign.reminder_quiet_hours = 3, 2, 24
    _inv(people[0]).answered_on = date.today()
    db.session.commit()
    now = utcnow()
    assert send_reminders(campaign, now=now) == 0  # the gap since the invitation is not over
    assert send_reminders(campaign, now=now + timedelta(days=3, minutes=1)) == 2
    assert send_reminders(campaign, now=now + timedelta(days=4)) == 0  # gap again
    assert send_reminders(campaign, now=now + timedelta(days=6, minutes=2)) == 2
    assert send_reminders(campaign, now=now + timedelta(days=12)) == 0  # cap of 2 reached
    db.session.commit()
    drain()
    reminders = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.kind == "reminder")).all()
    assert len(reminders) == 4 and all(m.status == "sent" for m in reminders)
    assert {m.respondent_id for m in reminders} == {people[1].id, people[2].id}
    assert reminders[0].subject.startswith("Nhắc nhở:")
    assert [_inv(p).reminder_count for p in people] == [0, 2, 2]


def test_no_reminders_in_the_quiet_hours_or_after_the_deadline_nor_to_failed(invited):
    campaign, people = invited
    campaign.reminder_every_days = 1
    _inv(people[0]).status = "failed"
    db.session.commit()
    deadline = clock.end_of_day(campaign.answers_by, campaign)
    assert send_reminders(campaign, now=deadline - timedelta(hours=campaign.reminder_quiet_hours - 1)) == 0
    assert send_reminders(campaign, now=deadline + timedelta(hours=1)) == 0
    assert send_reminders(campaign, now=deadline - timedelta(hours=campaign.reminder_quiet_hours + 1)) == 2


def test_reminders_for_one_unit_or_group(app, make_campaign, make_respondents):
    campaign = make_campaign()
    make_respondents(campaign, "SO_TP", 2)
    make_respondents(campaign, "SO_NV", 1, group="LD_PHONG")
    queue_invitations(campaign)
    db.session.commit()
    drain()
    later = utcnow() + timedelta(days=4)
    so_nv = next(u for u in campaign.units if u.code == "SO_NV")
    assert send_reminders(campaign, unit=so_nv, now=later) == 1
    ld_so = next(g for g in campaign.groups if g.code == "LD_SO")
    assert send_reminders(campaign, group=ld_so, now=later) == 2


def test_deadline_job_records_once_and_stops_queued_reminders(invited):
    campaign, people = invited
    campaign.reminder_every_days = 1
    db.session.commit()
    send_reminders(campaign, now=utcnow() + timedelta(days=1, minutes=1))
    db.session.commit()
    after = datetime.combine(campaign.answers_by + timedelta(days=2), datetime.min.time())
    done = check_deadlines(now=after)
    db.session.commit()
    assert sorted(done) == [f"deadline.answers:{campaign.id}", f"deadline.lists:{campaign.id}"]
    assert check_deadlines(now=after) == []
    actions = db.session.scalars(db.select(AuditEntry.action).where(AuditEntry.action.like("deadline.%"))).all()
    assert sorted(actions) == ["deadline.answers", "deadline.lists"]
    queued = db.session.scalars(db.select(OutboxMessage.status).where(OutboxMessage.kind == "reminder")).all()
    assert queued and set(queued) == {"failed"}
    assert send_reminders(campaign, now=after) == 0


def test_correct_email_reissues_with_a_new_link(app, make_campaign, make_respondents, smtp_server, use_mailbox,
                                                make_user):
    server = smtp_server()
    use_mailbox(server.url())
    campaign = make_campaign()
    person, = make_respondents(campaign, "SO_TP", 1, emails=["sai@sotp.gov.vn"])
    server.handler.refuse_rcpt["sai@sotp.gov.vn"] = "550 5.1.1 Không có hộp thư này"
    queue_invitations(campaign)
    db.session.commit()
    drain()
    old_token = tokens.make_token(_inv(person))
    focal_other = make_user("focal", units=["SO_NV"])
    with pytest.raises(MailingError):
        correct_email(person, "dung@sotp.gov.vn", focal_other)
    with pytest.raises(MailingError):
        correct_email(person, "khong-phai-dia-chi", make_user("focal", units=["SO_TP"]))
    db.session.rollback()
    focal = db.session.scalar(db.select(type(focal_other)).where(type(focal_other).email.like("focal%"))
                              .order_by(type(focal_other).id.desc()))
    assert correct_email(person, "  Dung@SOTP.gov.vn ", focal) == 1
    db.session.commit()
    drain()
    person = db.session.get(Respondent, person.id)
    assert person.email == "Dung@sotp.gov.vn" and person.email_status == "ok"
    assert tokens.resolve_link(old_token) == (None, "revoked")
    received, = server.handler.to("Dung@sotp.gov.vn")
    import re
    new_token = re.search(r"/s/(\S+)", received.message.get_body(("plain",)).get_content()).group(1)
    assert tokens.resolve_link(new_token)[1] is None
    assert _inv(person).status == "sent"


def test_fast_link_maker_makes_tokens_itsdangerous_reads(invited):
    campaign, people = invited
    inv = _inv(people[0])
    fast = tokens.LinkMaker().token(inv.id, inv.nonce)
    assert tokens.read_token(fast) == (inv.id, inv.nonce)
    assert fast == tokens.make_token(inv)
