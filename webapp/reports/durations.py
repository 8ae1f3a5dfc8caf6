"""Speed to lead: per lead, how long from arrival (or the opening, for a lead that waited)
to its first logged contact, in the clock the policy's first timer counts in.

SQL gives each lead's arrival and first contact (two narrow columns, no lead objects). The
median and p90 are order statistics: PostgreSQL's percentile_cont could give them, SQLite
has none, and business time needs the calendar; so they are taken here from the sorted
per-lead durations. That is one row per contacted lead in the period: fine for a
department's month, the slowest part of a year over a million leads (see tests/bench).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from tenants import Policy
from tenants.calendar import BusinessCalendar
from tenants.policy.timers import Timer
from webapp.extensions import db
from webapp.models import Activity, Lead
from webapp.operations.activities import NOT_CONTACT

from .cut import KEY, Cut

ARRIVAL_EVENTS = ("lead.created", "lead.assigned", "lead.allocated")


def first_response_timer(policy: Policy) -> Timer | None:
    """The SLA speed to lead is measured against: the first timer a new or assigned lead
    starts that contact stops."""
    for timer in policy.timers:
        if timer.starts_on in ARRIVAL_EVENTS and any(
            e.startswith("activity.") for e in timer.cancelled_by
        ):
            return timer
    return None


def first_contact_at() -> Any:
    """The lead's first logged contact: a correlated subquery read from ix_activities_lead."""
    return (
        select(func.min(Activity.occurred_at))
        .where(Activity.lead_id == Lead.id, Activity.channel.not_in(NOT_CONTACT))
        .correlate(Lead)
        .scalar_subquery()
    )


def epoch(column: Any) -> Any:
    """Seconds since 1970 of a UTC column, computed by the database (no datetime objects)."""
    if db.engine.dialect.name == "postgresql":
        return func.extract("epoch", column)
    return (func.julianday(column) - 2440587.5) * 86400.0


def per_lead(cut: Cut) -> dict[Any, list[float]]:
    """Each group's per-lead seconds to first contact, sorted."""
    first = epoch(first_contact_at()).label("first_at")
    key = cut.key(Lead.created_at)
    contacted = (
        cut.leads()
        .with_only_columns(key, epoch(Lead.created_at).label("arrived"), first)
        .where(cut.during(Lead.created_at))
        .subquery()
    )
    rows = db.session.execute(
        select(contacted.c[KEY], contacted.c.arrived, contacted.c.first_at).where(
            contacted.c.first_at.is_not(None)
        )
    ).all()
    timer = first_response_timer(cut.policy)
    elapsed = _wall
    if timer is not None and timer.clock == "business" and rows:
        latest = max(float(r[2]) for r in rows)
        elapsed = OpenClock(BusinessCalendar(cut.policy.calendar), cut.period.start, latest).between
    out: dict[Any, list[float]] = defaultdict(list)
    for group, arrived, first_at in rows:
        # To the millisecond: SQLite's julianday carries microseconds of float noise.
        out[group].append(round(elapsed(float(arrived), float(first_at)), 3))
    for values in out.values():
        values.sort()
    return out


def _wall(start: float, end: float) -> float:
    return max(end - start, 0.0)


class OpenClock:
    """Open seconds between two instants by bisection over the open intervals of the days
    concerned and their running total: BusinessCalendar.open_time_between's figure (a lead
    that waited counts from the opening) in microseconds per lead, not a calendar walk."""

    def __init__(self, calendar: BusinessCalendar, start: datetime, last: float) -> None:
        self.starts: list[float] = []
        self.ends: list[float] = []
        self.before: list[float] = []  # open seconds before each interval
        day = calendar.local(start).date() - timedelta(days=1)
        end_day = calendar.local(datetime.fromtimestamp(last, UTC)).date() + timedelta(days=1)
        total = 0.0
        while day <= end_day:
            for begin, stop in calendar.intervals_on(day):
                self.starts.append(begin.timestamp())
                self.ends.append(stop.timestamp())
                self.before.append(total)
                total += (stop - begin).total_seconds()
            day += timedelta(days=1)

    def _open_until(self, at: float) -> float:
        i = bisect_right(self.starts, at) - 1
        if i < 0:
            return 0.0
        return self.before[i] + min(at, self.ends[i]) - self.starts[i]

    def between(self, start: float, end: float) -> float:
        return max(self._open_until(end) - self._open_until(start), 0.0)


def percentile(sorted_values: list[float], share: float) -> float | None:
    """Linear interpolation between closest ranks (as PostgreSQL's percentile_cont)."""
    if not sorted_values:
        return None
    position = (len(sorted_values) - 1) * share
    low = int(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def sla_seconds(policy: Policy) -> float | None:
    timer = first_response_timer(policy)
    if timer is None or timer.duration.is_calendar_days:
        return None
    return float(timer.duration.seconds)
