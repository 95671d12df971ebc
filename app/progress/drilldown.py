"""One unit's respondents with the state of their invitation — status only, never answers.

For the secretariat only (admin, coordinator): the assessed unit must not see who has opened or
answered (issue 12); its pages show counts and its own failed addresses (mailing.addresses).
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from app.core.paging import Page, matches, paginate, search_text
from app.extensions import db
from app.models import Campaign, Invitation, Respondent, RespondentTarget, Unit

STATE_LABELS = {
    "answered": _l("Đã trả lời"),
    "opened": _l("Đã mở"),
    "failed": _l("Gửi lỗi"),
    "bounced": _l("Bị trả lại"),
    "sent": _l("Đã gửi"),
    "queued": _l("Đang chờ gửi"),
    "pending": _l("Chưa gửi"),
    "revoked": _l("Đã thu hồi"),
    "not_invited": _l("Chưa mời"),
}
STATE_BADGES = {"answered": "ok", "opened": "ok", "failed": "err", "bounced": "err", "sent": "",
                "queued": "warn", "pending": "warn", "revoked": "", "not_invited": "warn"}


@dataclass
class RespondentStatus:
    respondent: Respondent
    invitation: Invitation | None
    state: str

    @property
    def label(self):
        return STATE_LABELS[self.state]

    @property
    def badge(self) -> str:
        return STATE_BADGES[self.state]

    @property
    def reason(self) -> str | None:
        """Why the mail failed: the invitation's error, else the address's."""
        if self.state in ("failed", "bounced"):
            return (self.invitation.last_error if self.invitation else None) or self.respondent.email_error
        return None


def state_of(invitation: Invitation | None) -> str:
    """The most advanced state: answered > opened > failed/bounced > sent > queued > pending."""
    if invitation is None:
        return "not_invited"
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.answered_on is not None:
        return "answered"
    if invitation.opened_on is not None:
        return "opened"
    return invitation.status


def unit_statuses(campaign: Campaign, unit: Unit, group_id: int | None = None) -> list[RespondentStatus]:
    """Everyone invited to assess `unit`, and everyone on its list (or assessing it) not invited yet."""
    invitations = db.session.scalars(
        select(Invitation).options(joinedload(Invitation.respondent).joinedload(Respondent.group))
        .where(Invitation.campaign_id == campaign.id, Invitation.unit_id == unit.id)
        .where(*([Invitation.group_id == group_id] if group_id else []))).all()
    invited = {i.respondent_id for i in invitations}
    targets = select(RespondentTarget.respondent_id).where(RespondentTarget.unit_id == unit.id)
    others = db.session.scalars(
        select(Respondent).options(joinedload(Respondent.group))
        .where(Respondent.campaign_id == campaign.id,
               or_(Respondent.unit_id == unit.id, Respondent.id.in_(targets)))
        .where(*([Respondent.group_id == group_id] if group_id else []))).all()
    rows = [RespondentStatus(i.respondent, i, state_of(i)) for i in invitations]
    rows += [RespondentStatus(r, None, "not_invited") for r in others if r.id not in invited]
    rows.sort(key=lambda s: (s.respondent.group.priority, s.respondent.full_name.lower(), s.respondent.id))
    return rows


#: The drill-down's state filter: "not answered" is every state but answered (and revoked links).
NOT_ANSWERED = "unanswered"


@dataclass
class Listing:
    page: Page
    state: str
    search: str
    shown: int  #: rows matching the filter and the search, before paging


def drill_down(rows: list[RespondentStatus], args) -> Listing:
    """Filter by state ("unanswered" or one state), search by name, and page the unit's respondents."""
    state = (args.get("state") or "").strip()
    if state != NOT_ANSWERED and state not in STATE_LABELS:
        state = ""
    needle = search_text(args.get("q"))
    kept = [s for s in rows
            if (not state or (s.state not in ("answered", "revoked") if state == NOT_ANSWERED else s.state == state))
            and matches(needle, s.respondent.full_name)]
    return Listing(paginate(kept, args.get("page")), state, (args.get("q") or "").strip(), len(kept))
