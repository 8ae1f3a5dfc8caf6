"""The workspace's home page: each role's figures for a period (ISSUE 15).

An agent sees their own figures and what is due; a manager their team per agent, the worst
SLA first; a director or an administrator the workspace per team and per source. The
period picker (today, this week, last 30 days, custom) is in the workspace's zone. Charts
come later, each a fragment htmx loads when it is revealed (webapp.reports.pages).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import g, request
from flask_login import current_user
from sqlalchemy import func

from webapp.extensions import db
from webapp.models import Lead, Role, Task, TaskState, WeeklyReport
from webapp.operations import policies
from webapp.rendering import render
from webapp.report_fields import field_label, field_value
from webapp.tenancy import scoped

from . import catalogue, formatting, period, registry, scheduled
from .compute import Report, run
from .cut import ALIASES, Cut, Viewer
from .labels import DIMENSION_LABELS

# The figures of a breakdown table: (metric, column) in order.
BREAKDOWN = (
    ("leads_received", "value"),
    ("speed_to_lead", "median"),
    ("speed_to_lead", "within_sla"),
    ("sla_compliance", "compliance"),
    ("contact_rate", "contact_rate"),
)
# The charts of the page: (metric, group_by, column, chart type).
CHARTS = (
    ("leads_received", "day", "value", "bar"),
    ("speed_to_lead", "day", "median", "line"),
    ("sla_compliance", "team", "compliance", "bar"),
    ("conversion", "stage", "leads", "bar"),
)
# Who sees the scheduled reports and may send one now.
STAFF = (Role.ADMIN, Role.DIRECTOR, Role.MANAGER)
BREAKDOWNS_BY_ROLE = {
    Role.MANAGER: ("agent",),
    Role.DIRECTOR: ("team", "source"),
    Role.ADMIN: ("team", "source"),
}


@dataclass(frozen=True)
class Tile:
    label: str
    value: str
    name: str


@dataclass(frozen=True)
class Breakdown:
    dimension: str
    title: str
    header: list[str]
    rows: list[list[str]]


def _tiles(cut: Cut, metrics: list[registry.Metric]) -> list[Tile]:
    """Each metric's total: its headline figures (the median and the share within the SLA
    of speed to lead, the compliance of the SLAs...)."""
    tiles = []
    currency = cut.workspace.currency
    for metric in metrics:
        total = run(metric, cut.grouped(None)).total
        single = len(metric.headline_columns) == 1
        for column in metric.headline_columns:
            # "Contact rate: Contact rate" says it twice: the column that is the metric
            # itself goes by the metric's name alone.
            named_alike = str(column.label) == str(metric.label)
            label = (
                str(metric.label) if single or named_alike else f"{metric.label}: {column.label}"
            )
            shown = formatting.value(column.unit, total[column.code], currency)
            tiles.append(Tile(label, shown, metric.name))
    return tiles


def _breakdown(cut: Cut, dimension: str) -> Breakdown:
    """Per agent (or team, source): the breakdown figures side by side; the worst SLA first."""
    reports: dict[str, Report] = {}
    for name, _column in BREAKDOWN:
        metric = catalogue.get(name)
        if metric is not None and name not in reports and dimension in metric.dimensions:
            reports[name] = run(metric, cut.grouped(dimension))
    keys: dict[Any, str] = {}
    for report in reports.values():
        keys.update({r["key"]: str(r["label"]) for r in report.rows})
    values = {(name, r["key"]): r for name, report in reports.items() for r in report.rows}
    columns = [(n, c) for n, c in BREAKDOWN if n in reports]

    def compliance(key: Any) -> float:
        row = values.get(("sla_compliance", key))
        share = row and row.get("compliance")
        return 2.0 if share is None else share  # none measured: after every measured one

    header = [str(DIMENSION_LABELS[dimension])]
    for name, column in columns:
        spec = next(c for c in reports[name].metric.columns if c.code == column)
        header.append(
            str(reports[name].metric.label)
            if spec.label == reports[name].metric.label or len(reports[name].metric.columns) == 1
            else f"{reports[name].metric.label}: {spec.label}"
        )
    rows = []
    for key in sorted(keys, key=lambda k: (compliance(k), keys[k].casefold())):
        row = [keys[key]]
        for name, column in columns:
            unit = next(c.unit for c in reports[name].metric.columns if c.code == column)
            found = values.get((name, key), {})
            row.append(formatting.value(unit, found.get(column), cut.workspace.currency))
        rows.append(row)
    return Breakdown(dimension, str(DIMENSION_LABELS[dimension]), header, rows)


def _weekly_figures(membership) -> tuple[Any, list[tuple[str, str]]]:
    """CCIMA-8: the latest cut-off's figures, summed over the reports the reader may read."""
    query = scoped(WeeklyReport)
    if membership.role == Role.AGENT:
        query = query.where(WeeklyReport.user_id == current_user.id)
    elif membership.role == Role.MANAGER and membership.team_id is not None:
        query = query.where(WeeklyReport.team_id == membership.team_id)
    latest = db.session.scalar(query.with_only_columns(func.max(WeeklyReport.cutoff_at)))
    if latest is None:
        return None, []
    sums: dict[str, Any] = {}
    for figures in db.session.scalars(
        query.with_only_columns(WeeklyReport.figures).where(WeeklyReport.cutoff_at == latest)
    ):
        for code, value in figures.items():
            if isinstance(value, list):
                sums[code] = [*sums.get(code, []), *value]
            elif isinstance(value, int | float):
                sums[code] = sums.get(code, 0) + value
            else:
                sums.setdefault(code, value)
    return latest, [(field_label(c), field_value(v)) for c, v in sums.items()]


def _my_queue() -> tuple[int, int]:
    """What is assigned to me now: leads held and open tasks (the queue's own counts)."""
    leads = db.session.scalar(
        scoped(Lead).with_only_columns(func.count()).where(Lead.owner_id == current_user.id)
    )
    tasks = db.session.scalar(
        scoped(Task)
        .with_only_columns(func.count())
        .where(Task.assignee_id == current_user.id, Task.state == TaskState.OPEN)
    )
    return leads or 0, tasks or 0


def chart_args(args: Mapping[str, str]) -> dict[str, str]:
    """The period parameters to pass on to the charts and exports."""
    return {k: args[k] for k in ("period", "from", "to") if args.get(k)}


def home() -> Any:
    """The dashboard of the current member for the period the query string asks."""
    workspace, membership = g.workspace, g.membership
    policy = policies.active_policy(workspace)
    errors: dict[str, str] = {}
    try:
        chosen = period.parse(request.args, workspace.time_zone, policy.reporting.max_period_days)
        args = chart_args(request.args)
    except period.PeriodInvalid as error:
        errors[error.field] = error.message
        chosen = period.preset(period.DEFAULT_PRESET, workspace.time_zone)
        args = {}
    viewer = Viewer.of(membership, policy)
    cut = Cut(workspace, policy, chosen, viewer)
    metrics = catalogue.shown(policy)
    if viewer.user_id is not None and "open_work" not in [m.name for m in metrics]:
        metrics.append(catalogue.get("open_work"))  # an agent's own: what is due
    names = [m.name for m in metrics]
    dimensions = [
        d
        for d in BREAKDOWNS_BY_ROLE.get(membership.role, ())
        if not policy.reporting.metrics_per or d in _per(policy) or d == "source"
    ]
    latest, weekly = _weekly_figures(membership) if policy.reporting.weekly_cutoff else (None, [])
    open_leads, open_tasks = _my_queue()
    return render(
        "reports/dashboard.html",
        "figures",
        open_leads=open_leads,
        open_tasks=open_tasks,
        status=422 if errors else 200,
        period=chosen,
        preset=request.args.get("period") or ("custom" if "from" in request.args else "week"),
        presets=period.PRESETS,
        errors=errors,
        args=args,
        tiles=_tiles(cut, metrics),
        breakdowns=[_breakdown(cut, d) for d in dimensions],
        charts=[c for c in CHARTS if c[0] in names or not policy.reporting.metrics],
        weekly_cutoff=latest,
        weekly=weekly,
        own=viewer.user_id is not None,
        commission_pool="commission_pool" in names or policy.reporting.commission_sharing,
        scheduled=scheduled.upcoming(workspace) if membership.role in STAFF else [],
    )


def _per(policy) -> set[str]:
    """The dimensions the policy's `metrics_per` names, in the registry's words."""
    return {ALIASES.get(d, d) for d in policy.reporting.metrics_per} | set(
        policy.reporting.metrics_per
    )
