"""How numbers, dates and times read on a page: one convention per language (vi: `82,20`), local time.

Registered as Jinja filters by `app/core/routes.py`; exports may call the same functions.
"""
from datetime import date, datetime

from flask_babel import format_decimal

from . import clock

DASH = "–"


def number(value, digits: int = 2) -> str:
    """A decimal with a fixed number of digits in the page's language (vi `82,20`, en `82.20`)."""
    if value is None:
        return DASH
    pattern = "#,##0." + "0" * digits if digits else "#,##0"
    return format_decimal(value, format=pattern)


def percent(value, digits: int = 1) -> str:
    """A percentage given on the 0–100 scale (never a 0–1 fraction), e.g. `82,2 %`."""
    return DASH if value is None else f"{number(value, digits)} %"


def day(value: date | datetime | None) -> str:
    """A calendar date as dd/mm/yyyy (a stored instant is first moved to local time)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = clock.local(value)
    return value.strftime("%d/%m/%Y")


def localtime(value: datetime | str | None, seconds: bool = False) -> str:
    """A stored instant (naive UTC, or ISO text as in JSON) in local time, dd/mm/yyyy HH:MM."""
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return clock.local(value).strftime("%d/%m/%Y %H:%M:%S" if seconds else "%d/%m/%Y %H:%M")


FILTERS = {"number": number, "percent": percent, "day": day, "localtime": localtime}
