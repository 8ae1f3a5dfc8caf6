"""How a task shows in the queue and on the lead page: its kind and state in the reader's
language, how long until it is due, and whether the reader may close it."""

from __future__ import annotations

from datetime import datetime

from flask import g
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp.clock import now
from webapp.models import Task, TaskState
from webapp.operations import cadences, lost_proposals, tasks

TASK_KINDS = {
    "callback": _l("Callback"),
    "ticket": _l("Ticket"),
    cadences.ROUND_TASK: _l("Contact round"),
    cadences.TOUCH_TASK: _l("Nurture touch"),
    lost_proposals.LOST_PROPOSAL: _l("Propose lost"),
}
# Why a task could not be closed, as the queue and the lead page answer it.
TASK_REFUSALS = {
    tasks.CloseRefused.Reason.NOT_ALLOWED: (
        403,
        _l("Only its assignee, their manager or an administrator may close this task."),
    ),
    tasks.CloseRefused.Reason.NOT_OPEN: (409, _l("This task is already closed.")),
    tasks.CloseRefused.Reason.MANAGED: (
        409,
        _l("This task closes by itself when the contact is logged."),
    ),
}
TASK_STATES = {
    TaskState.OPEN: _l("open"),
    TaskState.DONE: _l("done"),
    TaskState.CANCELLED: _l("cancelled"),
}


def task_kind_label(kind: str) -> str:
    return str(TASK_KINDS[kind]) if kind in TASK_KINDS else kind.replace("_", " ").capitalize()


def task_state_label(state: TaskState) -> str:
    return str(TASK_STATES[TaskState(state)])


UNITS = (_l("%(n)sd"), _l("%(n)sh"), _l("%(n)sm"), _l("%(n)ss"))


def _span(seconds: int) -> str:
    """Two units, as the live countdown (static/app.js) writes them: "14m 09s", "1d 02h"."""
    counts = (seconds // 86400, seconds // 3600 % 24, seconds // 60 % 60, seconds % 60)
    first = next((i for i, n in enumerate(counts[:3]) if n), 3)
    shown = list(zip(counts, UNITS, strict=True))[first : first + 2]
    return " ".join(
        str(unit) % {"n": str(n) if i == 0 or n >= 10 else f"0{n}"}
        for i, (n, unit) in enumerate(shown)
    )


def due_text(due_at: datetime, moment: datetime | None = None) -> str:
    """ "due in 14m 09s" for a task ahead, "overdue by 22s" for one past due."""
    left = int((due_at - (moment or now())).total_seconds())
    if left > 0:
        return _("due in %(time)s", time=_span(left))
    return _("overdue by %(time)s", time=_span(-left))


def may_close(task: Task) -> bool:
    """Whether the reader sees Done and Cancel on this task."""
    return tasks.closable(task) and tasks.may_close(
        task, current_user._get_current_object(), g.get("membership")
    )


HELPERS = {
    "task_kind_label": task_kind_label,
    "task_state_label": task_state_label,
    "task_due_text": due_text,
    "may_close_task": may_close,
}
