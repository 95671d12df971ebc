"""Invitations and reminders: who is invited, what is queued, revocation and corrections.

Services only flush; the view, CLI command or job owns the commit, so the outbox rows are
written in the same transaction as the state change that causes them.
"""
import re
import unicodedata
from collections import defaultdict, namedtuple
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update

from app.core import audit
from app.core.bulk import insert_rows
from app.extensions import db
from app.models import (AuditEntry, Campaign, Group, Invitation, OutboxMessage, Respondent, RespondentList,
                        RespondentTarget, Unit, utcnow)

from . import tokens
from .composer import CompiledTemplate, Link, contact_footer, templates_for
from .mailboxes import mailbox_for_unit
from .outbox import default_sender

CHUNK = 5000
#: The respondent columns a mail needs (rows, not ORM objects: 100 000 of them are queued at once).
PERSON = (Respondent.id, Respondent.unit_id, Respondent.full_name, Respondent.email)
Person = namedtuple("Person", "id unit_id full_name email")


class MailingError(ValueError):
    """A refused mailing request; the message is shown to the user as is."""


def answer_deadline(campaign: Campaign) -> datetime:
    """The end of the answering day (local time), as naive UTC."""
    tz = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "UTC"))
    end = datetime.combine(campaign.answers_by + timedelta(days=1), datetime.min.time(), tz)
    return end.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


class _Composer:
    """Renders the mails of one campaign; caches mailboxes and the link serializer."""

    def __init__(self, campaign: Campaign, kind: str):
        self.campaign, self.kind = campaign, kind
        self.template = templates_for(campaign, kind)
        self.links = tokens.LinkMaker()
        self.deadline = campaign.answers_by.strftime("%d/%m/%Y")
        self.units = dict(db.session.execute(select(Unit.id, Unit.name).where(Unit.campaign_id == campaign.id)).all())
        self.unit_codes = dict(db.session.execute(select(Unit.id, Unit.code).where(Unit.campaign_id == campaign.id)).all())
        self._boxes: dict[int, tuple] = {}
        self._compiled: dict[str, CompiledTemplate] = {}

    def mailbox(self, unit_id: int) -> tuple:
        """(mailbox_id or None, footer) for mail sent on behalf of a unit."""
        if unit_id not in self._boxes:
            box = mailbox_for_unit(self.unit_codes[unit_id])
            if box is not None:
                name, addr = box.sender_name or self.units[unit_id], box.reply_to or box.sender
            else:
                sender, sender_name, reply_to = default_sender()
                name, addr = sender_name, reply_to or sender
            footer = contact_footer(self.campaign, name, addr)
            if footer not in self._compiled:
                self._compiled[footer] = CompiledTemplate(self.template, footer)
            self._boxes[unit_id] = (box.id if box else None, self._compiled[footer])
        return self._boxes[unit_id]

    def url(self, invitation_id: int, nonce: str) -> str:
        return self.links.url(invitation_id, nonce)

    def outbox_row(self, respondent, invitations: list) -> dict:
        """One mail per respondent listing each assessed unit's link. invitations: (id, nonce, unit_id)."""
        links = [Link(self.units[unit_id], self.url(inv_id, nonce)) for inv_id, nonce, unit_id in invitations]
        mailbox_id, compiled = self.mailbox(respondent.unit_id)
        mail = compiled.render(respondent.full_name, links, self.deadline)
        return {"campaign_id": self.campaign.id, "mailbox_id": mailbox_id, "respondent_id": respondent.id,
                "invitation_ids": [i[0] for i in invitations], "kind": self.kind, "to_addr": respondent.email,
                "subject": mail.subject[:500], "body_text": mail.text, "body_html": mail.html, "status": "queued",
                "attempts": 0, "next_attempt_at": utcnow(), "created_at": utcnow()}


def _insert_outbox(rows: list[dict]) -> None:
    # COPY on PostgreSQL, one executemany on SQLite (app/core/bulk.py).
    if rows:
        columns = tuple(rows[0])
        insert_rows(OutboxMessage.__table__, columns, (tuple(r[c] for c in columns) for r in rows))


def _set_invitations(ids: list[int], **values) -> None:
    for i in range(0, len(ids), CHUNK):
        db.session.execute(update(Invitation).where(Invitation.id.in_(ids[i:i + CHUNK])).values(**values))


def _mailable():
    return (Respondent.email.is_not(None), Respondent.email_status == "ok")


def create_invitations(campaign: Campaign) -> int:
    """One invitation per (approved respondent, assessed unit, questionnaire); returns how many are new."""
    approved = select(RespondentList.unit_id).where(RespondentList.campaign_id == campaign.id,
                                                    RespondentList.state == "approved")
    wanted = db.session.execute(
        select(Respondent.id, RespondentTarget.unit_id, Respondent.group_id, Group.questionnaire_code)
        .join(RespondentTarget, RespondentTarget.respondent_id == Respondent.id)
        .join(Group, Group.id == Respondent.group_id)
        .where(Respondent.campaign_id == campaign.id, Respondent.unit_id.in_(approved))).all()
    existing = set(db.session.execute(select(Invitation.respondent_id, Invitation.unit_id, Invitation.questionnaire_code)
                                      .where(Invitation.campaign_id == campaign.id)).all())
    now = utcnow()
    new = [(campaign.id, rid, uid, gid, q, tokens.new_nonce(), "pending", 0, now)
           for rid, uid, gid, q in wanted if (rid, uid, q) not in existing]
    # COPY on PostgreSQL, one executemany on SQLite; the counter triggers see one statement.
    insert_rows(Invitation.__table__, ("campaign_id", "respondent_id", "unit_id", "group_id", "questionnaire_code",
                                       "nonce", "status", "reminder_count", "created_at"), new)
    return len(new)


def _queue_pending(campaign: Campaign, kind: str, where=()) -> tuple[int, int]:
    """Queue one mail per respondent for their pending invitations. Returns (invitations, mails)."""
    rows = db.session.execute(
        select(Invitation.id, Invitation.nonce, Invitation.unit_id, *PERSON)
        .join(Respondent, Respondent.id == Invitation.respondent_id)
        .where(Invitation.campaign_id == campaign.id, Invitation.status == "pending",
               Invitation.answered_on.is_(None), *_mailable(), *where)
        .order_by(Respondent.id, Invitation.id)).all()
    by_respondent: dict[int, list] = defaultdict(list)
    people = {}
    for inv_id, nonce, unit_id, *person in rows:
        by_respondent[person[0]].append((inv_id, nonce, unit_id))
        people[person[0]] = Person(*person)
    composer = _Composer(campaign, kind)
    _insert_outbox([composer.outbox_row(people[rid], invs) for rid, invs in by_respondent.items()])
    _set_invitations([r[0] for r in rows], status="queued", last_error=None)
    return len(rows), len(by_respondent)


def queue_invitations_report(campaign: Campaign, actor=None) -> dict:
    """Create missing invitations and queue the mails; idempotent (a second run queues nothing)."""
    created = create_invitations(campaign)
    queued, mails = _queue_pending(campaign, "invitation")
    db.session.flush()
    audit.record("invitations.queue", actor, campaign.id, target=campaign.name, created=created, queued=queued,
                 mails=mails)
    return {"created": created, "queued": queued, "mails": mails}


def queue_invitations(campaign: Campaign, actor=None) -> int:
    """Queue invitations for approved respondents; returns how many invitations were queued."""
    return queue_invitations_report(campaign, actor)["queued"]


def send_reminders(campaign: Campaign, unit=None, group=None, actor=None, now: datetime | None = None) -> int:
    """Queue reminders to invitations not answered, not failed/bounced, not revoked, under the cap,
    past the gap since the last mail, and not in the quiet hours before the deadline.
    Returns how many invitations were reminded (one mail per respondent)."""
    now = now or utcnow()
    deadline = answer_deadline(campaign)
    if now >= deadline - timedelta(hours=campaign.reminder_quiet_hours or 0):
        return 0
    cutoff = now - timedelta(days=campaign.reminder_every_days)
    where = [Invitation.campaign_id == campaign.id, Invitation.status == "sent", Invitation.answered_on.is_(None),
             Invitation.revoked_at.is_(None), Invitation.reminder_count < campaign.reminder_max,
             func.coalesce(Invitation.last_reminder_at, Invitation.sent_at) <= cutoff, *_mailable()]
    if unit is not None:
        where.append(Invitation.unit_id == unit.id)
    if group is not None:
        where.append(Invitation.group_id == group.id)
    rows = db.session.execute(
        select(Invitation.id, Invitation.nonce, Invitation.unit_id, *PERSON)
        .join(Respondent, Respondent.id == Invitation.respondent_id).where(*where)
        .order_by(Respondent.id, Invitation.id)).all()
    if not rows:
        return 0
    by_respondent: dict[int, list] = defaultdict(list)
    people = {}
    for inv_id, nonce, unit_id, *person in rows:
        by_respondent[person[0]].append((inv_id, nonce, unit_id))
        people[person[0]] = Person(*person)
    composer = _Composer(campaign, "reminder")
    _insert_outbox([composer.outbox_row(people[rid], invs) for rid, invs in by_respondent.items()])
    ids = [r[0] for r in rows]
    for i in range(0, len(ids), CHUNK):
        db.session.execute(update(Invitation).where(Invitation.id.in_(ids[i:i + CHUNK]))
                           .values(reminder_count=Invitation.reminder_count + 1, last_reminder_at=now))
    db.session.flush()
    audit.record("reminders.queue", actor, campaign.id, target=getattr(unit, "code", "") or getattr(group, "code", ""),
                 invitations=len(ids), mails=len(by_respondent))
    return len(ids)


def _cancel_queued(respondent_id: int, invitation_ids: set[int], reason: str) -> None:
    """Queued mails still carrying a revoked link are not sent."""
    for msg in db.session.scalars(select(OutboxMessage).where(OutboxMessage.respondent_id == respondent_id,
                                                              OutboxMessage.status == "queued")):
        if invitation_ids & set(msg.invitation_ids or []):
            msg.status, msg.last_error = "failed", reason


def revoke(invitation: Invitation, actor=None) -> None:
    """Invalidate every link mailed so far (new nonce); queued mails with the old link are cancelled."""
    if invitation.answered_on is not None:
        raise MailingError(_("Phiếu đã được trả lời; không thể thu hồi đường dẫn."))
    invitation.nonce = tokens.new_nonce()
    invitation.revoked_at = utcnow()
    invitation.status = "pending"
    _cancel_queued(invitation.respondent_id, {invitation.id}, _("Đường dẫn đã được thu hồi."))
    db.session.flush()
    audit.record("invitation.revoke", actor, invitation.campaign_id, target=str(invitation.id))


def _reissue(invitations: list[Invitation], actor, action: str) -> int:
    for inv in invitations:
        revoke(inv, actor)
        inv.revoked_at, inv.last_error = None, None
        inv.reminder_count, inv.last_reminder_at = 0, None
    db.session.flush()
    if not invitations:
        return 0
    campaign = db.session.get(Campaign, invitations[0].campaign_id)
    queued, _mails = _queue_pending(campaign, "invitation",
                                    (Invitation.id.in_([inv.id for inv in invitations]),))
    audit.record(action, actor, campaign.id, target=",".join(str(inv.id) for inv in invitations), queued=queued)
    return queued


def resend_invitation(invitation: Invitation, actor=None) -> int:
    """Revoke the old link and mail a new one (secretariat). Returns 1 when a mail was queued."""
    return _reissue([invitation], actor, "invitation.resend")


EMAIL = re.compile(r"^[^@\s<>(),;:\"\[\]]+@[^@\s<>(),;:\"\[\]]+\.[^@\s<>(),;:\"\[\]]+$")


def normalise_email(value: str) -> str:
    """NFC, trimmed, domain in lower case (IDNA-checked); a Vietnamese local part is kept."""
    value = unicodedata.normalize("NFC", (value or "").strip())
    if not EMAIL.match(value) or len(value) > 254:
        raise MailingError(_("Địa chỉ thư điện tử '%(value)s' không hợp lệ.", value=value))
    local, _at, domain = value.rpartition("@")
    try:
        domain.encode("idna")
    except UnicodeError:
        raise MailingError(_("Tên miền của địa chỉ '%(value)s' không hợp lệ.", value=value)) from None
    return f"{local}@{domain.lower()}"


def correct_email(respondent: Respondent, new_email: str, actor) -> int:
    """The focal unit fixes a failed/bounced address: the invitations are re-issued with new links.
    Returns the number of invitations queued again."""
    unit_code = db.session.scalar(select(Unit.code).where(Unit.id == respondent.unit_id))
    if actor is not None and not actor.can_see_unit(unit_code):
        raise MailingError(_("Bạn không phụ trách đơn vị của người này."))
    email = normalise_email(new_email)
    clash = db.session.scalar(select(Respondent.id).where(Respondent.campaign_id == respondent.campaign_id,
                                                          Respondent.email == email, Respondent.id != respondent.id))
    if clash:
        raise MailingError(_("Địa chỉ %(email)s đã có trong danh sách của kỳ đánh giá.", email=email))
    before = respondent.email
    respondent.email, respondent.email_status, respondent.email_error = email, "ok", None
    db.session.flush()
    audit.record("respondent.email", actor, respondent.campaign_id, target=str(respondent.id), before=before, after=email)
    invitations = list(db.session.scalars(select(Invitation).where(Invitation.respondent_id == respondent.id,
                                                                  Invitation.answered_on.is_(None))))
    return _reissue(invitations, actor, "invitation.reissue")


def mark_bounced(to_addr: str, reason: str) -> int:
    """A delivery report said the address does not exist: the address and its invitations are marked."""
    msgs = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_addr == to_addr,
                                                          OutboxMessage.status == "sent")).all()
    for msg in msgs:
        msg.status, msg.last_error = "bounced", reason
        db.session.execute(update(Invitation).where(Invitation.id.in_(msg.invitation_ids or []),
                                                    Invitation.answered_on.is_(None))
                           .values(status="bounced", last_error=reason))
        if msg.respondent_id:
            db.session.execute(update(Respondent).where(Respondent.id == msg.respondent_id)
                               .values(email_status="bounced", email_error=reason))
    db.session.flush()
    return len(msgs)


def check_deadlines(now: datetime | None = None) -> list[str]:
    """Record, once, that a campaign's list or answering deadline passed; stop queued reminders after it.

    The locks themselves are date checks in the services (Campaign.lists_by / answers_by)."""
    now = now or utcnow()
    today = now.date()
    done = []
    for campaign in db.session.scalars(select(Campaign)):
        for action, day in (("deadline.lists", campaign.lists_by), ("deadline.answers", campaign.answers_by)):
            if today <= day:
                continue
            seen = db.session.scalar(select(AuditEntry.id).where(AuditEntry.campaign_id == campaign.id,
                                                                 AuditEntry.action == action).limit(1))
            if not seen:
                audit.record(action, None, campaign.id, target=campaign.name, deadline=str(day))
                done.append(f"{action}:{campaign.id}")
        if now >= answer_deadline(campaign):
            db.session.execute(update(OutboxMessage).where(
                OutboxMessage.campaign_id == campaign.id, OutboxMessage.kind == "reminder",
                OutboxMessage.status == "queued").values(status="failed", last_error=_("Đã quá hạn trả lời phiếu.")))
    db.session.flush()
    return done


def scheduled_reminders(now: datetime | None = None) -> int:
    """The schedule: every open campaign gets its due reminders (gap and cap make this idempotent)."""
    now = now or utcnow()
    total = 0
    for campaign in db.session.scalars(select(Campaign).where(Campaign.answers_by >= now.date() - timedelta(days=1))):
        total += send_reminders(campaign, now=now)
    return total


def status_counts(campaign: Campaign) -> dict:
    """Invitations by status, answered, reminders sent, and mails still in the outbox."""
    counts = dict(db.session.execute(select(Invitation.status, func.count()).where(
        Invitation.campaign_id == campaign.id).group_by(Invitation.status)).all())
    answered = db.session.scalar(select(func.count()).where(Invitation.campaign_id == campaign.id,
                                                            Invitation.answered_on.is_not(None)))
    reminders = db.session.scalar(select(func.coalesce(func.sum(Invitation.reminder_count), 0))
                                  .where(Invitation.campaign_id == campaign.id))
    outbox = dict(db.session.execute(select(OutboxMessage.status, func.count()).where(
        OutboxMessage.campaign_id == campaign.id).group_by(OutboxMessage.status)).all())
    return {"invitations": {s: counts.get(s, 0) for s in ("pending", "queued", "sent", "failed", "bounced")},
            "total": sum(counts.values()), "answered": answered, "reminders": int(reminders or 0), "outbox": outbox}


def problem_addresses(campaign: Campaign, unit_codes: set[str] | None = None, limit: int = 500) -> list:
    """Respondents whose address failed or bounced, with the server's reply (no answers shown)."""
    q = (select(Respondent, Unit.code).join(Unit, Unit.id == Respondent.unit_id)
         .where(Respondent.campaign_id == campaign.id, or_(Respondent.email_status != "ok"))
         .order_by(Unit.code, Respondent.full_name).limit(limit))
    if unit_codes is not None:
        q = q.where(Unit.code.in_(unit_codes))
    return db.session.execute(q).all()
