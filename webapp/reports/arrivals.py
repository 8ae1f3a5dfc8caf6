"""Counts and sums over the leads that arrived in a period, grouped as the cut asks.

A year of a busy department is a million leads. The covering index ix_leads_report holds each
lead's workspace, local day of arrival, owner, team, source, attempts and seconds to first
contact, in that order. Grouping along it streams: the database reads the index in order and
closes a group whenever the key changes. Grouping by the owner alone cannot stream: SQLite
has no hash aggregation, so it sorted the year's rows in a temporary B-tree first (2.7 s
for leads per source at 1 M leads).

So on SQLite a cut by agent, team or source is grouped finely, by the day and then the
index's own columns up to the one asked. The few thousand rows that come back are added up
here. Only counts and sums are added up this way (the metric's figures before `finish`).
PostgreSQL hashes a GROUP BY of a few groups in one pass; grouping it finely made it sort
the year's rows instead (2.3 s per source at 1 M leads), so there the cut groups directly.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select

from webapp.extensions import db
from webapp.models import Lead

from .cut import Cut, owners_teams
from .registry import Row, add_into

# The index's columns after the day, up to the one each dimension reads. For the team,
# also the owner: a lead handed to a person counts for that person's team.
FINE_COLUMNS = {
    "agent": (Lead.owner_id,),
    "team": (Lead.owner_id, Lead.team_id),
    "source": (Lead.owner_id, Lead.team_id, Lead.source),
}


def counts(cut: Cut, **figures: ColumnElement[Any]) -> Select | list[Row]:
    """The period's leads, by the cut's group: `figures` (counts and sums, by name) per group.

    Returns one statement where the database groups by itself: the total, day/week/month
    (by the local day, added into buckets by compute), and every cut on PostgreSQL. For
    agent, team and source on SQLite it returns the rows, added up from the fine groups."""
    arrived = cut.leads().where(cut.arrived())
    labelled = [expression.label(name) for name, expression in figures.items()]
    columns = FINE_COLUMNS.get(cut.dimension_of)
    if columns is None or db.session.get_bind().dialect.name == "postgresql":
        return cut.group(arrived.with_only_columns(cut.arrival_key(), *labelled))
    fine = arrived.with_only_columns(Lead.arrived_on, *columns, *labelled).group_by(
        Lead.arrived_on, *columns
    )
    teams = owners_teams() if cut.dimension_of == "team" else {}
    out: dict[Any, Row] = {}
    for row in db.session.execute(fine):
        key = _group_of(cut.dimension_of, row, teams)
        add_into(out.setdefault(key, {"key": key}), row._mapping, figures)
    return [out[key] for key in sorted(out, key=_order)]


def _group_of(dimension: str, row: Any, teams: dict[int, int]) -> Any:
    if dimension == "agent":
        return row.owner_id
    if dimension == "team":
        return row.team_id if row.team_id is not None else teams.get(row.owner_id)
    return row.source


def _order(key: Any) -> tuple[bool, Any]:
    """Groups in a stable order, the none group last (keys of a dimension share a type)."""
    return (key is None, key)
