"""Running a metric for a cut: its rows per group, labelled, and its total."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, text

from webapp.extensions import db
from webapp.models import PartnerOrganisation, Team, User
from webapp.policy.labels import PolicyLabels
from webapp.tenancy import scoped

from .cut import ALIASES, DAY_KEY, TIME_DIMENSIONS, Cut
from .registry import Metric, Row, add_into

NONE_LABEL = _l("(none)")
# PostgreSQL's memory for a report's sorts, for the rest of its transaction. With the default
# 4 MB the planner shunned sorting a year's contacted leads (28 MB over 1 M leads) and read
# them in the holder's order through an index and the table instead: speed to lead per agent
# took 1,020 ms; with room to sort it reads the partial index alone and takes 424 ms.
REPORT_WORK_MEM = "32MB"


@dataclass(frozen=True)
class Report:
    metric: Metric
    cut: Cut
    rows: list[Row]  # each {"key", "label", <column code>: value, ...}
    total: Row


def run(metric: Metric, cut: Cut) -> Report:
    """The metric's rows for `cut`'s dimension (none: only the total) and its total."""
    _room_to_sort()
    raw, whole = _raw(metric, cut) if cut.dimension else ([], None)
    if whole is not None:  # the metric gave its total from the same pass
        total = [_finished(metric, r) for r in whole]
    elif metric.additive and raw:
        # Counts and sums: the total is the groups added up (a handful of rows), not a
        # second pass over the period's rows (issue 15 item 1).
        total = [_finished(metric, _added_up(raw))]
    else:
        total = [_finished(metric, r) for r in _raw(metric, cut.grouped(None))[0]]
    rows = [_finished(metric, r) for r in raw]
    labels = _labels(cut, [r["key"] for r in rows])
    for row in rows:
        row["label"] = labels.get(row["key"], row["key"])
    if cut.dimension and ALIASES.get(cut.dimension, cut.dimension) in TIME_DIMENSIONS:
        rows = _every_bucket(metric, cut, rows)
    total = total[0] if total else dict.fromkeys(c.code for c in metric.columns)
    return Report(metric, cut, rows, {**total, "key": None, "label": str(_l("Total"))})


def _room_to_sort() -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'"))


def _added_up(rows: list[Row]) -> Row:
    """The rows' figures added up (a figure none of them has stays none)."""
    out: Row = {"key": None}
    for row in rows:
        add_into(out, row, [code for code in row if code != "key"])
    return out


def _raw(metric: Metric, cut: Cut) -> tuple[list[Row], list[Row] | None]:
    """The metric's aggregated rows for `cut`, keyed, before `finish` and number types, and
    the total's row(s) if the metric computed them in the same pass (else None)."""
    result, whole = metric.compute(cut), None
    if isinstance(result, tuple):
        result, whole = result
    rows = (
        result
        if isinstance(result, list)
        else [dict(r._mapping) for r in db.session.execute(result)]
    )
    if rows and DAY_KEY in rows[0]:
        rows = _days_into_buckets(cut, rows)
    for row in rows:
        row.setdefault("key", row.pop("group_key", None))
        row.pop("group_key", None)
    return rows, whole


def _finished(metric: Metric, row: Row) -> Row:
    """A row's derived figures (rates) and its numbers as ints or floats."""
    if metric.finish is not None:
        row.update(metric.finish(row))
    for column in metric.columns:
        row[column.code] = _number(row.get(column.code), column.unit)
    return row


def _days_into_buckets(cut: Cut, rows: list[Row]) -> list[Row]:
    """Rows per local day of arrival added up per bucket (their figures are counts and sums;
    rates are derived afterwards by the metric's `finish`)."""
    bucket = cut.bucket_of_days()
    out: dict[int, Row] = {}
    for row in rows:
        index = bucket.get(row.pop(DAY_KEY))
        if index is None:
            continue
        into = out.setdefault(index, {"key": index})
        for code, value in row.items():
            if code != "key" and value is not None:
                into[code] = (into.get(code) or 0) + value
            else:
                into.setdefault(code, value)
    return [out[index] for index in sorted(out)]


def _number(value: Any, unit: str) -> Any:
    """Database numbers (Decimal, strings of SQLite's NUMERIC) as int counts or floats."""
    if value is None:
        return 0 if unit == "count" else None  # a sum over no rows: none counted
    return int(value) if unit == "count" else float(value)


def _every_bucket(metric: Metric, cut: Cut, rows: list[Row]) -> list[Row]:
    """A time series shows every bucket of the period, empty ones as zero (counts) or none."""
    found = {r["key"]: r for r in rows}
    out = []
    for index, first in enumerate(cut.bucket_dates()):
        row = found.get(index) or {
            c.code: (0 if c.unit == "count" else None) for c in metric.columns
        }
        out.append({**row, "key": first.isoformat(), "label": format_date(first, "medium")})
    return out


def _labels(cut: Cut, keys: list[Any]) -> dict[Any, str]:
    dimension = ALIASES.get(cut.dimension, cut.dimension)
    ids = [k for k in keys if isinstance(k, int)]
    names: dict[Any, str] = {}
    if dimension == "agent" and ids:
        names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())
    elif dimension == "team" and ids:
        names = dict(db.session.execute(scoped(Team).with_only_columns(Team.id, Team.name)).all())
    elif dimension == "partner" and ids:
        query = scoped(PartnerOrganisation).with_only_columns(
            PartnerOrganisation.id, PartnerOrganisation.name
        )
        names = dict(db.session.execute(query).all())
    elif dimension == "stage":
        labels = PolicyLabels.for_request(cut.policy)
        names = {s.code: labels.status(s.code) for s in cut.policy.intake.statuses}
    elif dimension == "source":
        labels = PolicyLabels.for_request(cut.policy)
        names = {k: labels.source(k) for k in keys if k}
    elif dimension == "lead_type":
        labels = PolicyLabels.for_request(cut.policy)
        names = {k: labels.lead_type(k) for k in keys if k}
    elif dimension in TIME_DIMENSIONS:
        return {}
    return {k: (names.get(k, str(k)) if k not in (None, "") else str(NONE_LABEL)) for k in keys}
