"""BDC-6: a customer not reached for the policy's N consecutive days may be marked lost.

Reviewed at every contact round. When the cadence needs no confirmation the lead moves to the
lost status at once; otherwise its owner (or, for a lead nobody owns, its team) gets a
"propose lost" task, and confirms it (the status changes through `outcomes.change_status`,
audited) or dismisses it from the lead page. A dismissal restarts the count: the next
proposal comes after another N days without reaching the customer.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Row, select, update

from tenants import Policy
from tenants.calendar import BusinessCalendar
from tenants.decisions.cadences import CadenceFacts, LostDecision, lost_decision
from tenants.errors import Refusal
from tenants.markers import N_
from webapp.audit_actions import LEAD_LOST_PROPOSAL_DISMISSED, LEAD_LOST_PROPOSED
from webapp.clock import now
from webapp.errors import UserError
from webapp.extensions import db
from webapp.live_versions import QUEUES
from webapp.models import Lead, Task, TaskState, User, Workspace
from webapp.tenancy import owned_by, scoped

from . import audit, outcomes, policies
from .task_kinds import LOST_PROPOSAL
from .unit import operation

DISMISSED = "dismissed"


def review(
    workspace: Workspace,
    policy: Policy,
    calendar: BusinessCalendar,
    moment: datetime,
    leads: list[Row],
    reached_at: dict[int, datetime],
) -> set[int]:
    """Propose (or make) lost every lead due for it; returns the ids of leads closed now."""
    proposals = _settle_open_proposals(workspace, {lead.id for lead in leads}, reached_at)
    dismissed = _last_dismissals(workspace)
    closed: set[int] = set()
    for lead in leads:
        facts = CadenceFacts(
            created_at=lead.created_at,
            lead_type=lead.lead_type,
            last_contact_at=reached_at.get(lead.id),
            lost_dismissed_at=dismissed.get(lead.id),
        )
        decision = lost_decision(policy, facts, moment, calendar)
        if decision is None:
            continue
        if not decision.requires_confirmation:
            _mark_lost(db.session.get(Lead, lead.id), decision)
            closed.add(lead.id)
        elif lead.id not in proposals:
            _propose(workspace, lead, decision, moment)
    return closed


def _reason(decision: LostDecision) -> str:
    return f"{decision.days} days without reaching the customer ({decision.cadence})"


def _mark_lost(lead: Lead, decision: LostDecision) -> None:
    outcomes.change_status(lead, decision.status, actor=None, reason=_reason(decision))


def _propose(workspace: Workspace, lead: Row, decision: LostDecision, moment: datetime) -> None:
    task = Task(
        workspace_id=workspace.id,
        lead_id=lead.id,
        kind=LOST_PROPOSAL,
        title=f"propose {decision.status}",
        due_at=moment,
        assignee_id=lead.owner_id,
        team_id=None if lead.owner_id else lead.team_id,
        details={"status": decision.status, "days": decision.days, "cadence": decision.cadence},
    )
    db.session.add(task)
    subject = db.session.get(Lead, lead.id)
    audit.record(
        workspace.id,
        LEAD_LOST_PROPOSED,
        subject,
        actor=None,
        after={"status": decision.status, "days": decision.days},
        reason=_reason(decision),
    )
    QUEUES.bump_after_commit(workspace.id, (lead.owner_id,))


def _open_proposals(workspace: Workspace) -> list[Task]:
    return list(
        db.session.scalars(
            scoped(Task, workspace).where(
                Task.kind == LOST_PROPOSAL,
                Task.state == TaskState.OPEN,
            )
        )
    )


def _settle_open_proposals(
    workspace: Workspace, open_ids: set[int], reached_at: dict[int, datetime]
) -> set[int]:
    """Withdraw proposals overtaken by events; returns the leads that keep an open one."""
    kept = set()
    for task in _open_proposals(workspace):
        if task.lead_id not in open_ids:
            _withdraw(task, "lead closed")
        elif reached_at.get(task.lead_id, task.created_at) > task.created_at:
            _withdraw(task, "customer reached")
        else:
            kept.add(task.lead_id)
    return kept


def _withdraw(task: Task, why: str) -> None:
    task.state = TaskState.CANCELLED
    task.completed_at = now()
    task.details = {**task.details, "closed": why}
    QUEUES.bump_after_commit(task.workspace_id, (task.assignee_id,))


def _last_dismissals(workspace: Workspace) -> dict[int, datetime]:
    rows = db.session.execute(
        select(Task.lead_id, Task.completed_at, Task.details).where(
            owned_by(Task, workspace),
            Task.kind == LOST_PROPOSAL,
            Task.state == TaskState.CANCELLED,
        )
    )
    last: dict[int, datetime] = {}
    for lead_id, completed_at, details in rows:
        if details.get("closed") == DISMISSED and completed_at is not None:
            last[lead_id] = max(completed_at, last.get(lead_id, completed_at))
    return last


def open_proposal(lead: Lead) -> Task | None:
    """The lead's open proposal to mark it lost, if it has one and is still open."""
    if lead.status in policies.active_policy(lead.workspace).intake.terminal_codes:
        return None
    return db.session.scalar(
        scoped(Task, lead.workspace_id).where(
            Task.lead_id == lead.id,
            Task.kind == LOST_PROPOSAL,
            Task.state == TaskState.OPEN,
        )
    )


def _claim(lead: Lead, state: TaskState) -> Task:
    """Close the lead's open proposal once, however many clicks race for it."""
    task = open_proposal(lead)
    if task is not None:
        claimed = db.session.execute(
            update(Task)
            .where(Task.id == task.id, Task.state == TaskState.OPEN)
            .values(state=state, completed_at=now())
            .execution_options(synchronize_session="fetch")
        ).rowcount
        if claimed:
            return task
    raise UserError("lost_proposal", Refusal(N_("this lead has no open proposal to mark it lost")))


@operation
def confirm(lead: Lead, *, actor: User | None) -> str:
    """Mark the lead lost as proposed (audited as a status change); returns the status."""
    task = _claim(lead, TaskState.DONE)
    task.details = {**task.details, "closed": "confirmed", "by": actor.id if actor else None}
    status = task.details["status"]
    reason = f"lost proposal confirmed: {task.details.get('days')} days without reaching"
    outcomes.change_status(lead, status, actor=actor, reason=reason)
    QUEUES.bump_after_commit(lead.workspace_id, (task.assignee_id, lead.owner_id))
    return status


@operation
def dismiss(lead: Lead, *, actor: User | None) -> None:
    """Keep working the lead: close the proposal; the count of days starts again."""
    task = _claim(lead, TaskState.CANCELLED)
    task.details = {**task.details, "closed": DISMISSED, "by": actor.id if actor else None}
    audit.record(
        lead.workspace_id,
        LEAD_LOST_PROPOSAL_DISMISSED,
        lead,
        actor=actor,
        after={"status": task.details["status"]},
    )
    QUEUES.bump_after_commit(lead.workspace_id, (task.assignee_id, lead.owner_id))
