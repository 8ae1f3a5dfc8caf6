"""Business-time arithmetic in the department's zone (ALL-4, CCIMA-5, CCIMA-6)."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tenants.calendar import BusinessCalendar
from tenants.durations import Duration
from tenants.policy.calendar import CalendarSettings
from tenants.profiles import load_profile_policy

MX = ZoneInfo("America/Mexico_City")
CCIMA = BusinessCalendar(load_profile_policy("ccima_contact_center").calendar)
BDC = BusinessCalendar(load_profile_policy("dealer_bdc").calendar)
LONDON = BusinessCalendar(
    CalendarSettings(
        time_zone="Europe/London",
        business_hours={
            "mon": ["09:00-12:00", "13:00-17:30"],
            "fri": ["00:00-24:00"],
            "sat": ["00:00-24:00"],
        },
        holidays=[{"country": "GB", "subdivision": "ENG"}],
        closed_dates=[date(2024, 3, 29)],
    )
)


def local(cal: BusinessCalendar, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=cal.zone).astimezone(UTC)


def test_ccima_6_ten_business_minutes_from_1755_is_0805_next_day():
    due = CCIMA.add(local(CCIMA, 2024, 5, 6, 17, 55), Duration.parse("10m"))
    assert due.tzinfo == UTC
    assert due.astimezone(MX) == datetime(2024, 5, 7, 8, 5, tzinfo=MX)


def test_ccima_5_lead_arriving_at_night_waits_for_0800():
    assert not CCIMA.is_open(local(CCIMA, 2024, 5, 6, 22, 0))
    assert CCIMA.next_opening(local(CCIMA, 2024, 5, 6, 22, 0)) == local(CCIMA, 2024, 5, 7, 8, 0)
    assert CCIMA.next_opening(local(CCIMA, 2024, 5, 7, 9, 0)) == local(CCIMA, 2024, 5, 7, 9, 0)


def test_all_4_holidays_and_closed_dates_are_closed():
    # 2024-03-29 is Good Friday (an English holiday, also a closed date); Saturday opens at 00:00.
    assert not LONDON.is_open(local(LONDON, 2024, 3, 29, 10, 0))
    assert LONDON.next_opening(local(LONDON, 2024, 3, 29, 10, 0)) == local(
        LONDON, 2024, 3, 30, 0, 0
    )
    assert LONDON.intervals_on(date(2024, 4, 1)) == []  # Easter Monday


def test_all_4_lunch_break_is_skipped():
    due = LONDON.add(local(LONDON, 2024, 3, 4, 11, 30), Duration.parse("1h"))
    assert due == local(LONDON, 2024, 3, 4, 13, 30)


def test_all_4_dst_change_keeps_local_opening_hours():
    # Toronto springs forward on 2024-03-10 (a Sunday, closed): Monday still opens at 09:00 local.
    saturday_late = local(BDC, 2024, 3, 9, 15, 30)
    due = BDC.add(saturday_late, Duration.parse("1h"))
    assert due.astimezone(BDC.zone) == datetime(2024, 3, 11, 9, 30, tzinfo=BDC.zone)
    assert due - saturday_late == timedelta(days=1, hours=17)  # 42h of wall time, one hour lost


def test_all_4_wall_clock_days_keep_local_time_across_dst():
    start = local(BDC, 2024, 3, 1, 10, 0)
    later = BDC.add(start, Duration.parse("30d"), business=False)
    assert later.astimezone(BDC.zone) == datetime(2024, 3, 31, 10, 0, tzinfo=BDC.zone)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        CCIMA.is_open(datetime(2024, 5, 6, 12, 0))


instants = st.datetimes(
    min_value=datetime(2023, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)
)
minutes = st.integers(min_value=0, max_value=60 * 24 * 5).map(lambda m: timedelta(minutes=m))
calendars = st.sampled_from([CCIMA, BDC, LONDON])


@settings(max_examples=60, deadline=None)
@given(calendars, instants, minutes, minutes)
def test_adding_a_then_b_equals_adding_a_plus_b(cal, start, a, b):
    assert cal.add(cal.add(start, a), b) == cal.add(start, a + b)


@settings(max_examples=60, deadline=None)
@given(calendars, instants, minutes.filter(lambda m: m > timedelta(0)))
def test_result_is_always_inside_open_hours(cal, start, a):
    assert cal.is_open(cal.add(start, a))


@settings(max_examples=60, deadline=None)
@given(calendars, instants, minutes, minutes)
def test_adding_is_monotonic_and_consumes_exactly_the_open_time(cal, start, a, b):
    small, large = sorted([a, b])
    assert cal.add(start, small) <= cal.add(start, large)
    assert cal.open_time_between(start, cal.add(start, large)) == large
