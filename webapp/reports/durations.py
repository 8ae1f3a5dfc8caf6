"""Speed to lead: per lead, how long from arrival (or the opening, for a lead that waited)
to its first logged contact, in the clock the policy's first timer counts in.

SQL gives each lead's arrival and first contact (two narrow columns, no lead objects). The
median and p90 are order statistics: PostgreSQL's percentile_cont could give them, SQLite
has none, and business time needs the calendar; so they are taken here from the sorted
per-lead durations. That is one row per contacted lead in the period: fine for a
department's month, the slowest part of a year over a million leads (see tests/bench).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
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


def per_lead(cut: Cut) -> dict[Any, list[float]]:
    """Each group's per-lead seconds to first contact, sorted."""
    first = first_contact_at().label("first_at")
    key = cut.key(Lead.created_at)
    contacted = (
        cut.leads()
        .with_only_columns(key, Lead.created_at, first)
        .where(cut.during(Lead.created_at))
        .subquery()
    )
    rows = db.session.execute(
        select(contacted.c[KEY], contacted.c.created_at, contacted.c.first_at).where(
            contacted.c.first_at.is_not(None)
        )
    )
    timer = first_response_timer(cut.policy)
    calendar = BusinessCalendar(cut.policy.calendar)
    business = timer is not None and timer.clock == "business"
    out: dict[Any, list[float]] = defaultdict(list)
    for group, arrived, first_at in rows:
        out[group].append(_seconds(calendar, business, arrived, first_at))
    for values in out.values():
        values.sort()
    return out


def _seconds(calendar: BusinessCalendar, business: bool, start: datetime, end: datetime) -> float:
    if end <= start:
        return 0.0
    if business:  # open time only: a lead that waited counts from the opening
        return calendar.open_time_between(start, end).total_seconds()
    return (end - start).total_seconds()


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
