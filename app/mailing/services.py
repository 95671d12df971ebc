"""Invitations and reminders: who is invited, what is queued, revocation and re-issue.

This package owns invitation, link and outbox state; other packages call these functions
(and app/mailing/addresses.py for address changes), never edit those rows:
queue_invitations / queue_invitations_report, send_reminders, revoke, reissue, resend_invitation,
cancel_queued, forget_respondents (list replaced), mark_bounced (delivery reports).

Services only flush; the view, CLI command or job owns the commit, so the outbox rows are
written in the same transaction as the state change that causes them.
"""
from collections import defaultdict, namedtuple
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, delete, func, select, update

from app.core import audit, clock
from app.core.bulk import insert_rows
from app.extensions import db
from app.models import (AddressProposal, AuditEntry, Campaign, Group, Invitation, OutboxMessage, Respondent,
                        RespondentList, RespondentTarget, Unit, utcnow)
from app.models.counters import counted_in_batch

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
        self.now = utcnow()  # one time stamp for the batch

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
        mail = compiled.render(respondent.full_name, links, self.deadline, not_me_url=links[0].url + "/khong-phai-toi")
        return {"campaign_id": self.campaign.id, "mailbox_id": mailbox_id, "respondent_id": respondent.id,
                "invitation_ids": [i[0] for i in invitations], "kind": self.kind, "to_addr": respondent.email,
                "subject": mail.subject[:500], "body_text": mail.text, "body_html": mail.html, "status": "queued",
                "attempts": 0, "next_attempt_at": self.now, "created_at": self.now}


OUTBOX_COLUMNS = ("campaign_id", "mailbox_id", "respondent_id", "invitation_ids", "kind", "to_addr", "subject",
                  "body_text", "body_html", "status", "attempts", "next_attempt_at", "created_at")


def _insert_outbox(rows) -> None:
    """Write outbox rows (dicts, rendered as they are written: 100 000 mails are not all held in
    memory at once). COPY on PostgreSQL, one executemany on SQLite (app/core/bulk.py)."""
    insert_rows(OutboxMessage.__table__, OUTBOX_COLUMNS, (tuple(r[c] for c in OUTBOX_COLUMNS) for r in rows))


def _set_invitations(ids: list[int], **values) -> None:
    """Update invitations by id in chunks, each counted as one delta (app/models/counters.py)."""
    conn = db.session.connection()
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i:i + CHUNK]
        with counted_in_batch(conn, "invitations", "id IN :ids", ids=chunk):
            db.session.execute(update(Invitation).where(Invitation.id.in_(chunk)).values(**values))


def _mailable():
    return (Respondent.email.is_not(None), Respondent.email_status == "ok")


def create_invitations(campaign: Campaign) -> int:
    """One invitation per (approved respondent, assessed unit, questionnaire); returns how many are new."""
    return _create_invitations(campaign, queue=False)[0]


def _create_invitations(campaign: Campaign, queue: bool) -> tuple[int, list]:
    """Create the missing invitations; with `queue`, those of mailable respondents are written
    already queued (no second pass updating 100 000 rows) and returned as mail rows
    (invitation id, nonce, unit id, *PERSON). Returns (how many were created, mail rows)."""
    approved = select(RespondentList.unit_id).where(RespondentList.campaign_id == campaign.id,
                                                    RespondentList.state == "approved")
    wanted = db.session.execute(
        select(Respondent.id, RespondentTarget.unit_id, Respondent.group_id, Group.questionnaire_code,
               and_(*_mailable()))
        .join(RespondentTarget, RespondentTarget.respondent_id == Respondent.id)
        .join(Group, Group.id == Respondent.group_id)
        .where(Respondent.campaign_id == campaign.id, Respondent.unit_id.in_(approved))).all()
    existing = set(db.session.execute(select(Invitation.respondent_id, Invitation.unit_id, Invitation.questionnaire_code)
                                      .where(Invitation.campaign_id == campaign.id)).all())
    now = utcnow()
    new = [(campaign.id, rid, uid, gid, q, tokens.new_nonce(), "queued" if queue and mailable else "pending", 0, now)
           for rid, uid, gid, q, mailable in wanted if (rid, uid, q) not in existing]
    new.sort(key=lambda row: row[1])  # in respondent order: the foreign-key checks read the index in order
    # COPY on PostgreSQL, one executemany on SQLite; counted as one delta (app/models/counters.py).
    before = db.session.scalar(select(func.max(Invitation.id))) or 0
    with counted_in_batch(db.session.connection(), "invitations", "campaign_id = :c AND id > :before",
                          c=campaign.id, before=before):
        insert_rows(Invitation.__table__, ("campaign_id", "respondent_id", "unit_id", "group_id", "questionnaire_code",
                                           "nonce", "status", "reminder_count", "created_at"), new)
    if not queue:
        return len(new), []
    # Their ids, read back: every id above the old maximum, kept when the nonce is one written here.
    ours = {row[5] for row in new if row[6] == "queued"}
    rows = [row for row in db.session.execute(
        select(Invitation.id, Invitation.nonce, Invitation.unit_id, *PERSON)
        .join(Respondent, Respondent.id == Invitation.respondent_id)
        .where(Invitation.campaign_id == campaign.id, Invitation.id > before, Invitation.status == "queued"))
        if row[1] in ours]
    return len(new), rows


def _pending_rows(campaign: Campaign, where=()) -> list:
    """Mail rows (invitation id, nonce, unit id, *PERSON) of pending invitations to mailable respondents."""
    return db.session.execute(
        select(Invitation.id, Invitation.nonce, Invitation.unit_id, *PERSON)
        .join(Respondent, Respondent.id == Invitation.respondent_id)
        .where(Invitation.campaign_id == campaign.id, Invitation.status == "pending",
               Invitation.answered_on.is_(None), *_mailable(), *where)
        .order_by(Respondent.id, Invitation.id)).all()


def _mail(campaign: Campaign, kind: str, rows: list) -> int:
    """Queue one mail per respondent listing their invitations' links; returns how many mails."""
    by_respondent: dict[int, list] = defaultdict(list)
    people = {}
    for inv_id, nonce, unit_id, *person in sorted(rows, key=lambda r: (r[3], r[0])):  # respondent, invitation
        by_respondent[person[0]].append((inv_id, nonce, unit_id))
        people[person[0]] = Person(*person)
    composer = _Composer(campaign, kind)
    for unit_id in {person.unit_id for person in people.values()}:
        composer.mailbox(unit_id)  # its queries now: the rows are rendered while the COPY runs
    _insert_outbox(composer.outbox_row(people[rid], invs) for rid, invs in by_respondent.items())
    return len(by_respondent)


def _queue_pending(campaign: Campaign, kind: str, where=()) -> tuple[int, int]:
    """Queue one mail per respondent for their pending invitations. Returns (invitations, mails)."""
    rows = _pending_rows(campaign, where)
    mails = _mail(campaign, kind, rows)
    _set_invitations([r[0] for r in rows], status="queued", last_error=None)
    return len(rows), mails


def queue_invitations_report(campaign: Campaign, actor=None) -> dict:
    """Create missing invitations and queue the mails; idempotent (a second run queues nothing)."""
    pending = _pending_rows(campaign)  # created earlier (e.g. for a preview), not mailed yet
    created, fresh = _create_invitations(campaign, queue=True)
    _set_invitations([r[0] for r in pending], status="queued", last_error=None)
    mails = _mail(campaign, "invitation", pending + fresh)
    queued = len(pending) + len(fresh)
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
    units = None if unit is None else [unit]
    return send_reminders_report(campaign, units=units, group=group, actor=actor, now=now)["invitations"]


def send_reminders_report(campaign: Campaign, units: list | None = None, group=None, actor=None,
                          now: datetime | None = None) -> dict:
    """`send_reminders` for the given units (None: all) in one pass, so that a person invited for
    several of them gets one mail, as `previews.reminder_preview` counts. Returns the invitations
    reminded and the mails queued."""
    now = now or utcnow()
    if reminders_quiet(campaign, now):
        return {"invitations": 0, "mails": 0}
    cutoff = now - timedelta(days=campaign.reminder_every_days)
    where = [Invitation.campaign_id == campaign.id, Invitation.status == "sent", Invitation.answered_on.is_(None),
             Invitation.revoked_at.is_(None), Invitation.reminder_count < campaign.reminder_max,
             func.coalesce(Invitation.last_reminder_at, Invitation.sent_at) <= cutoff, *_mailable()]
    if units is not None:
        where.append(Invitation.unit_id.in_([u.id for u in units] or [-1]))
    if group is not None:
        where.append(Invitation.group_id == group.id)
    rows = db.session.execute(
        select(Invitation.id, Invitation.nonce, Invitation.unit_id, *PERSON)
        .join(Respondent, Respondent.id == Invitation.respondent_id).where(*where)
        .order_by(Respondent.id, Invitation.id)).all()
    if not rows:
        return {"invitations": 0, "mails": 0}
    mails = _mail(campaign, "reminder", rows)
    ids = [r[0] for r in rows]
    _set_invitations(ids, reminder_count=Invitation.reminder_count + 1, last_reminder_at=now)
    db.session.flush()
    several = {"units": [u.code for u in units]} if units is not None and len(units) > 1 else {}
    target = units[0].code if units is not None and len(units) == 1 else getattr(group, "code", "")
    audit.record("reminders.queue", actor, campaign.id, target=target, invitations=len(ids), mails=mails, **several)
    return {"invitations": len(ids), "mails": mails}


def reminders_quiet(campaign: Campaign, now: datetime | None = None) -> bool:
    """Inside the quiet hours before the answer deadline: no reminder is sent, by hand or by the scheduler."""
    deadline = clock.end_of_day(campaign.answers_by, campaign)
    return (now or utcnow()) >= deadline - timedelta(hours=campaign.reminder_quiet_hours or 0)


def cancel_queued(invitation_ids: set[int], reason: str) -> int:
    """Queued mails carrying any of these links are not sent (marked failed with the reason); returns how many."""
    ids = set(invitation_ids)
    if not ids:
        return 0
    respondents = select(Invitation.respondent_id).where(Invitation.id.in_(ids))
    n = 0
    for msg in db.session.scalars(select(OutboxMessage).where(OutboxMessage.respondent_id.in_(respondents),
                                                              OutboxMessage.status == "queued")):
        if ids & set(msg.invitation_ids or []):
            msg.status, msg.last_error = "failed", reason
            n += 1
    return n


def forget_respondents(respondent_ids) -> None:
    """Before respondents leave a list: their queued mails are cancelled, sent mails kept without
    the person, and their invitations and address proposals deleted. `respondent_ids`: a subquery."""
    opts = {"synchronize_session": False}
    db.session.execute(update(OutboxMessage).where(OutboxMessage.respondent_id.in_(respondent_ids),
                                                   OutboxMessage.status == "queued")
                       .values(status="failed", last_error="list replaced"), execution_options=opts)
    db.session.execute(update(OutboxMessage).where(OutboxMessage.respondent_id.in_(respondent_ids))
                       .values(respondent_id=None), execution_options=opts)
    db.session.execute(delete(AddressProposal).where(AddressProposal.respondent_id.in_(respondent_ids)),
                       execution_options=opts)
    db.session.execute(delete(Invitation).where(Invitation.respondent_id.in_(respondent_ids)), execution_options=opts)


def revoke(invitation: Invitation, actor=None) -> None:
    """Invalidate every link mailed so far (new nonce); queued mails with the old link are cancelled."""
    if invitation.answered_on is not None:
        raise MailingError(_("Phiếu đã được trả lời; không thể thu hồi đường dẫn."))
    invitation.nonce = tokens.new_nonce()
    invitation.revoked_at = utcnow()
    invitation.status = "pending"
    cancel_queued({invitation.id}, _("Đường dẫn đã được thu hồi."))
    db.session.flush()
    audit.record("invitation.revoke", actor, invitation.campaign_id, target=str(invitation.id))


def reissue(invitations: list[Invitation], actor, action: str) -> int:
    """Revoke the links of these (unanswered) invitations and queue fresh ones; returns how many were queued."""
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
    """Revoke the old link and mail a new one to the same address (secretariat). Returns 1 when queued."""
    campaign = db.session.get(Campaign, invitation.campaign_id)
    if clock.passed(campaign.answers_by, campaign):
        raise MailingError(_("Đã quá hạn trả lời phiếu; không gửi lại thư mời nữa."))
    return reissue([invitation], actor, "invitation.resend")


def mark_bounced(to_addr: str, reason: str, outbox_id: int | None = None) -> int:
    """A delivery report said the address does not exist: the address and its invitations are marked.
    With outbox_id, only that mail (the one the report quotes) is marked."""
    q = select(OutboxMessage).where(OutboxMessage.to_addr == to_addr, OutboxMessage.status == "sent")
    if outbox_id is not None:
        q = select(OutboxMessage).where(OutboxMessage.id == outbox_id, OutboxMessage.status == "sent")
    msgs = db.session.scalars(q).all()
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
    done = []
    for campaign in db.session.scalars(select(Campaign)):
        today = clock.today(campaign, now)  # the local day: a deadline ends at local midnight
        for action, day in (("deadline.lists", campaign.lists_by), ("deadline.answers", campaign.answers_by)):
            if today <= day:
                continue
            seen = db.session.scalar(select(AuditEntry.id).where(AuditEntry.campaign_id == campaign.id,
                                                                 AuditEntry.action == action).limit(1))
            if not seen:
                audit.record(action, None, campaign.id, target=campaign.name, deadline=str(day))
                done.append(f"{action}:{campaign.id}")
        if now >= clock.end_of_day(campaign.answers_by, campaign):
            db.session.execute(update(OutboxMessage).where(
                OutboxMessage.campaign_id == campaign.id, OutboxMessage.kind == "reminder",
                OutboxMessage.status == "queued").values(status="failed", last_error=_("Đã quá hạn trả lời phiếu.")))
    db.session.flush()
    return done


def scheduled_reminders(now: datetime | None = None) -> int:
    """The schedule: every open campaign gets its due reminders (gap and cap make this idempotent)."""
    now = now or utcnow()
    total = 0
    for campaign in db.session.scalars(select(Campaign).where(Campaign.answers_by >= now.date() - timedelta(days=1),
                                                              Campaign.reminders_auto.is_(True))):
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
