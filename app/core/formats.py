"""How numbers, dates and times read on a page: one convention per language (vi: `82,20`), local time.

Registered as Jinja filters by `app/core/routes.py`; exports may call the same functions.
"""
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache

from babel.numbers import get_decimal_symbol, get_group_symbol
from flask_babel import format_decimal, get_locale

from . import clock

DASH = "–"


def number(value, digits: int = 2) -> str:
    """A decimal with a fixed number of digits in the page's language (vi `82,20`, en `82.20`).

    The same text as Babel's `format_decimal` with the pattern `#,##0.00…` (the value's decimal
    text rounded half to even), without parsing the pattern on every call: a dashboard writes
    thousands of rates. Negative or non-finite values go through Babel itself."""
    if value is None:
        return DASH
    exact = value if isinstance(value, Decimal) else Decimal(str(value))
    if exact.is_signed() or not exact.is_finite():
        pattern = "#,##0." + "0" * digits if digits else "#,##0"
        return format_decimal(value, format=pattern)
    text = f"{exact.quantize(_STEPS[digits] if digits < len(_STEPS) else Decimal(1).scaleb(-digits), ROUND_HALF_EVEN):,f}"
    return text.translate(_separators(get_locale()))


_STEPS = tuple(Decimal(1).scaleb(-d) for d in range(7))


@lru_cache(maxsize=32)
def _separators(locale) -> dict:
    """Python's `1,234.5` separators to the locale's (vi `1.234,5`); keyed by Babel's Locale (hashable)."""
    return str.maketrans({",": get_group_symbol(locale), ".": get_decimal_symbol(locale)})


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
