"""The queue's two queries: open leads with their earliest pending deadline, and open tasks.

Each is one statement whatever the page size (no lazy loads per row), so a poll that does
render stays cheap at a million leads: leads come through ix_leads_queue, their deadline
through ix_deadlines_lead_due (migration 0007).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import String, and_, cast, func, or_, select, true
from sqlalchemy.orm import contains_eager

from tenants import Policy
from webapp.extensions import db
from webapp.models import (
    Account,
    Deadline,
    DeadlineState,
    Lead,
    Membership,
    Role,
    Task,
    TaskState,
    User,
    Workspace,
)
from webapp.operations import cadences, policies
from webapp.tenancy import LeadAction, may, owned_by, visible_leads

PAGE_SIZE = 100
STAFF = (Role.ADMIN, Role.DIRECTOR, Role.MANAGER)


@dataclass(frozen=True)
class Filters:
    """What the agent narrowed the queue to; `scope` is "mine" or "team"."""

    q: str = ""
    status: str = ""
    lead_type: str = ""
    rating: str = ""
    hot: bool = False
    scope: str = "mine"

    @classmethod
    def from_args(cls, args) -> Filters:
        return cls(
            q=args.get("q", "").strip()[:100],
            status=args.get("status", "")[:40],
            lead_type=args.get("lead_type", "")[:20],
            rating=args.get("rating", "")[:10],
            hot=args.get("hot") in ("1", "on", "true"),
            scope="team" if args.get("scope") == "team" else "mine",
        )

    def args(self) -> dict[str, str]:
        """The filters as URL arguments (only those set)."""
        values = {
            "q": self.q,
            "status": self.status,
            "lead_type": self.lead_type,
            "rating": self.rating,
            "hot": "1" if self.hot else "",
            "scope": "team" if self.scope == "team" else "",
        }
        return {k: v for k, v in values.items() if v}


@dataclass(frozen=True)
class CadenceDue:
    """A contact round or nurture touch the lead's agent still has to work (BDC-5, CPB-9)."""

    kind: str
    round_number: int | None
    channels: tuple[str, ...]


@dataclass
class QueueLead:
    lead: Lead
    due_at: datetime | None
    clock_started_at: datetime | None
    flags: list[str]
    rounds: list[CadenceDue] = field(default_factory=list)


@dataclass
class Viewer:
    """Who looks at the queue: the user, their role and team in the workspace."""

    user: User
    membership: Membership

    @property
    def is_staff(self) -> bool:
        return self.membership.role in STAFF

    @property
    def team_id(self) -> int | None:
        return self.membership.team_id

    @property
    def is_partner(self) -> bool:
        return self.membership.role == Role.PARTNER

    @property
    def may_claim(self) -> bool:
        return may(self.membership, LeadAction.CLAIM)


def hot_flags(policy: Policy) -> list[str]:
    """The flags the policy's counters raise on an account (L411-2: "hot")."""
    return [c.flag for c in policy.counters]


def _clock_starts(lead_ids: list[int]) -> dict[int, datetime]:
    """When each lead's earliest pending deadline started (for the countdown's colour)."""
    if not lead_ids:
        return {}
    rows = db.session.execute(
        select(Deadline.lead_id, Deadline.created_at)
        .where(Deadline.lead_id.in_(lead_ids), Deadline.state == DeadlineState.PENDING)
        .order_by(Deadline.lead_id, Deadline.due_at)
    ).all()
    starts: dict[int, datetime] = {}
    for lead_id, created_at in rows:
        starts.setdefault(lead_id, created_at)
    return starts


def _team_members(workspace: Workspace, team_id: int):
    return select(Membership.user_id).where(
        owned_by(Membership, workspace), Membership.team_id == team_id
    )


def _lead_scope(workspace: Workspace, viewer: Viewer, scope: str):
    if scope == "mine":
        return Lead.owner_id == viewer.user.id
    if viewer.is_partner:  # their organisation's leads (CPB-10), never the unassigned pool
        return true()
    unassigned = Lead.owner_id.is_(None)
    if viewer.team_id:
        unassigned = and_(unassigned, or_(Lead.team_id.is_(None), Lead.team_id == viewer.team_id))
    if not viewer.is_staff:  # an agent's team view: the leads anyone may claim
        return unassigned
    if viewer.team_id is None:  # directors and admins see the whole workspace
        return true()
    return or_(Lead.owner_id.in_(_team_members(workspace, viewer.team_id)), unassigned)


def _matches(statement, policy: Policy, filters: Filters):
    if filters.q:
        pattern = f"%{filters.q.lower()}%"
        statement = statement.where(
            or_(
                func.lower(Lead.contact_name).like(pattern),
                func.lower(Lead.company).like(pattern),
                Lead.phone_e164.like(f"%{filters.q.replace(' ', '')}%"),
                Lead.email_normalised.like(pattern),
            )
        )
    if filters.status:
        statement = statement.where(Lead.status == filters.status)
    if filters.lead_type:
        statement = statement.where(Lead.lead_type == filters.lead_type)
    if filters.rating:
        statement = statement.where(Lead.rating == filters.rating)
    if filters.hot:
        flags = hot_flags(policy) or ["\x00"]
        # Account.flags is JSON on both databases; its text holds the flag as a quoted string.
        text = cast(Account.flags, String)
        statement = statement.where(or_(*(text.like(f'%"{flag}"%') for flag in flags)))
    return statement


def open_leads(
    workspace: Workspace,
    policy: Policy,
    viewer: Viewer,
    filters: Filters,
    limit: int = PAGE_SIZE,
    lead_id: int | None = None,
) -> list[QueueLead]:
    """The open leads of the viewer's queue, the most urgent deadline first (or one lead).

    Leads with a pending deadline come from ix_leads_next_due in deadline order (a range
    scan cut at `limit`, whatever the number of leads); leads without one follow, newest first.
    """
    base = _matches(
        select(Lead, Account.flags)
        .outerjoin(Account, Account.id == Lead.account_id)
        .outerjoin(User, User.id == Lead.owner_id)
        .options(contains_eager(Lead.owner))
        .where(
            owned_by(Lead, workspace),
            visible_leads(viewer.membership, policy),
            _lead_scope(workspace, viewer, filters.scope)
            if lead_id is None
            else Lead.id == lead_id,
            Lead.status.not_in(policy.intake.terminal_codes or {""}),
        ),
        policy,
        filters,
    )
    rows = list(
        db.session.execute(
            base.where(Lead.next_due_at.is_not(None))
            .order_by(Lead.next_due_at, Lead.id)
            .limit(limit)
        ).all()
    )
    if len(rows) < limit:
        rows += db.session.execute(
            base.where(Lead.next_due_at.is_(None))
            .order_by(Lead.updated_at.desc(), Lead.id.desc())
            .limit(limit - len(rows))
        ).all()
    starts = _clock_starts([row[0].id for row in rows])
    due = _cadence_due(policy, [row[0].id for row in rows]) if policy.cadences else {}
    flags = set(hot_flags(policy))
    return [
        QueueLead(
            lead=row[0],
            due_at=row[0].next_due_at,
            clock_started_at=starts.get(row[0].id),
            flags=sorted(flags & set((row[1] or {}).get("set", []))),
            rounds=due.get(row[0].id, []),
        )
        for row in rows
    ]


def _cadence_due(policy: Policy, lead_ids: list[int]) -> dict[int, list[CadenceDue]]:
    """The rounds and touches still due for these leads: the open cadence tasks the clocks
    handed out that nobody has worked yet (the same rule as the task list)."""
    if not lead_ids:
        return {}
    rows = db.session.execute(
        select(Task.lead_id, Task.kind, Task.details)
        .where(
            Task.lead_id.in_(lead_ids),
            Task.state == TaskState.OPEN,
            Task.kind.in_((cadences.ROUND_TASK, cadences.TOUCH_TASK)),
            cadences.still_due(policy),
        )
        .order_by(Task.due_at)
    ).all()
    found: dict[int, list[CadenceDue]] = {}
    for lead_id, kind, details in rows:
        found.setdefault(lead_id, []).append(
            CadenceDue(kind, details.get("round"), tuple(details.get("channels", ())))
        )
    return found


def open_tasks(
    workspace: Workspace,
    viewer: Viewer,
    scope: str,
    limit: int = PAGE_SIZE,
    policy: Policy | None = None,
) -> list[Task]:
    """Open tasks for the viewer (or their team's tickets and members' tasks), by due time.

    With the policy, a contact round or touch already worked is left out (BDC-5, CPB-9).
    """
    if scope == "team" and viewer.is_staff and viewer.team_id:
        mine = or_(
            Task.assignee_id.in_(_team_members(workspace, viewer.team_id)),
            Task.team_id == viewer.team_id,
        )
    elif scope == "team" and viewer.is_staff:
        mine = true()
    else:
        mine = Task.assignee_id == viewer.user.id
        if viewer.team_id:
            mine = or_(mine, and_(Task.assignee_id.is_(None), Task.team_id == viewer.team_id))
    if viewer.is_partner:  # never a task on a lead they do not see (CPB-10)
        seen = visible_leads(viewer.membership, policy or policies.active_policy(workspace))
        mine = and_(mine, or_(Task.lead_id.is_(None), seen))
    statement = (
        select(Task)
        .outerjoin(Lead, Lead.id == Task.lead_id)
        .options(contains_eager(Task.lead))
        .where(owned_by(Task, workspace), Task.state == TaskState.OPEN, mine)
        .where(cadences.still_due(policy) if policy is not None and policy.cadences else true())
        .order_by(Task.due_at)
        .limit(limit)
    )
    return list(db.session.scalars(statement).unique())


def team_members(workspace: Workspace, viewer: Viewer) -> list[User]:
    """Whom a manager may hand a lead to: their team, or everyone who receives leads."""
    statement = (
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            owned_by(Membership, workspace),
            Membership.role.in_((Role.AGENT, Role.MANAGER)),
        )
        .order_by(User.name)
    )
    if viewer.team_id:
        statement = statement.where(Membership.team_id == viewer.team_id)
    return list(db.session.scalars(statement))
