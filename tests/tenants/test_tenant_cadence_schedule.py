"""When cadence clocks fire: round times (BDC-5), lost after N days (BDC-6), nurture (CPB-9)."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from tenants.calendar import BusinessCalendar
from tenants.decisions.cadences import (
    CadenceFacts,
    current_round,
    lost_decision,
    next_nurture_check_at,
    next_round_at,
    reached_codes,
    round_times_on,
    touch_due_on,
)
from tenants.policy import Policy
from tenants.profiles import load_profile, load_profile_policy

TORONTO = ZoneInfo("America/Toronto")
LONDON = ZoneInfo("Europe/London")
BDC = load_profile_policy("dealer_bdc")
CPB = load_profile_policy("cpb_partner_leads")
ROUNDS = BDC.cadences[0]
BDC_CAL = BusinessCalendar(BDC.calendar)
CPB_CAL = BusinessCalendar(CPB.calendar)


def toronto(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TORONTO).astimezone(UTC)


def test_bdc_5_rounds_spread_over_each_days_own_hours():
    monday, friday, saturday = date(2026, 11, 16), date(2026, 11, 20), date(2026, 11, 21)
    assert round_times_on(ROUNDS, monday, BDC_CAL) == [toronto(monday, h) for h in (9, 13, 17)]
    assert round_times_on(ROUNDS, friday, BDC_CAL) == [toronto(friday, h) for h in (9, 12, 15)]
    assert round_times_on(ROUNDS, saturday, BDC_CAL) == [
        toronto(saturday, 9),
        toronto(saturday, 11, 20),
        toronto(saturday, 13, 40),
    ]
    assert round_times_on(ROUNDS, date(2026, 11, 22), BDC_CAL) == []  # Sunday: closed


def test_bdc_5_next_round_skips_nights_sundays_and_quebec_holidays():
    monday = date(2026, 11, 16)
    assert next_round_at(BDC, toronto(monday, 8)) == toronto(monday, 9)
    assert next_round_at(BDC, toronto(monday, 9)) == toronto(monday, 13)  # strictly after
    assert next_round_at(BDC, toronto(monday, 17)) == toronto(date(2026, 11, 17), 9)
    # Saturday's last round, then Sunday (closed) and Thanksgiving Monday: Tuesday 09:00.
    assert next_round_at(BDC, toronto(date(2026, 10, 10), 13, 40)) == toronto(date(2026, 10, 13), 9)
    # Quebec's Fête nationale (June 24) is in the policy's calendar (CA-QC): no rounds.
    assert next_round_at(BDC, toronto(date(2026, 6, 23), 17)) == toronto(date(2026, 6, 25), 9)


def test_bdc_5_no_rounds_without_a_daily_rounds_cadence():
    assert next_round_at(CPB, datetime(2026, 11, 16, 12, tzinfo=UTC)) is None
    assert next_nurture_check_at(BDC, datetime(2026, 11, 16, 12, tzinfo=UTC)) is None


def test_bdc_5_the_round_in_progress_is_the_last_one_started_today():
    monday = date(2026, 11, 16)
    assert current_round(ROUNDS, toronto(monday, 8, 59), BDC_CAL) is None
    assert current_round(ROUNDS, toronto(monday, 9), BDC_CAL) == (1, toronto(monday, 9))
    assert current_round(ROUNDS, toronto(monday, 14, 30), BDC_CAL) == (2, toronto(monday, 13))
    # A clock fired late the next morning, before opening, gives nothing: not yesterday's.
    assert current_round(ROUNDS, toronto(date(2026, 11, 17), 8), BDC_CAL) is None


def test_bdc_6_lost_after_7_days_unless_reached_or_dismissed_since():
    created = toronto(date(2026, 11, 16), 8)
    facts = CadenceFacts(created_at=created)
    assert lost_decision(BDC, facts, toronto(date(2026, 11, 22), 20)) is None  # day 6
    decision = lost_decision(BDC, facts, toronto(date(2026, 11, 23), 9))  # day 7
    assert decision is not None
    assert (decision.status, decision.days, decision.requires_confirmation) == (
        "lost_bdc",
        7,
        True,
    )
    reached = CadenceFacts(created_at=created, last_contact_at=toronto(date(2026, 11, 21), 10))
    assert lost_decision(BDC, reached, toronto(date(2026, 11, 27), 9)) is None
    assert lost_decision(BDC, reached, toronto(date(2026, 11, 28), 9)).days == 7
    dismissed = CadenceFacts(created_at=created, lost_dismissed_at=toronto(date(2026, 11, 23), 9))
    assert lost_decision(BDC, dismissed, toronto(date(2026, 11, 29), 12)) is None
    assert lost_decision(BDC, dismissed, toronto(date(2026, 11, 30), 9)).days == 7


def test_bdc_6_without_confirmation_the_decision_says_so():
    document = load_profile("dealer_bdc")
    document["cadences"][0]["lost_requires_confirmation"] = False
    policy = Policy.model_validate(document)
    facts = CadenceFacts(created_at=toronto(date(2026, 11, 16), 8))
    assert (
        lost_decision(policy, facts, toronto(date(2026, 11, 23), 9)).requires_confirmation is False
    )


def test_reached_means_the_yes_group_or_any_contact_when_the_policy_has_none():
    assert reached_codes(BDC) == {
        "reached",
        "appointment_booked",
        "deposit_taken",
        "not_interested",
    }
    assert reached_codes(load_profile_policy("blank")) is None


def test_cpb_9_nurture_checked_at_each_open_days_opening():
    friday = datetime(2026, 11, 13, 10, tzinfo=LONDON)
    assert next_nurture_check_at(CPB, friday) == datetime(2026, 11, 16, 9, tzinfo=LONDON)
    before_opening = datetime(2026, 11, 16, 8, tzinfo=LONDON)
    assert next_nurture_check_at(CPB, before_opening) == datetime(2026, 11, 16, 9, tzinfo=LONDON)


def test_cpb_9_touch_due_14_days_after_the_last_touch_or_creation():
    nurture = CPB.cadences[0]
    created = datetime(2026, 11, 2, 10, tzinfo=LONDON)
    assert touch_due_on(nurture, CadenceFacts(created_at=created), CPB_CAL) == date(2026, 11, 16)
    touched = CadenceFacts(created_at=created, last_touch_at=created + timedelta(days=15))
    assert touch_due_on(nurture, touched, CPB_CAL) == date(2026, 12, 1)
