"""Asking for a report: the metric, dimension and period a request names, checked (every
bad parameter at once), then run for what the reader may see."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l

from webapp.models import Membership, Workspace
from webapp.operations import policies

from . import catalogue
from . import period as periods
from .compute import Report, run
from .cut import Cut, Viewer


class ReportInvalid(ValueError):
    """Parameters that cannot make a report: (parameter, message) pairs, every one at once."""

    def __init__(self, fields: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{f}: {m}" for f, m in fields))
        self.fields = fields


def ask(
    workspace: Workspace,
    membership: Membership | None,
    name: str,
    args: Mapping[str, str],
) -> Report:
    """The report `args` ask of metric `name` (`from`, `to` or `period`, `group_by`)."""
    policy = policies.active_policy(workspace)
    problems: list[tuple[str, str]] = []
    metric = catalogue.get(name)
    if metric is None:
        problems.append(("name", str(_l("No such report."))))
    dimension = args.get("group_by") or None
    if metric is not None and dimension is not None and dimension not in metric.dimensions:
        problems.append(("group_by", str(_l("This report cannot be cut this way."))))
    try:
        period = periods.parse(args, workspace.time_zone, policy.reporting.max_period_days)
    except periods.PeriodInvalid as error:
        problems.append((error.field, error.message))
    if problems:
        raise ReportInvalid(problems)
    cut = Cut(workspace, policy, period, Viewer.of(membership, policy), dimension)
    return run(metric, cut)
