"""The lookups every view and command starts with: a campaign by id, a unit of it, an account.

Views get 404 (and 403 outside a focal unit's scope); commands exit non-zero with a clear
message. One definition each, so a rule (scope, normalised e-mail) cannot drift apart.
"""
from flask import abort
from flask_babel import gettext as _
from sqlalchemy import select

from app.core.cli_utils import fail
from app.core.policy import require_unit
from app.extensions import db
from app.models import Campaign, Unit, User


def find_unit(campaign: Campaign, code: str) -> Unit | None:
    return db.session.scalar(select(Unit).where(Unit.campaign_id == campaign.id, Unit.code == code))


def find_user(email: str | None) -> User | None:
    return db.session.scalar(select(User).where(User.email == (email or "").strip().lower()))


def in_campaign(model, row_id: int, campaign_id: int):
    """The row of `model` with this id when it belongs to the campaign, else None (so a row of
    another campaign looks exactly like a missing one)."""
    row = db.session.get(model, row_id)
    return row if row is not None and row.campaign_id == campaign_id else None


# --- views -------------------------------------------------------------------------------

def campaign_or_404(campaign_id: int) -> Campaign:
    return db.session.get(Campaign, campaign_id) or abort(404)


def in_campaign_or_404(model, row_id: int, campaign_id: int):
    return in_campaign(model, row_id, campaign_id) or abort(404)


def unit_or_404(campaign: Campaign, code: str) -> Unit:
    """The unit by code, which the signed-in account must be allowed to see (403 otherwise)."""
    unit = find_unit(campaign, code) or abort(404)
    require_unit(unit.code)
    return unit



# --- commands ----------------------------------------------------------------------------

def row_or_fail(model, row_id: int, message: str):
    """The row of `model` with this id, or exit non-zero with `message`."""
    row = db.session.get(model, row_id)
    if row is None:
        fail(message)
    return row


def campaign_or_fail(campaign_id: int) -> Campaign:
    return row_or_fail(Campaign, campaign_id, _("Không có kỳ đánh giá với mã số %(id)s.", id=campaign_id))


def unit_or_fail(campaign: Campaign, code: str) -> Unit:
    unit = find_unit(campaign, code)
    if unit is None:
        fail(_("Không có đơn vị với mã '%(code)s' trong kỳ đánh giá %(id)s.", code=code, id=campaign.id))
    return unit


def user_or_fail(email: str) -> User:
    user = find_user(email)
    if user is None:
        fail(_("Không có tài khoản với thư điện tử '%(email)s'.", email=email))
    return user
