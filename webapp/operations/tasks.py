"""Tasks: made when their timer starts, closed by hand, by the outcome they ask for, or when
their lead is closed (L411-3, L411-6, L411-8, L411-10).

A task a timer makes (L411-3's callback) exists from the moment the timer starts, due when it
runs out; the timer's `cancelled_by` events are what the task asks for, so they close it too,
even after it fell due. A callback an outcome schedules asks for the next outcome. A ticket
asks for nothing the lead records: its team closes it by hand.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from tenants import Policy
from tenants.policy.timers import CreateTask, Timer
from webapp.audit_actions import TASK_CANCELLED, TASK_CREATED, TASK_DONE, TASK_UPDATED
from webapp.clock import now
from webapp.extensions import db
from webapp.live_versions import QUEUES
from webapp.models import Deadline, Lead, Membership, Role, Task, TaskState, Team, User
from webapp.tenancy import owned_by, scoped

from . import audit, deadlines, policies
from .task_kinds import CADENCE_TASKS
from .unit import operation

# The event an outcome raises: what a callback asks for.
OUTCOME_RECORDED = "outcome.recorded"
# Who may close anyone's task; a manager may close the tasks of their team's members.
OVERSEERS = (Role.ADMIN, Role.DIRECTOR)


class CloseRefused(Exception):
    """Why a task was not closed: the caller may not (403), or it is not open (409)."""

    class Reason(enum.StrEnum):
        NOT_ALLOWED = "not_allowed"
        NOT_OPEN = "not_open"
        MANAGED = "managed"

    def __init__(self, reason: CloseRefused.Reason) -> None:
        super().__init__(reason.value)
        self.reason = reason


# --- Reading ---------------------------------------------------------------------------------


def lead_ids(task: Task) -> list[int]:
    """The leads a task is about: its own, and each delivery listed on it since."""
    listed = [d["lead_id"] for d in task.details.get("deliveries", []) if d.get("lead_id")]
    return list(dict.fromkeys([*([task.lead_id] if task.lead_id else []), *listed]))


def tasks_of(lead: Lead) -> list[Task]:
    """The lead's tasks, and the open ones of its account that list it, by due time."""
    own = db.session.scalars(scoped(Task, lead.workspace_id).where(Task.lead_id == lead.id)).all()
    return sorted({*own, *_listing(lead)}, key=lambda t: (t.due_at, t.id))


def _listing(lead: Lead) -> list[Task]:
    """Open tasks on another lead of the same account that list this lead's delivery."""
    if lead.account_id is None:
        return []
    candidates = db.session.scalars(
        select(Task)
        .join(Lead, Lead.id == Task.lead_id)
        .where(
            owned_by(Task, lead.workspace_id),
            Task.state == TaskState.OPEN,
            Lead.account_id == lead.account_id,
            Task.lead_id != lead.id,
        )
    ).all()
    return [t for t in candidates if lead.id in lead_ids(t)]


def may_close(task: Task, user: User | None, membership: Membership | None) -> bool:
    """The task's assignee (or, for a team's task, a member of the team), the manager of the
    assignee's team, an administrator or a director."""
    if user is None or membership is None or membership.workspace_id != task.workspace_id:
        return False
    if membership.role in OVERSEERS:
        return True
    if task.assignee_id is not None and task.assignee_id == user.id:
        return True
    if task.assignee_id is None and task.team_id is not None:
        return membership.team_id == task.team_id
    if membership.role != Role.MANAGER or task.assignee_id is None:
        return False
    if membership.team_id is None:
        return True  # a manager without a team manages the whole workspace's queue
    assignee_team = db.session.scalar(
        select(Membership.team_id).where(
            owned_by(Membership, task.workspace_id), Membership.user_id == task.assignee_id
        )
    )
    return assignee_team == membership.team_id


def managed(kind: str) -> bool:
    """A cadence's task (a round, a touch, a lost proposal): its own clocks close it."""
    return kind in CADENCE_TASKS


def closable(task: Task) -> bool:
    """Open and closed by people, not by a cadence's clocks."""
    return task.state == TaskState.OPEN and not managed(task.kind)


# --- Creating --------------------------------------------------------------------------------


def new_task(
    lead: Lead,
    kind: str,
    *,
    due_at: datetime | None = None,
    assignee_id: int | None = None,
    team: Team | None = None,
    details: dict[str, Any] | None = None,
    actor: User | None = None,
    reason: str = "",
) -> Task:
    """Add a task on `lead` (audited, the assignee's queue told)."""
    task = Task(
        workspace_id=lead.workspace_id,
        lead_id=lead.id,
        kind=kind,
        title=kind,
        due_at=due_at or now(),
        assignee_id=assignee_id,
        team_id=team.id if team else None,
        details=details or {},
    )
    db.session.add(task)
    QUEUES.bump_after_commit(lead.workspace_id, (assignee_id,))
    audit.record(
        lead.workspace_id,
        TASK_CREATED,
        lead,
        actor=actor,
        after={
            "task": kind,
            "assignee_id": assignee_id,
            "team": team.code if team else None,
            "due_at": task.due_at.isoformat(),
        },
        reason=reason,
    )
    return task


def _assignee_id(step: CreateTask, lead: Lead, actor: User | None) -> int | None:
    return {"assignee": lead.owner_id, "actor": actor.id if actor else None}.get(step.assignee)


def _team(lead: Lead, code: str | None) -> Team | None:
    if code is None:
        return None
    return db.session.scalar(scoped(Team, lead.workspace_id).where(Team.code == code))


def _open_for_account(lead: Lead, kind: str, assignee_id: int | None) -> Task | None:
    """The assignee's open task of `kind` on a lead of the same account, if any."""
    if lead.account_id is None or assignee_id is None:
        return None
    return db.session.scalar(
        select(Task)
        .join(Lead, Lead.id == Task.lead_id)
        .where(
            owned_by(Task, lead.workspace_id),
            Task.kind == kind,
            Task.assignee_id == assignee_id,
            Task.state == TaskState.OPEN,
            Lead.account_id == lead.account_id,
            Lead.id != lead.id,
        )
        .order_by(Task.due_at, Task.id)
        .limit(1)
    )


def _delivery(lead: Lead) -> dict[str, Any]:
    return {"lead_id": lead.id, "contact_name": lead.contact_name, "at": now().isoformat()}


def start_for_timer(lead: Lead, timer: Timer, deadline: Deadline, actor: User | None) -> None:
    """The tasks `timer`'s create_task actions make, made now and due when it runs out, so the
    queue counts down to them (L411-3). With `while_open: update`, a lead for an account whose
    task of that kind is still open for the same person is listed on that task instead
    (one open callback per account and agent)."""
    made: list[int] = []
    for step in timer.actions:
        if not isinstance(step, CreateTask):
            continue
        assignee_id = None if step.assignee == "team" else _assignee_id(step, lead, actor)
        task = None
        if step.while_open == "update":
            task = _open_for_account(lead, step.task, assignee_id)
        if task is not None:
            task.details = {
                **task.details,
                "deliveries": [*task.details.get("deliveries", []), _delivery(lead)],
                "deadline_ids": [*task.details.get("deadline_ids", []), deadline.id],
            }
            QUEUES.bump_after_commit(lead.workspace_id, (assignee_id,))
            audit.record(
                lead.workspace_id,
                TASK_UPDATED,
                lead,
                actor=actor,
                after={"task_id": task.id, "deliveries": len(task.details["deliveries"])},
                reason=f"timer {timer.name}: listed on the open {step.task}",
            )
        else:
            task = new_task(
                lead,
                step.task,
                due_at=deadline.due_at,
                assignee_id=assignee_id,
                team=_team(lead, step.team) if step.assignee == "team" else None,
                details={
                    "script": step.script,
                    "timer": timer.name,
                    "closed_by": list(timer.cancelled_by),
                    "deadline_ids": [deadline.id],
                    "deliveries": [_delivery(lead)] if lead.account_id else [],
                },
                actor=actor,
                reason=f"timer {timer.name}",
            )
            db.session.flush()
        made.append(task.id)
    if made:
        deadline.payload = {**deadline.payload, "task_ids": made}


# --- Closing ---------------------------------------------------------------------------------


def _close(
    task: Task, state: TaskState, *, actor: User | None, reason: str, note: str = ""
) -> bool:
    """Close an open task once (a compare-and-set), audited on its lead; its timers that are
    still pending have nothing left to wait for and are cancelled."""
    moment = now()
    changed = db.session.execute(
        update(Task)
        .where(Task.id == task.id, Task.state == TaskState.OPEN)
        .values(state=state, completed_at=moment)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        return False
    db.session.refresh(task)
    # "closed" says why, as the cadences' tasks do; who and their note beside it.
    task.details = {
        **task.details,
        "closed": reason,
        "closed_by_id": actor.id if actor else None,
        **({"note": note[:500]} if note else {}),
    }
    subject = task.lead if task.lead is not None else task
    audit.record(
        task.workspace_id,
        TASK_DONE if state == TaskState.DONE else TASK_CANCELLED,
        subject,
        actor=actor,
        before={"task_id": task.id, "state": TaskState.OPEN.value},
        after={"task_id": task.id, "task": task.kind, "state": state.value, "note": note[:200]},
        reason=reason,
    )
    QUEUES.bump_after_commit(task.workspace_id, (task.assignee_id, actor.id if actor else None))
    for deadline_id in task.details.get("deadline_ids", []):
        deadline = db.session.get(Deadline, deadline_id)
        if deadline is not None and deadline.workspace_id == task.workspace_id:
            deadlines.cancel(deadline, reason=f"task {task.kind} {state.value}")
    return True


@operation
def complete(task: Task, *, actor: User, membership: Membership | None, note: str = "") -> Task:
    """Done by hand, by someone allowed to (its assignee, their manager, an administrator)."""
    _check(task, actor, membership)
    if not _close(task, TaskState.DONE, actor=actor, reason="done by hand", note=note):
        raise CloseRefused(CloseRefused.Reason.NOT_OPEN)
    return task


@operation
def cancel(task: Task, *, actor: User, membership: Membership | None, note: str = "") -> Task:
    """Cancelled by hand: nothing is left to do (same people as complete)."""
    _check(task, actor, membership)
    if not _close(task, TaskState.CANCELLED, actor=actor, reason="cancelled by hand", note=note):
        raise CloseRefused(CloseRefused.Reason.NOT_OPEN)
    return task


@operation
def close_by_key(
    task: Task, state: TaskState, *, by: User | None, via: str, note: str = ""
) -> Task:
    """Done or cancelled over the API, for `by` (checked by the caller) or a manager's key."""
    if managed(task.kind):
        raise CloseRefused(CloseRefused.Reason.MANAGED)
    if not _close(task, state, actor=by, reason=via, note=note):
        raise CloseRefused(CloseRefused.Reason.NOT_OPEN)
    return task


def _check(task: Task, actor: User, membership: Membership | None) -> None:
    if not may_close(task, actor, membership):
        raise CloseRefused(CloseRefused.Reason.NOT_ALLOWED)
    if managed(task.kind):
        raise CloseRefused(CloseRefused.Reason.MANAGED)


def asks_for(task: Task, policy: Policy) -> list[str]:
    """The events that close `task`: as stored when it was made; for a task made before they
    were stored, a callback asks for an outcome and a timer's task for its timer's events."""
    if "closed_by" in task.details:
        return list(task.details["closed_by"])
    if "outcome" in task.details and task.team_id is None:
        return [OUTCOME_RECORDED]
    timer = next((t for t in policy.timers if t.name == task.details.get("timer")), None)
    return list(timer.cancelled_by) if timer else []


def close_answered(lead: Lead, events: Collection[str], *, actor: User | None) -> list[Task]:
    """Close the lead's open tasks that ask for one of `events` (its own, and the account's
    task listing it): the outcome that answers a callback closes that callback."""
    if not events:
        return []
    open_own = db.session.scalars(
        scoped(Task, lead.workspace_id).where(
            Task.lead_id == lead.id,
            Task.state == TaskState.OPEN,
        )
    ).all()
    policy = policies.active_policy(lead.workspace)
    answered = [
        t
        for t in [*open_own, *_listing(lead)]
        if not managed(t.kind) and set(asks_for(t, policy)) & set(events)
    ]
    reason = f"answered: {', '.join(sorted(set(events)))}"
    return [t for t in answered if _close(t, TaskState.DONE, actor=actor, reason=reason)]


def lead_closed(lead: Lead, *, actor: User | None) -> list[Task]:
    """A lead reached a terminal status: its open tasks are cancelled, done or kept, as the
    policy's `tasks.on_lead_closed` says."""
    choice = policies.active_policy(lead.workspace).tasks.on_lead_closed
    if choice == "keep":
        return []
    state = TaskState.DONE if choice == "done" else TaskState.CANCELLED
    pending: Iterable[Task] = db.session.scalars(
        scoped(Task, lead.workspace_id).where(
            Task.lead_id == lead.id,
            Task.state == TaskState.OPEN,
        )
    ).all()
    reason = f"lead {lead.status}"
    return [
        t for t in pending if not managed(t.kind) and _close(t, state, actor=actor, reason=reason)
    ]
