"""Sending a scheduled report (issue 15 item 6): one message per recipient and channel.

The policy's `reporting.scheduled` names who receives a report (workspace roles) and how.
Each recipient gets the figures they may read (a manager their team's, an agent their own),
in their language: the e-mail carries the spreadsheet, stored in the outbox row so a retry
sends the very same bytes; the other channels link to the dashboard for the period. The
figures come from the reports layer through `build` (a feature of the web app this domain
module does not import). Every message is keyed by the report and its period, so a clock
fired twice, or again after a worker died mid-way, sends each one once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from babel.dates import format_date, format_interval
from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from tenants import Policy
from tenants.decisions.scheduled_reports import WEEK, ReportPeriod
from tenants.policy.reporting import ScheduledReport
from webapp.audit_actions import SCHEDULED_REPORT_SENT
from webapp.channels.messages import attachment_payload
from webapp.extensions import db
from webapp.models import Membership, Role, User, Workspace
from webapp.tenancy import owned_by

from . import audit, events, notifications, policies
from .unit import operation

EMAIL_TEMPLATE = "scheduled_report"
LINK_TEMPLATE = "scheduled_report_ready"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROLES = {
    "administrator": Role.ADMIN,
    "director": Role.DIRECTOR,
    "manager": Role.MANAGER,
    "agent": Role.AGENT,
}


@dataclass(frozen=True)
class Built:
    """One recipient's report: the spreadsheet and the names of the metrics it holds."""

    xlsx: bytes
    metrics: list[str]


# (workspace, policy, the recipient's membership, period, metric codes) -> their report, made
# in the current (the recipient's) locale; None when no metric can be reported.
Build = Callable[[Workspace, Policy, Membership, ReportPeriod, list[str]], Built | None]


def metric_codes(policy: Policy, report: ScheduledReport) -> list[str]:
    """The metrics the report names, else the workspace's reported ones."""
    return list(report.metrics or policy.reporting.metrics)


def identity(report: ScheduledReport, period: ReportPeriod, metrics: list[str]) -> str:
    """What makes two sendings the same: how often, which period, which figures."""
    text = f"{report.every}:{period.first}:{period.last}:{','.join(metrics)}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def recipients(workspace: Workspace, report: ScheduledReport) -> list[Membership]:
    """The active members holding one of the roles the report goes to."""
    roles = [ROLES[r] for r in report.to]
    return list(
        db.session.scalars(
            select(Membership)
            .join(User, User.id == Membership.user_id)
            .where(
                owned_by(Membership, workspace),
                Membership.role.in_(roles),
                Membership.active.is_(True),
            )
            .order_by(Membership.user_id)
        )
    )


def period_text(report: ScheduledReport, period: ReportPeriod, locale: str) -> str:
    """The period in `locale`: "December 2026", or a week's dates ("7 to 13 Dec 2026")."""
    if report.every == WEEK:
        return format_interval(period.first, period.last, "yMMMd", locale=locale)
    return format_date(period.first, "LLLL y", locale=locale)


def _locale(workspace: Workspace, user: User) -> str:
    return user.preferred_locale or workspace.locale or "en"


def _dashboard_link(workspace: Workspace, period: ReportPeriod) -> str:
    base = current_app.config["LEADLINE_BASE_URL"].rstrip("/")
    return f"{base}/w/{workspace.slug}/?from={period.first}&to={period.last}"


@operation
def send(
    workspace: Workspace,
    report: ScheduledReport,
    period: ReportPeriod,
    *,
    build: Build,
    actor: User | None,
    occurrence: str | None = None,
) -> int:
    """Send `report` for `period` to its recipients; returns how many messages are new.

    `occurrence` sets a sending apart from the scheduled one (a manager's "send now").
    """
    policy = policies.active_policy(workspace)
    metrics = metric_codes(policy, report)
    same = identity(report, period, metrics)
    written, reached = 0, []
    for membership in recipients(workspace, report):
        user = membership.user

        def key(channel: str, user: User = user) -> str:
            return events.outbox_key(
                "scheduled", workspace.id, same, occurrence or "", user.id, channel
            )

        if all(notifications.exists(key(c)) for c in report.channels):
            continue  # sent already: not even the figures are computed again
        locale = _locale(workspace, user)
        with force_locale(locale):
            built = build(workspace, policy, membership, period, metrics)
        if built is None:
            continue
        common = {
            "period": period_text(report, period, locale),
            "metrics": ", ".join(built.metrics),
            "link": _dashboard_link(workspace, period),
        }
        new = notifications.queue_per_channel(
            workspace.id,
            user,
            report.channels,
            lambda channel, built=built, common=common: _message(channel, built, common, period),
            key=key,
        )
        written += new
        if new:
            reached.append(user.id)
    if written:
        audit.record(
            workspace.id,
            SCHEDULED_REPORT_SENT,
            workspace,
            actor=actor,
            after={
                "every": report.every,
                "metrics": metrics,
                "period": {"from": period.first.isoformat(), "to": period.last.isoformat()},
                "recipients": reached,
                "channels": list(report.channels),
                "messages": written,
                "sent_now": occurrence is not None,
            },
        )
    return written


def _message(
    channel: str, built: Built, common: dict[str, Any], period: ReportPeriod
) -> tuple[str, dict[str, Any]]:
    if channel != "email":
        return LINK_TEMPLATE, common
    name = f"report_{period.first}_{period.last}.xlsx"
    return EMAIL_TEMPLATE, {
        **common,
        "attachments": [attachment_payload(name, XLSX_TYPE, built.xlsx)],
    }
