"""What the lead page shows: the lead in the policy's words, its gates, script and timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import joinedload

from tenants.decisions import check_gates
from webapp.clock import now
from webapp.extensions import db
from webapp.models import Activity, AuditEvent, Deadline, DeadlineState, Lead, Task, TaskState
from webapp.operations import acknowledgements, deadlines, lost_proposals, policies
from webapp.operations import tasks as tasks_ops
from webapp.operations.accounts import gate_facts
from webapp.policy.labels import PolicyLabels
from webapp.queue import tasks_ui
from webapp.queue.queries import hot_flags
from webapp.tenancy import scoped

from .forms import OutcomeForm, StatusForm, outcome_facts
from .intake_fields import lead_details

ACTION_LABELS = {
    "lead.created": _l("Lead received"),
    "lead.assigned": _l("Assigned"),
    "lead.unassigned": _l("Left unassigned"),
    "lead.awaiting_opening": _l("Waiting for the opening hours"),
    "lead.status": _l("Status changed"),
    "lead.invalidated": _l("Marked invalid"),
    "lead.transferred": _l("Transferred to a team"),
    "lead.referred": _l("Referral created"),
    "lead.request_joined": _l("New request joined this file"),
    "lead.flagged": _l("Flagged"),
    "lead.registered": _l("Registered with the source's team"),
    "deal.closed": _l("Deal closed: team told and announced"),
    "duplicate.invalidated": _l("Previous owner told of the duplicate"),
    "assignment.manager_tagged": _l("Manager's assistant tagged"),
    "lead.acknowledged": _l("Acknowledged by the partner"),
    "lead.lost_proposed": _l("Proposed as lost: not reached for days"),
    "lead.lost_proposal_dismissed": _l("Kept open: lost proposal dismissed"),
    "activity.logged": _l("Activity logged"),
    "task.created": _l("Task created"),
    "task.updated": _l("Listed on the open task"),
    "task.done": _l("Task done"),
    "task.cancelled": _l("Task cancelled"),
    "deadline.fired": _l("Deadline expired"),
    "deadline.cancelled": _l("Deadline met"),
}
# A reminder is sent, or not needed once its timer was met or ran out; it is never "met".
REMINDER_STATE_LABELS = {
    DeadlineState.PENDING: _l("scheduled"),
    DeadlineState.FIRED: _l("sent"),
    DeadlineState.CANCELLED: _l("not needed"),
}
FACT_LABELS = {"requested_callback": _l("The customer asked to be called back today")}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def reminder_state_label(state: DeadlineState) -> str:
    return str(REMINDER_STATE_LABELS[DeadlineState(state)])


def fact_label(fact: str) -> str:
    return str(FACT_LABELS.get(fact, fact.replace("_", " ").capitalize()))


@dataclass(frozen=True)
class Entry:
    """One line of the timeline: an activity, a task or an audit event."""

    at: datetime
    kind: str
    row: Any


def timeline(lead: Lead) -> list[Entry]:
    activities = db.session.scalars(
        scoped(Activity).options(joinedload(Activity.user)).where(Activity.lead_id == lead.id)
    ).all()
    tasks = _tasks(lead)
    events = db.session.scalars(
        scoped(AuditEvent)
        .options(joinedload(AuditEvent.actor))
        .where(AuditEvent.subject_type == "leads", AuditEvent.subject_id == lead.id)
    ).all()
    entries = [
        *(Entry(a.occurred_at, "activity", a) for a in activities),
        *(Entry(t.created_at, "task", t) for t in tasks),
        *(Entry(e.created_at, "event", e) for e in events if e.action != "activity.logged"),
    ]
    return sorted(entries, key=lambda e: e.at, reverse=True)


def context(
    lead: Lead, outcome_form: OutcomeForm | None = None, status_form: StatusForm | None = None
) -> dict[str, Any]:
    """Everything lead.html renders."""
    policy = policies.active_policy(lead.workspace)
    labels = PolicyLabels.for_request(policy)
    outcome_form = outcome_form or OutcomeForm(formdata=None)
    status_form = status_form or StatusForm(formdata=None, status=lead.status)
    outcome_form.use_policy(labels)
    status_form.use_policy(labels)
    open_tasks = [t for t in _tasks(lead) if t.state == TaskState.OPEN]
    account_flags = set((lead.account.flags or {}).get("set", [])) if lead.account else set()
    return {
        "lead": lead,
        "labels": labels,
        "policy": policy,
        "flags": sorted(account_flags & set(hot_flags(policy))),
        "gates": check_gates(policy, gate_facts(lead.account), now()) if lead.account else [],
        "gate_cards": gate_cards(policy),
        "open_tasks": open_tasks,
        "scripts": [s for s in (labels.script(t.details.get("script")) for t in open_tasks) if s],
        "deadlines": db.session.scalars(
            scoped(Deadline).where(Deadline.lead_id == lead.id).order_by(Deadline.due_at)
        ).all(),
        "timeline": timeline(lead),
        # The lead this one duplicates, when the member sees it too (CPB-10).
        "duplicate_of": db.session.scalar(scoped(Lead).where(Lead.id == lead.duplicate_of_id))
        if lead.duplicate_of_id
        else None,
        "duplicates": db.session.scalars(
            scoped(Lead).where(Lead.duplicate_of_id == lead.id).order_by(Lead.created_at)
        ).all(),
        "outcome_form": outcome_form,
        "status_form": status_form,
        "facts": outcome_facts(policy),
        "details": lead_details(lead.workspace, labels, lead.attributes or {}),
        "won_labels": [labels.status(c) for c in sorted(policy.intake.won_codes)],
        "action_label": action_label,
        "fact_label": fact_label,
        "lost_proposal": lost_proposals.open_proposal(lead),  # BDC-6
        "reminder_kind": deadlines.REMINDER,
        "reminder_state_label": reminder_state_label,
        **tasks_ui.HELPERS,
        **_acknowledgement(lead, policy),
    }


def gate_cards(policy) -> dict[str, str]:
    """The card each open-card gate waits for, by gate: its line offers to close it (L411-9)."""
    return {g.name: g.when.card for g in policy.gates if g.when.condition == "open_card"}


def _acknowledgement(lead: Lead, policy) -> dict[str, Any]:
    """Whether the policy asks for an acknowledgement, who gave it, whether I may (CPB-2)."""
    if not acknowledgements.policy_asks_for_it(policy):
        return {"asks_acknowledgement": False, "acknowledged": None, "may_acknowledge": False}
    done = acknowledgements.acknowledgement(lead)
    me = current_user._get_current_object()
    return {
        "asks_acknowledgement": True,
        "acknowledged": done,
        "may_acknowledge": done is None and acknowledgements.may_acknowledge(lead, me),
    }


def _tasks(lead: Lead) -> list[Task]:
    """Its own tasks, and the account's open task that lists its delivery (L411-3)."""
    return tasks_ops.tasks_of(lead)
