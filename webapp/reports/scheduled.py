"""Scheduled reports (issue 15 item 6) as workspace clocks, and their spreadsheets.

The policy's `reporting.scheduled` holds up to MAX_SCHEDULED_REPORTS reports; the n-th is
the recurring clock `reporting.scheduled.<n>` (webapp.operations.recurring: one pending
deadline row per workspace, the sweep its safety net). When it fires it sends the report for
the week or month before, through webapp.operations.scheduled_reports, with the figures this
module computes from the metrics registry for each recipient, in their language.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from flask import g

from tenants import Policy
from tenants.decisions.scheduled_reports import (
    ReportPeriod,
    clock_kind,
    next_send_at,
    period_covered,
    slot_next_at,
)
from tenants.policy.reporting import MAX_SCHEDULED_REPORTS, ScheduledReport
from webapp.clock import now
from webapp.extensions import db
from webapp.models import Deadline, DeadlineState, Membership, User, Workspace
from webapp.operations import policies, recurring, scheduled_reports
from webapp.policy import choices, words
from webapp.tenancy import scoped

from . import export
from .compute import Report, run
from .cut import ALIASES, Cut, Viewer
from .period import Period


@contextmanager
def _reading_as(workspace: Workspace, membership: Membership) -> Iterator[None]:
    """The reports layer reads the current workspace and member (a request's); a clock has
    neither, so it lends them for the computation and puts back what was there."""
    saved = {k: g.get(k) for k in ("workspace", "membership")}
    g.workspace, g.membership = workspace, membership
    try:
        yield
    finally:
        for k, v in saved.items():
            setattr(g, k, v)


def _catalogue():
    # Imported when needed: the recurring clocks load this module while the operations the
    # metrics modules read (cadences) may still be loading.
    from . import catalogue

    return catalogue


def dimension_for(policy: Policy, metric) -> str | None:
    """The first of the policy's `metrics_per` the metric can be cut by, else none (totals)."""
    for wanted in policy.reporting.metrics_per:
        if wanted in metric.dimensions or ALIASES.get(wanted) in metric.dimensions:
            return wanted
    return None


def reports_for(
    workspace: Workspace, policy: Policy, membership: Membership, period: ReportPeriod, codes
) -> list[Report]:
    """Each metric's report over `period` as `membership` may read it."""
    span = Period(period.first, period.last, workspace.time_zone)
    viewer = Viewer.of(membership, policy)
    out = []
    with _reading_as(workspace, membership):
        for code in codes:
            metric = _catalogue().get(code)
            if metric is None or not metric.applies(policy):
                continue
            cut = Cut(workspace, policy, span, viewer, dimension_for(policy, metric))
            out.append(run(metric, cut))
    return out


def build(
    workspace: Workspace, policy: Policy, membership: Membership, period: ReportPeriod, codes
) -> scheduled_reports.Built | None:
    """The recipient's spreadsheet (labels in the current locale, figures as numbers)."""
    reports = reports_for(workspace, policy, membership, period, codes)
    if not reports:
        return None
    return scheduled_reports.Built(
        export.workbook_xlsx(reports), [str(r.metric.label) for r in reports]
    )


def _register(index: int) -> None:
    @recurring.clock(clock_kind(index), next_at=slot_next_at(index))
    def fire(workspace: Workspace, deadline: Deadline) -> None:
        """The report's time came: send it for the period before."""
        policy = policies.active_policy(workspace)
        if index >= len(policy.reporting.scheduled):
            return  # the report was removed since the row was written
        report = policy.reporting.scheduled[index]
        period = period_covered(policy, report, deadline.due_at)
        scheduled_reports.send(workspace, report, period, build=build, actor=None)


for _index in range(MAX_SCHEDULED_REPORTS):
    _register(_index)


def send_now(workspace: Workspace, index: int, *, actor: User) -> int:
    """A manager's "send now": the report for its latest complete period, sent again."""
    policy = policies.active_policy(workspace)
    report = policy.reporting.scheduled[index]
    period = period_covered(policy, report, now())
    return scheduled_reports.send(
        workspace, report, period, build=build, actor=actor, occurrence=now().isoformat()
    )


@dataclass(frozen=True)
class Upcoming:
    """A scheduled report as the dashboard lists it, in the reader's language."""

    index: int
    report: ScheduledReport
    next_at: datetime
    every: str
    metrics: str
    recipients: str
    channels: str


def upcoming(workspace: Workspace) -> list[Upcoming]:
    """Each scheduled report with its next run (its pending row, else when it will be)."""
    policy = policies.active_policy(workspace)
    pending = dict(
        db.session.execute(
            scoped(Deadline, workspace)
            .with_only_columns(Deadline.kind, Deadline.due_at)
            .where(Deadline.lead_id.is_(None), Deadline.state == DeadlineState.PENDING)
        ).all()
    )
    out = []
    for index, report in enumerate(policy.reporting.scheduled):
        at = pending.get(clock_kind(index)) or next_send_at(policy, report, now())
        codes = scheduled_reports.metric_codes(policy, report)
        labels = [str(m.label) for c in codes if (m := _catalogue().get(c)) is not None]
        out.append(
            Upcoming(
                index,
                report,
                at,
                every=choices.value_words(report.every),
                metrics=words.listing(labels),
                recipients=words.listing([choices.value_words(r) for r in report.to]),
                channels=words.listing([choices.value_words(c) for c in report.channels]),
            )
        )
    return out
