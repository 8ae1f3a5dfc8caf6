"""Speed to lead: per lead, how long from arrival (or the opening, for a lead that waited)
to its first logged contact, in the clock the policy's first timer counts in.

The seconds are a fact on the lead row, stored in the policy's clock by the operation that
logs the first contact (webapp.operations.lead_facts). The median and p90 are order
statistics per group, over the covering index ix_leads_report: on PostgreSQL taken by the
database (percentile_cont, the total in the same pass); SQLite has no ordered-set aggregate
and no hash aggregation, so there the contacted leads' seconds (one integer each, a third of
the leads) are read in one pass and put in order here, interpolated as percentile_cont does.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from typing import Any

from sqlalchemy import case, func, select, tuple_

from tenants import Policy
from tenants.policy.timers import Timer
from webapp.extensions import db
from webapp.models import Lead
from webapp.operations import lead_facts

from .cut import KEY, TIME_DIMENSIONS, Cut

SHARES = {"median": 0.5, "p90": 0.9}


def first_response_timer(policy: Policy) -> Timer | None:
    return lead_facts.first_response_timer(policy)


def figures(cut: Cut, limit: float | None) -> list[dict[str, Any]]:
    """Per group of `cut`: leads contacted, the median and p90 of their seconds to first
    contact, and the share within `limit` seconds (None: no SLA to measure against)."""
    return _figures(cut, limit, total=False)[0]


def figures_and_total(cut: Cut, limit: float | None) -> tuple[list[dict[str, Any]], Any]:
    """As `figures`, and the total's row from the same pass (PostgreSQL: GROUPING SETS
    ((key), ()); SQLite: the same values); None without a dimension (the rows are the total)."""
    return _figures(cut, limit, total=cut.dimension is not None)


def _figures(cut: Cut, limit: float | None, *, total: bool) -> tuple[list[dict[str, Any]], Any]:
    seconds = Lead.first_contact_seconds
    facts = (
        cut.leads()
        .with_only_columns(cut.arrival_bucket_key(), seconds.label("seconds"))
        .where(cut.arrived(), seconds.is_not(None))
        .subquery("facts")
    )
    whole = None
    if db.session.get_bind().dialect.name == "postgresql":
        rows = _percentile_cont(facts, limit, total=total)
        if total:
            whole = [r for r in rows if r["is_total"] and r["contacted"]]  # () over none
            rows = [r for r in rows if not r["is_total"]]
    else:
        rows, whole = _ranked_here(cut, limit, total=total)
    return _shaped(rows, limit), (_shaped(whole, limit) if whole is not None else None)


def _shaped(rows: list[dict[str, Any]], limit: float | None) -> list[dict[str, Any]]:
    return [
        {
            "key": row[KEY],
            "contacted": row["contacted"],
            **{name: _interpolated(row, name, share) for name, share in SHARES.items()},
            "within_sla": (row["within"] or 0) / row["contacted"] if limit is not None else None,
        }
        for row in rows
    ]


def _within(value: Any, limit: float | None) -> Any:
    return func.sum(case((value <= limit, 1), else_=0) if limit is not None else 0)


def _percentile_cont(facts, limit: float | None, *, total: bool) -> list[dict[str, Any]]:
    """PostgreSQL: percentile_cont per group (and with `total` the total's row too, marked
    `is_total`: a group whose key is NULL is not the total)."""
    group, value = facts.c[KEY], facts.c.seconds
    marks = [(func.grouping(group) == 1).label("is_total")] if total else []
    query = select(
        group,
        *marks,
        func.count().label("contacted"),
        _within(value, limit).label("within"),
        *(
            func.percentile_cont(share).within_group(value).label(name)
            for name, share in SHARES.items()
        ),
    )
    query = query.group_by(func.grouping_sets(tuple_(group), tuple_()) if total else group)
    return [dict(r._mapping) for r in db.session.execute(query)]


def _ranked_here(cut: Cut, limit: float | None, *, total: bool) -> tuple[list[dict], Any]:
    """SQLite, which has no ordered-set aggregate: the period's contacted leads' seconds, with
    the raw group column (the local day for day/week/month), read in one pass from the
    covering index ix_leads_report, then put in order and picked here per group; the total
    from the same values. A window over (group, seconds) sorted the same rows in a temporary
    B-tree and took 1.7 s at 1 M leads."""
    seconds = Lead.first_contact_seconds
    by_day = cut.dimension_of in TIME_DIMENSIONS
    key = Lead.arrived_on if by_day else cut.key(Lead.created_at)
    query = cut.leads().with_only_columns(key, seconds).where(cut.arrived(), seconds.is_not(None))
    bucket = cut.bucket_of_days() if by_day else None
    groups: dict[Any, list[int]] = defaultdict(list)
    for group, value in db.session.connection().execute(query):  # Core rows: no ORM loading
        groups[bucket.get(group) if bucket is not None else group].append(value)
    rows = [_order_statistics(group, values, limit) for group, values in groups.items()]
    whole = None
    if total:
        every = [value for values in groups.values() for value in values]
        whole = [_order_statistics(None, every, limit)] if every else []
    return rows, whole


def _order_statistics(group: Any, values: list[int], limit: float | None) -> dict[str, Any]:
    """The row of one group: its count, within the limit, and percentile_cont's median/p90."""
    values.sort()
    n = len(values)
    row: dict[str, Any] = {KEY: group, "contacted": n}
    row["within"] = bisect_right(values, limit) if limit is not None else 0
    for name, share in SHARES.items():
        position = (n - 1) * share
        low = int(position)
        high = min(low + 1, n - 1)
        row[name] = values[low] + (values[high] - values[low]) * (position - low)
    return row


def _interpolated(row: dict[str, Any], name: str, share: float) -> float | None:
    """The percentile of the row: PostgreSQL's, or interpolated between the closest ranks
    SQLite picked (as percentile_cont does)."""
    if name in row:
        return None if row[name] is None else float(row[name])
    low, high = row[f"{name}_low"], row[f"{name}_high"]
    if low is None:
        return None
    position = (row["contacted"] - 1) * share
    return float(low) + (float(high) - float(low)) * (position - int(position))


def sla_seconds(policy: Policy) -> float | None:
    timer = first_response_timer(policy)
    if timer is None or timer.duration.is_calendar_days:
        return None
    return float(timer.duration.seconds)
