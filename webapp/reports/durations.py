"""Speed to lead: per lead, how long from arrival (or the opening, for a lead that waited)
to its first logged contact, in the clock the policy's first timer counts in.

The seconds are a fact on the lead row, stored in the policy's clock by the operation that
logs the first contact (webapp.operations.lead_facts). The median and p90 are order
statistics taken by the database, per group, from the covering index ix_leads_report:
PostgreSQL's percentile_cont; on SQLite (which has none) the values ranked by a window
(ROW_NUMBER over the ordered seconds) and the two ranks around each percentile picked —
interpolated as percentile_cont does. Never every value in Python.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, func, select, tuple_

from tenants import Policy
from tenants.policy.timers import Timer
from webapp.extensions import db
from webapp.models import Lead
from webapp.operations import lead_facts

from .cut import KEY, Cut

SHARES = {"median": 0.5, "p90": 0.9}


def first_response_timer(policy: Policy) -> Timer | None:
    return lead_facts.first_response_timer(policy)


def figures(cut: Cut, limit: float | None) -> list[dict[str, Any]]:
    """Per group of `cut`: leads contacted, the median and p90 of their seconds to first
    contact, and the share within `limit` seconds (None: no SLA to measure against)."""
    return _figures(cut, limit, total=False)[0]


def figures_and_total(cut: Cut, limit: float | None) -> tuple[list[dict[str, Any]], Any]:
    """As `figures`, and on PostgreSQL the total's row from the same pass (GROUPING SETS
    ((key), ())); None where the total needs its own query (SQLite, or no dimension)."""
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
        rows = _ranked(facts, limit)
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


def _ranked(facts, limit: float | None) -> list[dict[str, Any]]:
    """SQLite: the groups' counts first (in the database's order of the key), then one
    window ranking every value by (group, seconds) — no partition, no per-row count: the
    cheapest window SQLite runs — of which only the ranks either side of each group's
    percentile positions are read back (four rows a group)."""
    group, value = facts.c[KEY], facts.c.seconds
    counts = select(group, func.count().label("contacted"), _within(value, limit).label("within"))
    rows = [dict(r._mapping) for r in db.session.execute(counts.group_by(group).order_by(group))]
    offset = 0
    for row in rows:
        n = row["contacted"]
        for name, share in SHARES.items():
            low = int((n - 1) * share)
            high = min(low + 1, n - 1)
            row[f"{name}_low"] = offset + low + 1
            row[f"{name}_high"] = offset + high + 1
        offset += n
    if not rows:
        return rows
    ranked = select(value, func.row_number().over(order_by=(group, value)).label("rank")).subquery(
        "ranked"
    )
    ranks = sorted({r[f"{name}_{end}"] for r in rows for name in SHARES for end in ("low", "high")})
    query = select(ranked.c["rank"], ranked.c.seconds).where(ranked.c["rank"].in_(ranks))
    at_rank = dict(db.session.execute(query).all())
    for row in rows:
        for name in SHARES:
            for end in ("low", "high"):
                row[f"{name}_{end}"] = at_rank.get(row[f"{name}_{end}"])
    return rows


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
