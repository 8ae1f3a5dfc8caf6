"""Tasks over the API: a lead's tasks, and Done / Cancel (L411-3, L411-6, L411-8, L411-10)."""

from __future__ import annotations

from flask import g
from sqlalchemy import select
from werkzeug.wrappers import Response

from webapp.extensions import db
from webapp.models import Lead, Membership, Task, TaskState, Team, User
from webapp.operations import api_calls, tasks
from webapp.operations.api_keys import key_may
from webapp.tenancy import get_or_404, owned_by

from .blueprint import ApiError, body, check_id, endpoint, respond
from .schemas import DeliveryRef, Person, TaskCloseIn, TaskList, TaskOut, TeamOut

REFUSALS = {
    tasks.CloseRefused.Reason.NOT_OPEN: (409, "the task is already closed"),
    tasks.CloseRefused.Reason.MANAGED: (409, "a cadence's task closes by its own clock"),
}


def task_out(task: Task) -> TaskOut:
    assignee = db.session.get(User, task.assignee_id) if task.assignee_id else None
    team = db.session.get(Team, task.team_id) if task.team_id else None
    return TaskOut(
        id=task.id,
        lead_id=task.lead_id,
        kind=task.kind,
        state=TaskState(task.state).value,
        due_at=task.due_at,
        assignee=Person(id=assignee.id, name=assignee.name) if assignee else None,
        team=TeamOut(id=team.id, name=team.name, code=team.code) if team else None,
        script=task.details.get("script"),
        deliveries=[DeliveryRef(**d) for d in task.details.get("deliveries", [])],
        completed_at=task.completed_at,
        created_at=task.created_at,
    )


@endpoint(
    "GET",
    "/leads/<int:lead_id>/tasks",
    summary="List a lead's tasks",
    responses={200: TaskList},
    errors=(401, 404, 429),
    role="agent",
    tags=("tasks",),
)
def lead_tasks(lead_id: int) -> Response:
    """The lead's tasks, open and closed, soonest due first, with the open task of its account
    that lists its delivery."""
    lead = get_or_404(Lead, check_id(lead_id))
    return respond(TaskList(tasks=[task_out(t) for t in tasks.tasks_of(lead)]))


def _closer(data: TaskCloseIn, task: Task) -> User | None:
    """The member named by `by`, if they may close the task (403 otherwise); without `by`,
    the key itself must be a manager's."""
    if data.by is None:
        if not key_may(g.api_key.role, "manager"):
            raise ApiError(403, "without `by`, closing a task needs a 'manager' key or above")
        return None
    row = db.session.execute(
        select(User, Membership)
        .join(Membership, Membership.user_id == User.id)
        .where(User.id == data.by, owned_by(Membership, g.workspace))
    ).first()
    if row is None:
        raise ApiError(422, "invalid input", [("by", "not a member of this workspace")])
    user, membership = row
    if not tasks.may_close(task, user, membership):
        raise ApiError(
            403, "only the task's assignee, their manager or an administrator may close it"
        )
    return user


def _close(task_id: int, state: TaskState) -> Response:
    task = get_or_404(Task, check_id(task_id))
    data = body(TaskCloseIn)
    by = _closer(data, task)
    try:
        api_calls.close_task(
            task, state, by=by, via=api_calls.key_reason(g.api_key), note=data.note
        )
    except tasks.CloseRefused as refused:
        db.session.rollback()
        status, message = REFUSALS.get(refused.reason, (403, "not allowed"))
        raise ApiError(status, message) from None
    return respond(task_out(task))


@endpoint(
    "POST",
    "/tasks/<int:task_id>/done",
    summary="Mark a task done",
    body=TaskCloseIn,
    responses={200: TaskOut},
    errors=(400, 401, 403, 404, 409, 422, 429),
    role="agent",
    tags=("tasks",),
)
def task_done(task_id: int) -> Response:
    """Close an open task as done (audited); its pending timer, if any, is cancelled. 409 if
    it is closed already."""
    return _close(task_id, TaskState.DONE)


@endpoint(
    "POST",
    "/tasks/<int:task_id>/cancel",
    summary="Cancel a task",
    body=TaskCloseIn,
    responses={200: TaskOut},
    errors=(400, 401, 403, 404, 409, 422, 429),
    role="agent",
    tags=("tasks",),
)
def task_cancel(task_id: int) -> Response:
    """Close an open task as cancelled: nothing is left to do (audited). 409 if it is closed
    already."""
    return _close(task_id, TaskState.CANCELLED)
