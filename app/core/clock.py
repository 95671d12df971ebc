"""The one clock: "now", "today" and deadlines in the campaign's zone (Asia/Ho_Chi_Minh by default).

Every deadline of a campaign is a local date that holds until local midnight at its end; the
database keeps naive UTC instants (`app.models.utcnow`), pages show them in local time.
"""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_ZONE = "Asia/Ho_Chi_Minh"


def zone(campaign=None) -> ZoneInfo:
    """The campaign's zone (`Campaign.timezone`), else the configured default (no campaign at hand)."""
    name = getattr(campaign, "timezone", None)
    if not name and has_app_context():
        name = current_app.config.get("BABEL_DEFAULT_TIMEZONE")
    return ZoneInfo(name or DEFAULT_ZONE)


def now(campaign=None, at: datetime | None = None) -> datetime:
    """The current instant (or the stored instant `at`, naive = UTC), aware, in the campaign's zone."""
    return local(at, campaign) if at is not None else datetime.now(zone(campaign))


def today(campaign=None, at: datetime | None = None) -> date:
    """The local date in the campaign's zone: a deadline of 15/12 holds until local midnight."""
    return now(campaign, at).date()


def passed(deadline: date, campaign=None, on: date | None = None) -> bool:
    """Whether a deadline day is over (`on` defaults to today in the campaign's zone)."""
    return (on or today(campaign)) > deadline


def days_left(deadline: date, campaign=None, on: date | None = None) -> int:
    """Whole days from today to the deadline day, 0 on the day itself, negative once passed."""
    return (deadline - (on or today(campaign))).days


def end_of_day(day: date, campaign=None) -> datetime:
    """The instant a deadline day ends (local midnight after it), as naive UTC like the database."""
    end = datetime.combine(day + timedelta(days=1), time.min, zone(campaign))
    return end.astimezone(timezone.utc).replace(tzinfo=None)


def local(instant: datetime | None, campaign=None) -> datetime | None:
    """A stored instant (naive = UTC) in the campaign's zone."""
    if instant is None:
        return None
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=timezone.utc)
    return instant.astimezone(zone(campaign))
