"""Signed links (through the resolver the app uses), reminders with cap/gap/quiet hours, deadlines."""
from datetime import date, datetime, timedelta

import pytest
from itsdangerous import URLSafeSerializer

from app.extensions import db
from app.mailing import tokens
from app.mailing.outbox import drain
from app.core import clock
from app.mailing.services import check_deadlines, queue_invitations, resend_invitation, send_reminders
from app.models import AuditEntry, Invitation, OutboxMessage, utcnow
from app.survey.services import ANSWERED, CLOSED, INVALID, OPEN, resolve_survey_link


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


def _state(token, today=None):
    link = resolve_survey_link(token, today or date.today())
    return link.state, link.invitation


def test_survey_link_states(invited):
    campaign, people = invited
    inv = _inv(people[0])
    token = tokens.make_token(inv)
    assert _state(token) == (OPEN, inv)
    assert tokens.survey_url(inv) == f"http://127.0.0.1:5000/s/{token}"
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    forged = URLSafeSerializer("another-key", salt=tokens.SALT).dumps([inv.id, inv.nonce])
    other_purpose = URLSafeSerializer(app_key := "test-secret", salt="password-reset").dumps([inv.id, inv.nonce])
    unknown = URLSafeSerializer(app_key, salt=tokens.SALT).dumps([999999, inv.nonce])
    for bad in (tampered, token[: len(token) // 2], forged, other_purpose, unknown, "", "x.y.z"):
        assert _state(bad) == (INVALID, None)
    assert _state(token, campaign.answers_by) == (OPEN, inv)
    assert _state(token, campaign.answers_by + timedelta(days=1))[0] == CLOSED
    inv.answered_on = date.today()
    assert _state(token)[0] == ANSWERED
    other = _inv(people[1])
    old = tokens.make_token(other)
    resend_invitation(other)
    db.session.commit()
    assert _state(old) == (INVALID, None)  # revoked: the same page as a forged link
    assert _state(tokens.make_token(other)) == (OPEN, other)


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


def test_fast_link_maker_makes_tokens_itsdangerous_reads(invited):
    campaign, people = invited
    inv = _inv(people[0])
    fast = tokens.LinkMaker().token(inv.id, inv.nonce)
    assert tokens.read_token(fast) == (inv.id, inv.nonce)
    assert fast == tokens.make_token(inv)
