"""What the lead page shows: the lead in the policy's words, its gates, script and timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import joinedload

from tenants.decisions import check_gates
from webapp.audit_actions import ACTIVITY_LOGGED, timer_label
from webapp.clock import now
from webapp.extensions import db
from webapp.models import Activity, AuditEvent, Deadline, DeadlineState, Lead, Task, TaskState
from webapp.operations import acknowledgements, deadlines, lead_edits, lost_proposals, policies
from webapp.operations import tasks as tasks_ops
from webapp.operations.accounts import gate_facts
from webapp.policy.labels import PolicyLabels
from webapp.queue import tasks_ui
from webapp.queue.queries import hot_flags
from webapp.tenancy import current_membership, scoped

from . import history
from .forms import LeadEditForm, OutcomeForm, StatusForm, outcome_facts
from .intake_fields import edit_values, lead_details, policy_inputs

# A reminder is sent, or not needed once its timer was met or ran out; it is never "met".
REMINDER_STATE_LABELS = {
    DeadlineState.PENDING: _l("scheduled"),
    DeadlineState.FIRED: _l("sent"),
    DeadlineState.CANCELLED: _l("not needed"),
}
FACT_LABELS = {"requested_callback": _l("The customer asked to be called back today")}


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


def timeline(lead: Lead, labels: PolicyLabels) -> list[Entry]:
    activities = db.session.scalars(
        scoped(Activity).options(joinedload(Activity.user)).where(Activity.lead_id == lead.id)
    ).all()
    tasks = _tasks(lead)
    events = db.session.scalars(
        scoped(AuditEvent)
        .options(joinedload(AuditEvent.actor))
        .where(AuditEvent.subject_type == "leads", AuditEvent.subject_id == lead.id)
    ).all()
    events = [e for e in events if e.action != ACTIVITY_LOGGED]
    reader = history.Reader(labels, events)
    entries = [
        *(Entry(a.occurred_at, "activity", a) for a in activities),
        *(Entry(t.created_at, "task", t) for t in tasks),
        *(Entry(e.created_at, "event", reader.line(e)) for e in events),
    ]
    return sorted(entries, key=lambda e: e.at, reverse=True)


def context(
    lead: Lead,
    outcome_form: OutcomeForm | None = None,
    status_form: StatusForm | None = None,
    edit_form: LeadEditForm | None = None,
    edit_errors: dict[str, list[str]] | None = None,
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
        "timeline": timeline(lead, labels),
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
        "details": lead_details(lead.workspace, labels, lead.attributes or {}, lead.lead_type),
        **_editing(lead, labels, edit_form, edit_errors),
        "won_labels": [labels.status(c) for c in sorted(policy.intake.won_codes)],
        "commission_sharing": policy.reporting.commission_sharing is not None,  # CCIMA-13
        "fact_label": fact_label,
        "timer_label": timer_label,
        "contact_channel_label": lambda code: labels.contact_channel(code) if code else "",
        "lost_proposal": lost_proposals.open_proposal(lead),  # BDC-6
        "reminder_kind": deadlines.REMINDER,
        "reminder_state_label": reminder_state_label,
        **tasks_ui.HELPERS,
        **_acknowledgement(lead, policy),
    }


def _editing(
    lead: Lead,
    labels: PolicyLabels,
    form: LeadEditForm | None,
    errors: dict[str, list[str]] | None,
) -> dict[str, Any]:
    """The Edit lead form: for the lead's owner and the managers; open when it was refused."""
    me = current_user._get_current_object()
    if not lead_edits.may_edit(lead, me, current_membership()):
        return {"may_edit": False}
    refused = form is not None
    if form is None:
        form = LeadEditForm(formdata=None, obj=None, **lead_edits.current(lead))
    form.use_policy(labels)
    values = request.form if refused else edit_values(lead)
    return {
        "may_edit": True,
        "edit_form": form,
        "edit_open": refused,
        "edit_offered": form.offered(labels.policy),
        "edit_errors": errors or {},
        "edit_values": values,
        "inputs": policy_inputs(lead.workspace, labels),
        "type_labels": lambda codes: ", ".join(labels.lead_type(c) for c in codes),
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
