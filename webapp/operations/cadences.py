"""Contact cadences as workspace clocks: daily rounds (BDC-5) and nurture touches (CPB-9).

Rounds: at each round time of an open day, every open lead of the cadence's lead types that
has not been reached today gets one task for the round, listing the round's channels (one row
per customer per round, so the queue grows with customers, not with channels). The round
before it is closed at the same moment: done if it was worked, cancelled as missed if not;
an agent never has more than one round of a customer in the queue. A customer reached today
(an outcome of the policy's "yes" group) gets no more rounds until tomorrow. Lost proposals
(BDC-6, `lost_proposals`) are reviewed at every round.

Nurture: one clock at each open day's opening hands out a touch task to every lead of the
cadence's lead types whose last contact (or creation) is `every` ago, unless one is still open.
A daily clock rather than one deadline per lead: it needs no hook in intake or activities, a
changed `every` applies at the next opening, and a lost row heals itself.

A task is worked (`still_due` false) as soon as the contact it asks for is logged, so the
queue stops showing it at once; the next clock closes the row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from sqlalchemy import ColumnElement, Row, and_, false, func, or_, select
from sqlalchemy.orm import aliased

from tenants import Policy
from tenants.calendar import BusinessCalendar
from tenants.decisions.cadences import (
    CadenceFacts,
    applies_to,
    current_round,
    next_nurture_check_at,
    next_round_at,
    reached_codes,
    touch_due_on,
)
from tenants.policy.cadences import DailyRounds, Nurture
from webapp.clock import now
from webapp.extensions import db
from webapp.live_versions import QUEUES
from webapp.models import Activity, Deadline, Lead, Task, TaskState, Workspace
from webapp.tenancy import owned_by

from . import audit, lost_proposals, policies, recurring
from .activities import NOT_CONTACT
from .task_kinds import CADENCE_TASKS, ROUND_TASK, TOUCH_TASK

ROUNDS_CLOCK = "cadence.rounds"
NURTURE_CLOCK = "cadence.nurture"


# --- What counts as worked: one SQL rule for the clocks and the queue ----------------------


def reached(policy: Policy) -> ColumnElement[bool]:
    """An activity that reached the customer: a "yes" outcome, or any contact if none is."""
    codes = reached_codes(policy)
    if codes is None:
        return Activity.channel.not_in(NOT_CONTACT)
    return Activity.outcome_code.in_(codes)


def _logged_since_due(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    """An activity on the task's lead since the task fell due (correlated to Task only)."""
    return (
        select(Activity.id)
        .where(Activity.lead_id == Task.lead_id, Activity.occurred_at >= Task.due_at, *conditions)
        .correlate_except(Activity)
        .exists()
    )


def _channels(policy: Policy, kind: type) -> list[str]:
    found = [ch for c in policy.cadences if isinstance(c, kind) for ch in c.channels]
    return list(dict.fromkeys(found))


def still_due(policy: Policy) -> ColumnElement[bool]:
    """SQL, true for a task the agent still has to work (every task that is not a cadence's).

    A round is worked once the customer is reached, or every channel of the round was tried,
    since it fell due; a touch once any contact is logged; a lost proposal while the lead is
    open. A task of a closed lead is never due.
    """
    # Its own alias: the queue's task query joins Lead already, and must not correlate it.
    task_lead = aliased(Lead)
    lead_open = (
        select(task_lead.id)
        .where(
            task_lead.id == Task.lead_id,
            task_lead.status.not_in(policy.intake.terminal_codes or {""}),
        )
        .correlate_except(task_lead)
        .exists()
    )
    untried = [~_logged_since_due(Activity.channel == ch) for ch in _channels(policy, DailyRounds)]
    round_due = and_(
        Task.kind == ROUND_TASK, ~_logged_since_due(reached(policy)), or_(false(), *untried)
    )
    touch_due = and_(
        Task.kind == TOUCH_TASK, ~_logged_since_due(Activity.channel.not_in(NOT_CONTACT))
    )
    proposal = Task.kind == lost_proposals.LOST_PROPOSAL
    return or_(
        Task.kind.not_in(CADENCE_TASKS), and_(lead_open, or_(round_due, touch_due, proposal))
    )


# --- Shared reads ---------------------------------------------------------------------------


def _covered(
    workspace: Workspace, policy: Policy, cadences: Sequence[DailyRounds | Nurture]
) -> list[ColumnElement[bool]]:
    """Conditions on Lead: open, in the workspace, of a lead type the cadences cover."""
    conditions = [
        owned_by(Lead, workspace),
        Lead.status.not_in(policy.intake.terminal_codes or {""}),
    ]
    if all(c.lead_types for c in cadences):
        conditions.append(Lead.lead_type.in_({t for c in cadences for t in c.lead_types}))
    return conditions


def open_leads(
    workspace: Workspace, policy: Policy, cadences: Sequence[DailyRounds | Nurture]
) -> list[Row]:
    """Light rows (id, owner, team, created_at, lead_type) of the open leads the cadences cover."""
    statement = select(Lead.id, Lead.owner_id, Lead.team_id, Lead.created_at, Lead.lead_type)
    statement = statement.where(*_covered(workspace, policy, cadences)).order_by(Lead.id)
    return list(db.session.execute(statement).all())


def _last_activity(
    workspace: Workspace,
    policy: Policy,
    cadences: Sequence[DailyRounds | Nurture],
    condition: ColumnElement[bool],
) -> dict[int, datetime]:
    """The last activity meeting `condition` of each open lead the cadences cover."""
    rows = db.session.execute(
        select(Activity.lead_id, func.max(Activity.occurred_at))
        .join(Lead, Lead.id == Activity.lead_id)
        .where(*_covered(workspace, policy, cadences), condition)
        .group_by(Activity.lead_id)
    )
    return dict(rows.all())


def last_reached(
    workspace: Workspace, policy: Policy, cadences: Sequence[DailyRounds | Nurture]
) -> dict[int, datetime]:
    """When the customer of each lead the cadences cover was last reached."""
    return _last_activity(workspace, policy, cadences, reached(policy))


def close_task(task: Task, state: TaskState, resolution: str) -> None:
    """Close a cadence task, saying why in its details (done, missed, touched, ...)."""
    task.state = state
    task.completed_at = now()
    task.details = {**task.details, "closed": resolution}


def _open_tasks(
    workspace: Workspace, policy: Policy, kind: str, due_before: datetime | None = None
) -> list[Row]:
    """Open tasks of `kind` (due before `due_before`), each with whether it is still due."""
    statement = select(Task, still_due(policy).label("due")).where(
        owned_by(Task, workspace), Task.kind == kind, Task.state == TaskState.OPEN
    )
    if due_before is not None:
        statement = statement.where(Task.due_at < due_before)
    return list(db.session.execute(statement.order_by(Task.id)).all())


def _bump(workspace: Workspace, tasks: Iterable[Task]) -> None:
    QUEUES.bump_after_commit(workspace.id, {t.assignee_id for t in tasks})


def _new_task(
    workspace: Workspace, lead: Row, kind: str, title: str, due_at: datetime, details: dict
) -> Task:
    # A lead nobody owns yet: the task goes to its team, where anyone may take it.
    return Task(
        workspace_id=workspace.id,
        lead_id=lead.id,
        kind=kind,
        title=title[:300],
        due_at=due_at,
        assignee_id=lead.owner_id,
        team_id=None if lead.owner_id else lead.team_id,
        details=details,
    )


# --- BDC-5: the day's rounds ----------------------------------------------------------------


def _rounds_of(policy: Policy) -> list[DailyRounds]:
    return [c for c in policy.cadences if isinstance(c, DailyRounds)]


@recurring.clock(ROUNDS_CLOCK, next_at=lambda policy, after: next_round_at(policy, after))
def run_rounds(workspace: Workspace, deadline: Deadline) -> None:
    """A round time: review lost proposals, then hand out each cadence's round in progress."""
    policy = policies.active_policy(workspace)
    calendar = BusinessCalendar(policy.calendar)
    moment = now()
    cadences = _rounds_of(policy)
    leads = open_leads(workspace, policy, cadences)
    reached_at = last_reached(workspace, policy, cadences)
    closed = lost_proposals.review(workspace, policy, calendar, moment, leads, reached_at)
    for cadence in cadences:
        current = current_round(cadence, moment, calendar)
        if current is None:  # a row left from yesterday, fired before today's first round
            continue
        number, at = current
        open_ids = {lead.id for lead in leads} - closed
        superseded = _settle_earlier_rounds(workspace, policy, cadence, at, open_ids)
        day_start = calendar.local(at).replace(hour=0, minute=0, second=0, microsecond=0)
        due = [
            lead
            for lead in leads
            if lead.id not in closed
            and applies_to(cadence, lead.lead_type)
            and lead.created_at <= at
            and not (lead.id in reached_at and reached_at[lead.id] >= day_start)
        ]
        created = _hand_out_round(workspace, cadence, number, at, calendar, due)
        audit.record(
            workspace.id,
            "cadence.round",
            deadline,
            actor=None,
            after={
                "cadence": cadence.name,
                "round": number,
                "due_at": at.isoformat(),
                "tasks": len(created),
                **superseded,
            },
        )


def _settle_earlier_rounds(
    workspace: Workspace, policy: Policy, cadence: DailyRounds, at: datetime, open_ids: set[int]
) -> dict[str, int]:
    """Close the open tasks of the cadence's earlier rounds: done if worked, else missed."""
    known = {c.name for c in _rounds_of(policy)}
    counts = {"done": 0, "missed": 0, "left the cadence": 0}
    tasks = []
    for task, due in _open_tasks(workspace, policy, ROUND_TASK, due_before=at):
        owner = task.details.get("cadence")
        if owner != cadence.name and owner in known:
            continue  # another cadence's round: closed by that cadence's next round
        if task.lead_id not in open_ids:
            resolution, state = "left the cadence", TaskState.CANCELLED
        elif due:
            resolution, state = "missed", TaskState.CANCELLED
        else:
            resolution, state = "done", TaskState.DONE
        close_task(task, state, resolution)
        counts[resolution] += 1
        tasks.append(task)
    _bump(workspace, tasks)
    return counts


def _hand_out_round(
    workspace: Workspace,
    cadence: DailyRounds,
    number: int,
    at: datetime,
    calendar: BusinessCalendar,
    leads: list[Row],
) -> list[Task]:
    """One task per lead for the round at `at`; a lead that already has it gets none."""
    # The idempotency guard: a re-fired or overlapping clock finds the round's tasks by their
    # lead and due time (whatever their state), under the workspace lock the clock holds.
    have = set(
        db.session.scalars(
            select(Task.lead_id).where(
                owned_by(Task, workspace), Task.kind == ROUND_TASK, Task.due_at == at
            )
        )
    )
    details = {
        "cadence": cadence.name,
        "round": number,
        "day": calendar.local(at).date().isoformat(),
        "channels": list(cadence.channels),
    }
    tasks = [
        _new_task(workspace, lead, ROUND_TASK, f"{cadence.name} round {number}", at, details)
        for lead in leads
        if lead.id not in have
    ]
    db.session.add_all(tasks)
    _bump(workspace, tasks)
    return tasks


# --- CPB-9: nurture touches -----------------------------------------------------------------


def _nurtures_of(policy: Policy) -> list[Nurture]:
    return [c for c in policy.cadences if isinstance(c, Nurture)]


@recurring.clock(NURTURE_CLOCK, next_at=lambda policy, after: next_nurture_check_at(policy, after))
def run_nurture(workspace: Workspace, deadline: Deadline) -> None:
    """An opening: close worked touches, hand out a touch to every lead whose turn it is."""
    policy = policies.active_policy(workspace)
    calendar = BusinessCalendar(policy.calendar)
    today = calendar.local(now()).date()
    cadences = _nurtures_of(policy)
    leads = open_leads(workspace, policy, cadences)
    pending = _settle_touches(workspace, policy, {lead.id for lead in leads})
    contact = Activity.channel.not_in(NOT_CONTACT)
    last_touch = _last_activity(workspace, policy, cadences, contact)
    created = []
    for lead in leads:
        if lead.id in pending:
            continue  # one touch at a time: the open one is still to be done
        owed = _touch_owed(cadences, lead, last_touch.get(lead.id), calendar, today)
        if owed is not None:
            cadence, due_on = owed
            details = {
                "cadence": cadence.name,
                "channels": list(cadence.channels),
                "due_on": due_on.isoformat(),
            }
            title = f"{cadence.name} touch"
            created.append(_new_task(workspace, lead, TOUCH_TASK, title, deadline.due_at, details))
    db.session.add_all(created)
    _bump(workspace, created)
    audit.record(
        workspace.id,
        "cadence.nurture",
        deadline,
        actor=None,
        after={"tasks": len(created), "on": today.isoformat()},
    )


def _touch_owed(
    cadences: list[Nurture],
    lead: Row,
    last_touch: datetime | None,
    calendar: BusinessCalendar,
    today: date,
) -> tuple[Nurture, date] | None:
    """The lead's first nurture cadence and the day its touch fell due, if that is by today."""
    for cadence in cadences:
        if applies_to(cadence, lead.lead_type):
            facts = CadenceFacts(
                created_at=lead.created_at, lead_type=lead.lead_type, last_touch_at=last_touch
            )
            due_on = touch_due_on(cadence, facts, calendar)
            return (cadence, due_on) if due_on <= today else None
    return None


def _settle_touches(workspace: Workspace, policy: Policy, covered: set[int]) -> set[int]:
    """Close touches that were done (or whose lead left the cadence); the leads still owed one."""
    pending, closed = set(), []
    for task, due in _open_tasks(workspace, policy, TOUCH_TASK):
        if task.lead_id not in covered:
            close_task(task, TaskState.CANCELLED, "left the cadence")
        elif not due:
            close_task(task, TaskState.DONE, "touched")
        else:
            pending.add(task.lead_id)
            continue
        closed.append(task)
    _bump(workspace, closed)
    return pending
