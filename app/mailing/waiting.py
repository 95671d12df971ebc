"""The units a respondent is still asked about, derived from one of their own links.

A delegate who assesses several units gets one link per unit; the form and the thank-you page
list the others still open so none is forgotten. Only the invitations of the person the link
belongs to are read, so a link never reveals anything about anyone else.
"""
from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import db
from app.models import Invitation, Unit

from .tokens import make_token


@dataclass(frozen=True)
class WaitingUnit:
    name: str
    token: str


def still_waiting(invitation: Invitation) -> list[WaitingUnit]:
    """The respondent's other open invitations of the same campaign (not answered, not revoked)."""
    rows = db.session.execute(
        select(Invitation, Unit.name).join(Unit, Unit.id == Invitation.unit_id)
        .where(Invitation.respondent_id == invitation.respondent_id, Invitation.campaign_id == invitation.campaign_id,
               Invitation.id != invitation.id, Invitation.answered_on.is_(None), Invitation.revoked_at.is_(None))
        .order_by(Unit.name, Invitation.id)).all()
    return [WaitingUnit(name, make_token(other)) for other, name in rows]
