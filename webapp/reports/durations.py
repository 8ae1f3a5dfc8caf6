"""Speed to lead: per lead, how long from arrival (or the opening, for a lead that waited)
to its first logged contact, in the clock the policy's first timer counts in.

The seconds are a fact on the lead row, stored in the policy's clock by the operation that
logs the first contact (webapp.operations.lead_facts). The median and p90 are order
statistics: PostgreSQL's percentile_cont could give them, SQLite has none; so they are taken
here from the sorted per-lead seconds, one number per contacted lead of the period, read
from the covering index ix_leads_report.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from tenants import Policy
from tenants.policy.timers import Timer
from webapp.extensions import db
from webapp.models import Lead
from webapp.operations import lead_facts

from .cut import DAY_KEY, Cut


def first_response_timer(policy: Policy) -> Timer | None:
    return lead_facts.first_response_timer(policy)


def per_lead(cut: Cut) -> dict[Any, list[float]]:
    """Each group's per-lead seconds to first contact, sorted: the seconds the operations
    stored on the lead when its first contact was logged (webapp.operations.lead_facts),
    read with the day of arrival from ix_leads_report."""
    key = cut.arrival_key()
    query = (
        cut.leads()
        .with_only_columns(key, Lead.first_contact_seconds)
        .where(cut.arrived(), Lead.first_contact_seconds.is_not(None))
    )
    rows = db.session.execute(query).all()
    by_day = key.name == DAY_KEY
    bucket = cut.bucket_of_days() if by_day else {}
    out: dict[Any, list[float]] = defaultdict(list)
    for group, seconds in rows:
        out[bucket.get(group) if by_day else group].append(float(seconds))
    for values in out.values():
        values.sort()
    return out


def _wall(start: float, end: float) -> float:
    return max(end - start, 0.0)


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
