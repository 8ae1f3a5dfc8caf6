"""Cadences: daily rounds (BDC-5), lost after N days without contact (BDC-6), nurture (CPB-9)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from tenants.calendar import BusinessCalendar
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


@dataclass(frozen=True)
class RoundDue:
    """A contact round (or nurture touch) due for a lead."""

    cadence: str
    round_number: int
    due_at: datetime
    channels: tuple[str, ...]


def _applies(cadence: DailyRounds | Nurture, facts: CadenceFacts) -> bool:
    return not cadence.lead_types or facts.lead_type in cadence.lead_types


def _round_times(c: DailyRounds, now: datetime, cal: BusinessCalendar) -> list[datetime]:
    """Rounds spread evenly over today's open time, the first at opening."""
    intervals = cal.intervals_on(cal.local(now).date())
    if not intervals:
        return []
    total = sum((end - start for start, end in intervals), start=timedelta(0))
    return [cal.add(intervals[0][0], total * i / c.rounds_per_day) for i in range(c.rounds_per_day)]


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


def days_without_contact(facts: CadenceFacts, now: datetime, calendar: BusinessCalendar) -> int:
    """Whole local days since the last contact (or since creation if never reached)."""
    since = facts.last_contact_at or facts.created_at
    return (calendar.local(now).date() - calendar.local(since).date()).days


def is_lost(
    policy: Policy, facts: CadenceFacts, now: datetime, calendar: BusinessCalendar | None = None
) -> str | None:
    """The lost status a lead may move to after N consecutive days without contact, else None."""
    cal = calendar or BusinessCalendar(policy.calendar)
    for c in policy.cadences:
        if not (isinstance(c, DailyRounds) and _applies(c, facts) and c.lost_after_days):
            continue
        if days_without_contact(facts, now, cal) >= c.lost_after_days:
            return c.lost_status
    return None
