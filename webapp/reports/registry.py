"""The metrics registry: each metric a named building block over the stored events.

A metric is registered with `@metric(...)` from any module (the core metrics in
webapp.reports.metrics, a department's in its own module): its name, translated label, the
value columns it yields with their units, and the dimensions it can be cut by. Its function
gets a `Cut` (workspace, policy, period, viewer, the dimension asked for) and returns one SQL
statement that aggregates per group — never the leads themselves — or a list of rows: the
fine groups the database streamed along an index, added up (webapp.reports.arrivals), or
figures SQLite cannot take, computed from one narrow column (see speed_to_lead).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import LazyString
from sqlalchemy import Select

# Units a value can have; webapp.reports.formatting writes each in the reader's locale.
COUNT, SECONDS, SHARE, MONEY, RATIO = "count", "seconds", "share", "money", "ratio"
UNITS = (COUNT, SECONDS, SHARE, MONEY, RATIO)
# The dimensions every lead-based metric can be cut by.
LEAD_DIMENSIONS = ("agent", "team", "partner", "source", "lead_type", "day", "week", "month")

Row = dict[str, Any]


def add_into(into: Row, figures: Mapping[str, Any], names: Iterable[str]) -> Row:
    """Add the `names` figures of `figures` into `into` (a figure no row has stays None)."""
    for name in names:
        value = figures[name]
        if value is not None:
            into[name] = (into.get(name) or 0) + value
        else:
            into.setdefault(name, None)
    return into


@dataclass(frozen=True)
class Column:
    code: str
    label: LazyString | str
    unit: str


@dataclass(frozen=True)
class Metric:
    name: str
    label: LazyString | str
    columns: tuple[Column, ...]
    compute: Callable[[Any], Select | list[Row]]
    dimensions: tuple[str, ...] = LEAD_DIMENSIONS
    # Per row, values derived from the aggregated ones (rates from counts).
    finish: Callable[[Row], Row] | None = None
    description: LazyString | str = ""
    # Policy-dependent: whether the workspace's policy gives this metric anything to count.
    applies: Callable[[Any], bool] = field(default=lambda policy: True)
    # Every row the metric aggregates falls in exactly one group and its figures are counts
    # and sums: the total is the groups added up (webapp.reports.compute).
    additive: bool = False
    # The columns a dashboard tile shows (default: the first).
    headline: tuple[str, ...] = ()

    @property
    def headline_columns(self) -> tuple[Column, ...]:
        wanted = self.headline or (self.columns[0].code,)
        return tuple(c for c in self.columns if c.code in wanted)

    @property
    def unit(self) -> str:
        return self.columns[0].unit


METRICS: dict[str, Metric] = {}


def metric(
    name: str,
    label: LazyString | str,
    columns: tuple[Column, ...] | None = None,
    *,
    unit: str = COUNT,
    **options: Any,
) -> Callable[[Callable], Callable]:
    """Register the decorated function as metric `name` (one `value` column of `unit` unless
    `columns` are given)."""

    def decorator(compute: Callable) -> Callable:
        if name in METRICS:
            raise ValueError(f"metric {name!r} registered twice")
        cols = columns or (Column("value", label, unit),)
        METRICS[name] = Metric(name, label, cols, compute, **options)
        return compute

    return decorator
