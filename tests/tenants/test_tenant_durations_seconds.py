"""Durations in seconds: short clocks, validated like every other unit."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tenants import PolicyInvalid, load_policy
from tenants.calendar import BusinessCalendar
from tenants.durations import Duration
from tenants.policy.calendar import CalendarSettings

A_YEAR_IN_SECONDS = 366 * 24 * 60 * 60


def _timer(duration: str, *, clock: str = "business", reminders: list[str] | None = None):
    return {
        "timers": [
            {
                "name": "contact_sla",
                "starts_on": "lead.assigned",
                "duration": duration,
                "clock": clock,
                "reminders": reminders or [],
                "actions": [{"kind": "flag_breach"}],
            }
        ]
    }


def test_seconds_parse_to_an_exact_timedelta():
    parsed = Duration.parse("45s")
    assert (parsed.amount, parsed.unit, str(parsed)) == (45, "s", "45s")
    assert parsed.timedelta == timedelta(seconds=45)
    assert not parsed.is_calendar_days


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0s", "positive"),
        ("-5s", "positive"),
        (f"{A_YEAR_IN_SECONDS + 1}s", "366 days"),
        ("5 sec", "not a duration"),
        ("1.5s", "not a duration"),
    ],
)
def test_seconds_refuse_zero_negative_absurd_and_garbage(text, message):
    with pytest.raises(ValueError, match=message):
        Duration.parse(text)


@given(st.integers(min_value=1, max_value=A_YEAR_IN_SECONDS + 5))
def test_seconds_up_to_366_days_and_no_more(amount):
    text = f"{amount}s"
    if amount > A_YEAR_IN_SECONDS:
        with pytest.raises(ValueError, match="366 days"):
            Duration.parse(text)
    else:
        assert Duration.parse(text).timedelta == timedelta(seconds=amount)


@pytest.mark.parametrize("clock", ["business", "wall"])
def test_a_timer_of_a_few_seconds_is_a_valid_policy(clock):
    (timer,) = load_policy(_timer("5s", clock=clock)).timers
    assert timer.duration.timedelta == timedelta(seconds=5)


@pytest.mark.parametrize("duration", ["0s", "-3s", "3x"])
def test_a_policy_refuses_an_impossible_seconds_timer_by_its_path(duration):
    with pytest.raises(PolicyInvalid) as caught:
        load_policy(_timer(duration))
    assert [path for path, _ in caught.value.errors] == ["timers.0.duration"]


def test_a_reminder_must_come_before_the_end_to_the_second():
    assert load_policy(_timer("1m", reminders=["59s"])).timers[0].reminders[0].seconds == 59
    with pytest.raises(PolicyInvalid, match="shorter than duration"):
        load_policy(_timer("1m", reminders=["60s"]))


def test_seconds_of_business_time_skip_the_closed_hours():
    calendar = BusinessCalendar(
        CalendarSettings(
            time_zone="UTC", business_hours={"mon": ["09:00-17:00"], "fri": ["09:00-17:00"]}
        )
    )
    friday_late = datetime(2026, 11, 27, 16, 59, 50, tzinfo=UTC)
    # 10 of the 30 seconds are left on Friday; the other 20 run from Monday's opening.
    assert calendar.add(friday_late, Duration.parse("30s")) == datetime(
        2026, 11, 30, 9, 0, 20, tzinfo=UTC
    )
