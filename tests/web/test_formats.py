"""One number convention per language, percentages on 0–100, local time on pages."""
from datetime import date, datetime

from flask_babel import force_locale

from app.core import formats


def test_vietnamese_uses_a_decimal_comma_and_english_a_point(app):
    with app.test_request_context("/"):
        assert formats.number(82.2) == "82,20"
        assert formats.number(1234.5, 1) == "1.234,5"
        assert formats.percent(82.2) == "82,2 %"
        assert formats.number(None) == "–"
    with app.test_request_context("/"), force_locale("en"):
        assert formats.number(82.2) == "82.20"
        assert formats.percent(82.2) == "82.2 %"


def test_numbers_read_as_babel_writes_them_rounding_included(app):
    """`number` formats without Babel's pattern parser (a dashboard writes thousands of rates); the text
    must stay Babel's, rounding of the decimal text half to even included (0.35 -> 0.4, not 0.3)."""
    from decimal import Decimal

    from flask_babel import format_decimal

    values = [0, 0.05, 0.25, 0.35, 2.675, 99.95, 1 / 3, 1234567.125, Decimal("0.125"), 10 ** 9 + 0.5, 1e-7,
              -0.04, -1234.5]
    for lang in ("vi", "en"):
        with app.test_request_context("/"), force_locale(lang):
            for value in values:
                for digits in (0, 1, 2):
                    pattern = "#,##0." + "0" * digits if digits else "#,##0"
                    assert formats.number(value, digits) == format_decimal(value, format=pattern), (lang, value, digits)
    with app.test_request_context("/"):
        assert formats.number(0.35, 1) == "0,4" and formats.number(1234567.125) == "1.234.567,12"


def test_stored_instants_show_in_local_time(app):
    with app.test_request_context("/"):
        assert formats.localtime(datetime(2027, 1, 25, 17, 5)) == "26/01/2027 00:05"
        assert formats.localtime("2027-01-25T17:05:09Z", seconds=True) == "26/01/2027 00:05:09"
        assert formats.day(date(2027, 1, 25)) == "25/01/2027"
        assert formats.localtime(None) == ""
