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


def test_stored_instants_show_in_local_time(app):
    with app.test_request_context("/"):
        assert formats.localtime(datetime(2027, 1, 25, 17, 5)) == "26/01/2027 00:05"
        assert formats.localtime("2027-01-25T17:05:09Z", seconds=True) == "26/01/2027 00:05:09"
        assert formats.day(date(2027, 1, 25)) == "25/01/2027"
        assert formats.localtime(None) == ""
