"""The one clock: local dates, deadline instants and the local display of stored UTC instants."""
from datetime import date, datetime
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from app.core import clock


def test_a_deadline_day_ends_at_local_midnight_not_at_07_00():
    campaign = SimpleNamespace(timezone=None)
    deadline = date(2027, 1, 25)
    # 25/01 23:30 in Hà Nội is 16:30 UTC: still open; 26/01 00:30 local (17:30 UTC on the 25th) is closed.
    assert not clock.passed(deadline, campaign, clock.today(campaign, datetime(2027, 1, 25, 16, 30)))
    assert clock.passed(deadline, campaign, clock.today(campaign, datetime(2027, 1, 25, 17, 30)))
    assert clock.end_of_day(deadline) == datetime(2027, 1, 25, 17, 0)


def test_a_campaign_zone_overrides_the_default():
    assert clock.end_of_day(date(2027, 1, 25), SimpleNamespace(timezone="UTC")) == datetime(2027, 1, 26, 0, 0)
    assert clock.zone().key == "Asia/Ho_Chi_Minh"


def test_stored_instants_show_in_local_time():
    shown = clock.local(datetime(2027, 1, 25, 17, 5))
    assert (shown.day, shown.hour, shown.minute) == (26, 0, 5)
    assert clock.local(None) is None


def test_days_left_counts_calendar_days():
    assert clock.days_left(date(2027, 1, 25), on=date(2027, 1, 20)) == 5
    assert clock.days_left(date(2027, 1, 25), on=date(2027, 1, 25)) == 0
    assert clock.days_left(date(2027, 1, 25), on=date(2027, 1, 27)) == -2


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)))
def test_a_day_is_passed_exactly_from_its_end_instant(instant):
    day = clock.today(None, instant)
    assert not clock.passed(day, None, clock.today(None, instant))
    assert instant < clock.end_of_day(day)
    assert clock.passed(day, None, clock.today(None, clock.end_of_day(day)))
