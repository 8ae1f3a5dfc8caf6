"""Cadences: daily rounds (BDC-5), lost after N days without contact (BDC-6), nurture (CPB-9)."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from tenants.calendar import BusinessCalendar
from tenants.durations import Duration
from tenants.policy import Policy
from tenants.policy.cadences import DailyRounds, Nurture


@dataclass(frozen=True)
class CadenceFacts:
    """A lead's contact history as the cadences need it."""

    created_at: datetime
    lead_type: str | None = None
    rounds_done_today: int = 0
    last_contact_at: datetime | None = None
    last_touch_at: datetime | None = None
    # When someone last chose to keep working the lead instead of marking it lost (BDC-6).
    lost_dismissed_at: datetime | None = None


@dataclass(frozen=True)
class RoundDue:
    """A contact round (or nurture touch) due for a lead."""

    cadence: str
    round_number: int
    due_at: datetime
    channels: tuple[str, ...]


def applies_to(cadence: DailyRounds | Nurture, lead_type: str | None) -> bool:
    """True if the cadence covers leads of `lead_type` (no lead types listed: every lead)."""
    return not cadence.lead_types or lead_type in cadence.lead_types


def _applies(cadence: DailyRounds | Nurture, facts: CadenceFacts) -> bool:
    return applies_to(cadence, facts.lead_type)


def round_times_on(c: DailyRounds, day: date, cal: BusinessCalendar) -> list[datetime]:
    """The rounds of a local date, spread evenly over its open time, the first at opening.

    Whole seconds, so a round time read back from the database compares equal.
    """
    intervals = cal.intervals_on(day)
    if not intervals:
        return []
    total = sum((end - start for start, end in intervals), start=timedelta(0))
    return [
        cal.add(intervals[0][0], total * i / c.rounds_per_day).replace(microsecond=0)
        for i in range(c.rounds_per_day)
    ]


def _round_times(c: DailyRounds, now: datetime, cal: BusinessCalendar) -> list[datetime]:
    return round_times_on(c, cal.local(now).date(), cal)


def _daily(
    c: DailyRounds, facts: CadenceFacts, now: datetime, cal: BusinessCalendar
) -> list[RoundDue]:
    times = _round_times(c, now, cal)
    return [
        RoundDue(c.name, i + 1, at, tuple(c.channels))
        for i, at in enumerate(times)
        if i >= facts.rounds_done_today and at <= now
    ]


def _nurture(
    c: Nurture, facts: CadenceFacts, now: datetime, cal: BusinessCalendar
) -> list[RoundDue]:
    last = facts.last_touch_at or facts.created_at
    due = cal.add(last, c.every, business=False)
    return [RoundDue(c.name, 1, due, tuple(c.channels))] if due <= now else []


CADENCE_KINDS = {"daily_rounds": _daily, "nurture": _nurture}


def rounds_due(
    policy: Policy, facts: CadenceFacts, now: datetime, calendar: BusinessCalendar | None = None
) -> list[RoundDue]:
    """Rounds and touches due now and not yet done, across the policy's cadences."""
    cal = calendar or BusinessCalendar(policy.calendar)
    return [
        due
        for c in policy.cadences
        if _applies(c, facts)
        for due in CADENCE_KINDS[c.kind](c, facts, now, cal)
    ]


def current_round(
    c: DailyRounds, at: datetime, cal: BusinessCalendar
) -> tuple[int, datetime] | None:
    """The latest round of `at`'s local day that has started by `at`: (number, time), or None.

    A clock that fires late gives the round in progress, never yesterday's.
    """
    started = [t for t in round_times_on(c, cal.local(at).date(), cal) if t <= at]
    return (len(started), started[-1]) if started else None


# A calendar with no opening for this long has nothing to schedule.
_SEARCH_DAYS = 400


def _next_time(
    after: datetime, cal: BusinessCalendar, times_on: Callable[[date], Iterable[datetime]]
) -> datetime | None:
    first = cal.local(after).date()
    for offset in range(_SEARCH_DAYS):
        later = [t for t in times_on(first + timedelta(days=offset)) if t > after]
        if later:
            return min(later)
    return None


def next_round_at(
    policy: Policy, after: datetime, calendar: BusinessCalendar | None = None
) -> datetime | None:
    """The first round of any daily-rounds cadence strictly after `after` (None: no rounds).

    Rounds fall inside open hours only, so closed days and holidays have none.
    """
    cadences = [c for c in policy.cadences if isinstance(c, DailyRounds)]
    if not cadences:
        return None
    cal = calendar or BusinessCalendar(policy.calendar)
    return _next_time(
        after, cal, lambda day: (t for c in cadences for t in round_times_on(c, day, cal))
    )


def next_nurture_check_at(
    policy: Policy, after: datetime, calendar: BusinessCalendar | None = None
) -> datetime | None:
    """The next opening of an open day strictly after `after`, when nurture touches are
    handed out (None: the policy has no nurture cadence)."""
    if not any(isinstance(c, Nurture) for c in policy.cadences):
        return None
    cal = calendar or BusinessCalendar(policy.calendar)
    return _next_time(after, cal, lambda day: [s for s, _ in cal.intervals_on(day)[:1]])


def touch_due_on(c: Nurture, facts: CadenceFacts, cal: BusinessCalendar) -> date:
    """The local date the next nurture touch is due: `every` after the last touch or creation."""
    last = facts.last_touch_at or facts.created_at
    return cal.local(cal.add(last, c.every, business=False)).date()


def reached_codes(policy: Policy) -> frozenset[str] | None:
    """Outcome codes that mean the customer was reached (the "yes" group).

    None when the policy groups no outcome as "yes": then any logged contact counts.
    """
    codes = frozenset(o.code for o in policy.outcomes.codes if o.group == "yes")
    return codes or None


def days_without_contact(facts: CadenceFacts, now: datetime, calendar: BusinessCalendar) -> int:
    """Whole local days since the last contact (or since creation if never reached)."""
    since = facts.last_contact_at or facts.created_at
    return (calendar.local(now).date() - calendar.local(since).date()).days


@dataclass(frozen=True)
class LostDecision:
    """A lead not reached for `days` local days: move it to `status`, or propose it first."""

    cadence: str
    status: str
    days: int
    requires_confirmation: bool


def lost_decision(
    policy: Policy, facts: CadenceFacts, now: datetime, calendar: BusinessCalendar | None = None
) -> LostDecision | None:
    """BDC-6: the lost move due after N consecutive local days without reaching the customer.

    The count runs from the last time the customer was reached (or the lead's creation), or
    from the last time someone dismissed a proposal to mark it lost, whichever is later.
    """
    cal = calendar or BusinessCalendar(policy.calendar)
    since = max(
        (t for t in (facts.last_contact_at, facts.lost_dismissed_at) if t is not None),
        default=None,
    )
    since = since or facts.created_at
    days = days_without_contact(
        CadenceFacts(created_at=facts.created_at, last_contact_at=since), now, cal
    )
    for c in policy.cadences:
        if not (isinstance(c, DailyRounds) and _applies(c, facts)):
            continue
        if c.lost_after and c.lost_status and _long_enough(c.lost_after, since, days, now):
            return LostDecision(c.name, c.lost_status, days, c.lost_requires_confirmation)
    return None


def _long_enough(lost_after: Duration, since: datetime, days: int, now: datetime) -> bool:
    """Days and weeks count local dates (7d: the seventh date after); shorter units time."""
    if lost_after.is_calendar_days:
        return days >= lost_after.days
    return now - since >= lost_after.timedelta


def is_lost(
    policy: Policy, facts: CadenceFacts, now: datetime, calendar: BusinessCalendar | None = None
) -> str | None:
    """The lost status a lead may move to after N consecutive days without contact, else None."""
    decision = lost_decision(policy, facts, now, calendar)
    return decision.status if decision else None
