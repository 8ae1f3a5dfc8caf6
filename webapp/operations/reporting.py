"""The weekly cut-off (CCIMA-7, CCIMA-8), a recurring workspace clock.

At the policy's weekday and time (its `reporting.weekly_cutoff`, in the department's zone) the
week closes. For every advisor this gathers their leads, asks tenants.decisions.reporting
which are incomplete and what the report says, stores the report (one row per advisor and
cut-off: firing again writes and sends nothing new) and sends it in-app and on the policy's
channels to the advisor and their managers. Whoever the `reporting.cutoff_incomplete` rule
names hears of an advisor's incomplete leads.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import func, or_, select

from tenants import Policy
from tenants.calendar import BusinessCalendar
from tenants.decisions.reporting import (
    LeadRecord,
    Week,
    next_cutoff,
    policy_in_effect,
    week_ending,
    weekly_report,
)
from tenants.decisions.reporting import WeeklyReport as Report
from webapp.extensions import db
from webapp.models import (
    Activity,
    AuditEvent,
    Deadline,
    Lead,
    Membership,
    Role,
    WeeklyReport,
    Workspace,
)
from webapp.tenancy import owned_by, scoped

from . import audit, events, notifications, policies, recurring
from .unit import operation

CUTOFF = "reporting.cutoff"
INCOMPLETE_EVENT = "reporting.cutoff_incomplete"
REPORT_TEMPLATE = "weekly_report"
# How set_status records a move (webapp.operations.leads): the status history's source.
STATUS_ACTIONS = ("lead.status", "lead.invalidated")
# The names a policy's required_fields use for a lead's columns.
LEAD_COLUMNS = {
    "name": "contact_name",
    "customer_name": "contact_name",
    "phone": "phone_raw",
    "email": "email_raw",
    "account": "account_id",
    "account_ref": "account_id",
}
# An incomplete-leads message names this many leads; the page lists them all.
NAMES_IN_MESSAGE = 10


@recurring.clock(CUTOFF, next_at=next_cutoff)
def close_week(workspace: Workspace, deadline: Deadline) -> None:
    """The cut-off's deadline fired: close the week that ends at its time."""
    run_cutoff(workspace, deadline.due_at, occurrence=deadline.id)


@operation
def run_cutoff(workspace: Workspace, cutoff_at: datetime, *, occurrence: object) -> int:
    """Make, store and send every advisor's report for the week ending `cutoff_at`; returns
    how many reports were new. `occurrence` keys the messages (the deadline's id)."""
    policy = policies.active_policy(workspace)
    if not policy_in_effect(policy, cutoff_at):  # CCIMA-14
        return 0
    week = week_ending(policy, cutoff_at)
    members = _receiving_members(workspace)
    records = _records(workspace, policy, week, [m.user_id for m in members])
    done = set(
        db.session.scalars(
            select(WeeklyReport.user_id).where(
                owned_by(WeeklyReport, workspace), WeeklyReport.cutoff_at == cutoff_at
            )
        )
    )
    made = 0
    incomplete = 0
    for member in members:
        if member.user_id in done or not _reports_weekly(member, records):
            continue
        report = weekly_report(policy, week, records.get(member.user_id, []))
        row = _store(member, week, report)
        _send(member, policy, row, report, occurrence)
        made += 1
        incomplete += bool(report.incomplete)
    audit.record(
        workspace.id,
        "reporting.cutoff",
        workspace,
        actor=None,
        after={"cutoff_at": cutoff_at.isoformat(), "reports": made, "incomplete": incomplete},
    )
    return made


def _reports_weekly(member: Membership, records: dict[int, list[LeadRecord]]) -> bool:
    """Every authorised advisor reports, with or without leads (CCIMA-2, CCIMA-8); anyone
    else (a manager, an advisor no longer authorised) only for leads of their own."""
    return (member.role == Role.AGENT and member.authorised) or member.user_id in records


def _receiving_members(workspace: Workspace) -> list[Membership]:
    return list(
        db.session.scalars(
            select(Membership)
            .where(
                owned_by(Membership, workspace),
                Membership.role.in_((Role.AGENT, Role.MANAGER)),
            )
            .order_by(Membership.user_id)
        )
    )


def _records(
    workspace: Workspace, policy: Policy, week: Week, owner_ids: list[int]
) -> dict[int, list[LeadRecord]]:
    """Each owner's leads the week can speak of: received before the cut-off, and open or
    touched since the week began."""
    if not owner_ids:
        return {}
    leads = db.session.scalars(
        scoped(Lead, workspace).where(
            Lead.owner_id.in_(owner_ids),
            Lead.created_at < week.end,
            or_(
                Lead.status.not_in(policy.intake.terminal_codes or {""}),
                Lead.updated_at >= week.start,
            ),
        )
    ).all()
    ids = [lead.id for lead in leads]
    moves = _status_moves(workspace, ids, week.end)
    worked = _last_activities(ids, week.end)
    by_owner: dict[int, list[LeadRecord]] = defaultdict(list)
    for lead in leads:
        by_owner[lead.owner_id].append(
            LeadRecord(
                lead_id=lead.id,
                contact_name=lead.contact_name,
                received_at=lead.created_at,
                status=lead.status,
                rating=lead.rating,
                source=lead.source,
                values=_values(lead, policy.intake.required_fields),
                status_changes=tuple(moves.get(lead.id, ())),
                last_activity_at=worked.get(lead.id),
            )
        )
    return by_owner


def _status_moves(
    workspace: Workspace, lead_ids: list[int], until: datetime
) -> dict[int, list[tuple[datetime, str]]]:
    if not lead_ids:
        return {}
    rows = db.session.execute(
        select(AuditEvent.subject_id, AuditEvent.created_at, AuditEvent.after)
        .where(
            owned_by(AuditEvent, workspace),
            AuditEvent.subject_type == Lead.__tablename__,
            AuditEvent.subject_id.in_(lead_ids),
            AuditEvent.action.in_(STATUS_ACTIONS),
            AuditEvent.created_at < until,
        )
        .order_by(AuditEvent.created_at, AuditEvent.id)
    )
    moves: dict[int, list[tuple[datetime, str]]] = defaultdict(list)
    for lead_id, at, after in rows.all():
        if (after or {}).get("status"):
            moves[lead_id].append((at, after["status"]))
    return moves


def _last_activities(lead_ids: list[int], until: datetime) -> dict[int, datetime]:
    if not lead_ids:
        return {}
    rows = db.session.execute(
        select(Activity.lead_id, func.max(Activity.occurred_at))
        .where(Activity.lead_id.in_(lead_ids), Activity.occurred_at < until)
        .group_by(Activity.lead_id)
    )
    return dict(rows.all())


def _values(lead: Lead, names: list[str]) -> dict[str, Any]:
    """The lead's value for each field name the policy requires."""
    values = {}
    for name in names:
        column = LEAD_COLUMNS.get(name, name)
        if column in Lead.__table__.columns:
            values[name] = getattr(lead, column)
        else:
            values[name] = (lead.attributes or {}).get(name)
    return values


def _store(member: Membership, week: Week, report: Report) -> WeeklyReport:
    row = WeeklyReport(
        workspace_id=member.workspace_id,
        cutoff_at=week.end,
        week_start=week.start,
        user_id=member.user_id,
        team_id=member.team_id,
        figures=report.figures,
        received_by_source=report.received_by_source,
        incomplete=[
            {
                "lead_id": x.lead_id,
                "contact_name": x.contact_name,
                "reasons": list(x.reasons),
                "missing_fields": list(x.missing_fields),
            }
            for x in report.incomplete
        ],
    )
    db.session.add(row)
    db.session.flush()
    return row


def _send(
    member: Membership, policy: Policy, row: WeeklyReport, report: Report, occurrence: object
) -> None:
    """The report to the advisor and their managers; the incomplete leads to the rule's roles."""
    workspace = member.workspace
    common = {
        "advisor": member.user.name,
        "week_end": BusinessCalendar(policy.calendar).local(row.cutoff_at).date().isoformat(),
        "link": _page_link(workspace),
    }
    channels = list(dict.fromkeys(["in_app", *policy.notifications.default_channels]))
    for person in events.member_recipients(member, policy.reporting.weekly_report_recipients):
        for channel in channels:
            notifications.queue_message(
                workspace.id,
                person,
                channel,
                REPORT_TEMPLATE,
                {**common, "report_id": row.id, "figures": report.figures},
                key=events.outbox_key(
                    REPORT_TEMPLATE, occurrence, member.user_id, person.id, channel
                ),
            )
    if report.incomplete:
        names = [x.contact_name for x in report.incomplete]
        shown = ", ".join(names[:NAMES_IN_MESSAGE]) + ("…" if len(names) > NAMES_IN_MESSAGE else "")
        events.notify_member(
            member,
            INCOMPLETE_EVENT,
            {**common, "count": len(names), "names": shown},
            occurrence=occurrence,
        )


def _page_link(workspace: Workspace) -> str:
    base = current_app.config["LEADLINE_BASE_URL"].rstrip("/")
    return f"{base}/w/{workspace.slug}/reports/weekly"
