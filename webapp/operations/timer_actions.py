"""What a policy timer does when it runs out: its actions, each by a registered kind."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from webapp.audit_actions import LEAD_FLAGGED, TASK_CREATED
from webapp.extensions import db
from webapp.live_versions import QUEUES
from webapp.models import Deadline, Lead, PartnerOrganisation, PolicyVersion, Task, Team
from webapp.tenancy import scoped

from . import allocation, assignment, audit, deadlines, leads, notifications, policies, recipients

POLICY_TIMER = "policy_timer"

ActionFn = Callable[[Any, Deadline, Lead, dict], None]
ACTIONS: dict[str, ActionFn] = {}


def action(kind: str) -> Callable[[ActionFn], ActionFn]:
    def register(fn: ActionFn) -> ActionFn:
        ACTIONS[kind] = fn
        return fn

    return register


@deadlines.on_fire(POLICY_TIMER)
def run_timer(deadline: Deadline) -> None:
    """Run the expired timer's actions, as the policy version that started it defines them."""
    lead = deadline.lead
    version = db.session.get(PolicyVersion, deadline.payload.get("policy_version_id"))
    if lead is None or version is None:
        return
    timer = next((t for t in policies.policy_of(version).timers if t.name == deadline.kind), None)
    if timer is None:
        return
    context: dict[str, Any] = {
        "previous_owner_id": lead.owner_id,
        "actor_id": deadline.payload.get("actor_id"),
    }
    for step in timer.actions:
        ACTIONS[step.kind](step, deadline, lead, context)


@action("reassign")
def _reassign(step, deadline: Deadline, lead: Lead, context: dict) -> None:
    assignment.assign(
        lead, actor=None, strategy=step.strategy, exclude_current=step.exclude_current
    )
    QUEUES.bump_after_commit(lead.workspace_id, (context["previous_owner_id"], lead.owner_id))


@action("reallocate")
def _reallocate(step, deadline: Deadline, lead: Lead, context: dict) -> None:
    """CPB-2: the review was missed; the organisation the lead names next gets it."""
    named = (lead.attributes or {}).get(step.organisation_from_field)
    organisation = db.session.get(PartnerOrganisation, int(named)) if str(named).isdigit() else None
    if organisation is None or organisation.workspace_id != lead.workspace_id:
        return
    if organisation.id == lead.partner_organisation_id:
        return
    allocation.allocate(lead, organisation, actor=None, reason=f"{deadline.kind} missed")


@action("notify")
def _notify(step, deadline: Deadline, lead: Lead, context: dict) -> None:
    payload = {
        "lead_id": lead.id,
        "contact_name": lead.contact_name,
        "timer": deadline.kind,
        "previous_owner_id": context["previous_owner_id"],
        "owner_id": lead.owner_id,
    }
    notifications.queue_for(
        lead.workspace_id,
        recipients.resolve(lead, list(step.roles), context),
        step.channels,
        step.template,
        payload,
        key=lambda person, channel: f"deadline:{deadline.id}:{step.template}:{person.id}:{channel}",
    )


@action("create_task")
def _create_task(step, deadline: Deadline, lead: Lead, context: dict) -> None:
    if "task_ids" in deadline.payload:  # made when the timer started, due now (L411-3)
        return
    assignees = {"assignee": lead.owner_id, "actor": context["actor_id"]}
    team = None
    if step.assignee == "team":
        team = db.session.scalar(scoped(Team, lead.workspace_id).where(Team.code == step.team))
    task = Task(
        workspace_id=lead.workspace_id,
        lead_id=lead.id,
        kind=step.task,
        title=step.task,
        due_at=deadline.due_at,
        assignee_id=assignees.get(step.assignee),
        team_id=team.id if team else None,
        details={"script": step.script, "timer": deadline.kind},
    )
    db.session.add(task)
    QUEUES.bump_after_commit(lead.workspace_id, (task.assignee_id,))
    audit.record(
        lead.workspace_id,
        TASK_CREATED,
        lead,
        actor=None,
        after={"task": step.task, "assignee_id": task.assignee_id},
        reason=f"timer {deadline.kind}",
    )


@action("set_status")
def _set_status(step, deadline: Deadline, lead: Lead, context: dict) -> None:
    leads.set_status(lead, step.status, actor=None, reason=f"timer {deadline.kind}")


@action("flag_breach")
def _flag_breach(step, deadline: Deadline, lead: Lead, context: dict) -> None:
    earlier = lead.attributes.get("flags", [])
    flags = sorted({*earlier, step.flag})
    lead.attributes = {**lead.attributes, "flags": flags}
    audit.record(
        lead.workspace_id,
        LEAD_FLAGGED,
        lead,
        actor=None,
        before={"flags": earlier},
        after={"flag": step.flag, "flags": flags},
        reason=f"timer {deadline.kind}",
    )
