"""What a click would queue, before it is clicked (the confirmations of issue 14).

Reminders: the same rules as `send_reminders` (not answered, delivered, under the cap, past the
gap, outside the quiet hours), counted. Invitations: what `queue_invitations_report` would queue,
per unit, computed inside a savepoint that is rolled back."""
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import case, func, select

from app.extensions import db
from app.models import Campaign, Invitation, Respondent, Unit, utcnow

from .services import _mailable, create_invitations, reminders_quiet


@dataclass
class ReminderPreview:
    invitations: int = 0  #: invitations that would be reminded
    mails: int = 0  #: one mail per respondent
    capped: int = 0  #: not answered, but the cap of reminders is reached
    too_soon: int = 0  #: not answered, but the last mail is more recent than the gap
    undeliverable: int = 0  #: not answered, but no working address (failed, bounced, no e-mail, not sent)
    quiet: bool = False  #: inside the quiet hours before the deadline: nothing is sent
    units: list = field(default_factory=list)  #: unit ids that would get reminders


def reminder_preview(campaign: Campaign, unit_ids: list[int] | None = None,
                     now: datetime | None = None) -> ReminderPreview:
    """Counts for the campaign (or the given units) of who would and would not be reminded, and why."""
    now = now or utcnow()
    quiet = reminders_quiet(campaign, now)
    cutoff = now - timedelta(days=campaign.reminder_every_days)
    mailable = (Invitation.status == "sent", *_mailable())
    capped = Invitation.reminder_count >= campaign.reminder_max
    too_soon = func.coalesce(Invitation.last_reminder_at, Invitation.sent_at) > cutoff
    reason = case((~db.and_(*mailable), "undeliverable"), (capped, "capped"), (too_soon, "too_soon"), else_="due")
    where = [Invitation.campaign_id == campaign.id, Invitation.answered_on.is_(None), Invitation.revoked_at.is_(None)]
    if unit_ids is not None:
        where.append(Invitation.unit_id.in_(unit_ids or [-1]))
    rows = db.session.execute(
        select(reason.label("reason"), Invitation.unit_id, func.count(Invitation.id),
               func.count(func.distinct(Invitation.respondent_id)))
        .join(Respondent, Respondent.id == Invitation.respondent_id).where(*where)
        .group_by(reason, Invitation.unit_id)).all()
    out = ReminderPreview(quiet=quiet)
    due_people = set()
    for why, unit_id, n, _people in rows:
        if why == "due" and not quiet:
            out.invitations += n
            out.units.append(unit_id)
        elif why in ("capped", "too_soon", "undeliverable"):
            setattr(out, why, getattr(out, why) + n)
    if out.invitations:
        # The "due" test stays in the select list, not in WHERE: with it in WHERE, SQLite walks every
        # respondent and probes invitations per unit id (0.7 s for 20 000 invitations); this way it
        # reads the campaign's invitations by index, as the query above does.
        due = db.and_(*mailable, ~capped, ~too_soon)
        due_people = db.session.scalar(
            select(func.count(func.distinct(case((due, Invitation.respondent_id))))).join(
                Respondent, Respondent.id == Invitation.respondent_id)
            .where(*where))
    out.mails = int(due_people or 0)
    return out


@dataclass
class InvitationPreview:
    mails: int = 0  #: one mail per respondent
    invitations: int = 0
    units: list = field(default_factory=list)  #: (unit name, invitations, mails), by name


def invitation_preview(campaign: Campaign) -> InvitationPreview:
    """The invitations "send all" would queue now, per assessed unit; nothing is kept."""
    out = InvitationPreview()
    savepoint = db.session.begin_nested()
    try:
        create_invitations(campaign)
        rows = db.session.execute(
            select(Unit.name, func.count(Invitation.id), func.count(func.distinct(Invitation.respondent_id)))
            .join(Unit, Unit.id == Invitation.unit_id).join(Respondent, Respondent.id == Invitation.respondent_id)
            .where(Invitation.campaign_id == campaign.id, Invitation.status == "pending",
                   Invitation.answered_on.is_(None), *_mailable())
            .group_by(Unit.name).order_by(Unit.name)).all()
        out.mails = db.session.scalar(
            select(func.count(func.distinct(Invitation.respondent_id))).join(
                Respondent, Respondent.id == Invitation.respondent_id)
            .where(Invitation.campaign_id == campaign.id, Invitation.status == "pending",
                   Invitation.answered_on.is_(None), *_mailable())) or 0
    finally:
        savepoint.rollback()
    out.units = [tuple(r) for r in rows]
    out.invitations = sum(r[1] for r in rows)
    return out
