"""Who gets a lead: the policy's strategy over the workspace's eligible members (ALL-1).

The decision is tenants.choose_assignee's; this module gathers its facts in a constant number
of queries, serialises assignments per workspace so capacity caps hold under concurrent
intakes, and records the result.
"""

from __future__ import annotations

from sqlalchemy import case, event, func, select, update
from sqlalchemy.orm import Session, SessionTransaction

from tenants import Policy
from tenants.decisions import (
    AssignmentDecision,
    Candidate,
    LeadFacts,
    RosterFacts,
    choose_assignee,
    is_active_for_assignment,
)
from webapp.clock import now
from webapp.extensions import db
from webapp.models import Deadline, Lead, Membership, Role, User, Workspace
from webapp.queue import versions

from . import audit, deadlines, events, leads, policies
from .unit import operation

OPENING_DEADLINE = "assignment.opening"
# Strategies whose choice depends on members' open leads.
LOAD_READERS = {"least_loaded", "partner_allocation", "top_performer"}


class ClaimRefused(ValueError):
    """Someone else took the lead first."""


def lock_workspace(workspace_id: int) -> None:
    """Serialise assignment decisions of one workspace until the transaction ends.

    An UPDATE takes the row lock on PostgreSQL and the write lock on SQLite, so two intakes
    cannot both count an agent's open leads before either writes.
    """
    held = db.session.info.setdefault(WORKSPACE_LOCKS, set())
    if workspace_id in held:
        return  # already ours until this transaction ends
    db.session.execute(
        update(Workspace)
        .where(Workspace.id == workspace_id)
        .values(assignment_cursor=Workspace.assignment_cursor)
        .execution_options(synchronize_session=False)
    )
    held.add(workspace_id)


WORKSPACE_LOCKS = "leadline.workspace_locks"


@event.listens_for(Session, "after_transaction_end")
def _forget_workspace_locks(session: Session, transaction: SessionTransaction) -> None:
    # A lock lasts as long as the database transaction: forget it when that ends, so the next
    # transaction locks again. (A released savepoint keeps it; a rolled-back one may not.)
    if transaction.parent is None:
        session.info.pop(WORKSPACE_LOCKS, None)


@event.listens_for(Session, "after_soft_rollback")
def _forget_locks_on_rollback(session: Session, previous: SessionTransaction) -> None:
    session.info.pop(WORKSPACE_LOCKS, None)


def candidates(
    workspace: Workspace, policy: Policy, team_id: int | None = None, strategy=None
) -> list[Candidate]:
    """Every member who may receive leads (of one team, if given), with their facts.

    Loads and conversion rates are counted only when the strategies in play (`strategy` or
    the policy's, and its fallback) or the eligibility filters read them, and only for these
    members: an intake does not count a workspace's leads for a round robin.
    """
    roles = (
        (Role.PARTNER,)
        if policy.assignment.strategy.strategy == "partner_allocation"
        else tuple(Role(r) for r in policy.assignment.receiving_roles)
    )
    query = select(Membership).where(
        Membership.workspace_id == workspace.id, Membership.role.in_(roles)
    )
    if team_id is not None:
        query = query.where(Membership.team_id == team_id)
    members = db.session.scalars(query.order_by(Membership.user_id)).all()
    ids = [m.user_id for m in members]
    in_play = [s for s in (strategy or policy.assignment.strategy, policy.assignment.fallback) if s]
    # Partner allocation and top performer break ties by load, so they read it too.
    needs_load = any(s.strategy in LOAD_READERS for s in in_play) or any(
        f.kind == "capacity" for f in policy.assignment.eligibility
    )
    load = _open_leads(workspace, policy, ids) if needs_load and ids else {}
    conversion = _conversion(workspace, policy, ids, in_play) if ids else {}
    moment = now()
    return [
        Candidate(
            agent_id=str(m.user_id),
            authorised=m.authorised,
            roster_confirmed=is_active_for_assignment(
                policy, RosterFacts(m.roster_month, m.roster_confirmed_at), moment
            ),
            available=m.available,
            open_leads=load.get(m.user_id, 0),
            weight=m.weight,
            metrics={"conversion_rate": conversion.get(m.user_id, 0.0)},
            organisation=str(m.partner_organisation_id) if m.partner_organisation_id else None,
            assistant_id=str(m.assistant_user_id) if m.assistant_user_id else None,
        )
        for m in members
    ]


def _open_leads(workspace: Workspace, policy: Policy, ids: list[int]) -> dict[int, int]:
    rows = db.session.execute(
        select(Lead.owner_id, func.count())
        .where(
            Lead.workspace_id == workspace.id,
            Lead.owner_id.in_(ids),
            Lead.status.not_in(policy.intake.terminal_codes or {""}),
        )
        .group_by(Lead.owner_id)
    )
    return dict(rows.all())


def _conversion(
    workspace: Workspace, policy: Policy, ids: list[int], in_play: list
) -> dict[int, float]:
    """Won leads / leads received, per member, over the top-performer strategy's window."""
    windows = [s.window.timedelta for s in in_play if s.strategy == "top_performer"]
    if not windows:
        return {}
    since = now() - max(windows)
    won = case((Lead.status.in_(policy.intake.won_codes or {""}), 1), else_=0)
    rows = db.session.execute(
        select(Lead.owner_id, func.sum(won), func.count())
        .where(Lead.workspace_id == workspace.id, Lead.owner_id.in_(ids), Lead.created_at >= since)
        .group_by(Lead.owner_id)
    )
    return {owner: (wins or 0) / total for owner, wins, total in rows.all() if total}


def lead_facts(
    lead: Lead,
    workspace: Workspace,
    *,
    taken_by: User | None = None,
    existing_manager_id: int | None = None,
) -> LeadFacts:
    fields = {k: str(v) for k, v in (lead.attributes or {}).items() if v is not None}
    fields.update(
        {
            k: v
            for k, v in (
                ("source", lead.source),
                ("lead_type", lead.lead_type),
                ("rating", lead.rating),
            )
            if v
        }
    )
    return LeadFacts(
        fields=fields,
        current_agent_id=str(lead.owner_id) if lead.owner_id else None,
        existing_manager_id=str(existing_manager_id) if existing_manager_id else None,
        taken_by_agent_id=str(taken_by.id) if taken_by else None,
        round_robin_cursor=workspace.assignment_cursor,
    )


def set_owner(lead: Lead, owner: User | None, *, actor: User | None, reason: str) -> None:
    """Give `lead` to `owner`, audited, and start the clocks an assignment starts."""
    before = lead.owner_id
    lead.owner_id = owner.id if owner else None
    lead.assigned_at = now() if owner else None
    audit.record(
        lead.workspace_id,
        "lead.assigned",
        lead,
        actor=actor,
        before={"owner_id": before},
        after={"owner_id": lead.owner_id},
        reason=reason,
    )
    versions.bump_after_commit(lead.workspace_id, (before, lead.owner_id))
    if owner is not None:
        leads.start_timers(lead.workspace, lead, "lead.assigned")


@operation
def assign(
    lead: Lead,
    *,
    actor: User | None,
    facts: LeadFacts | None = None,
    exclude_current: bool = False,
    strategy=None,
    team_id: int | None = None,
) -> AssignmentDecision:
    """Assign `lead` by the workspace policy; outside hours it waits for the opening."""
    workspace = lead.workspace
    lock_workspace(workspace.id)
    policy = policies.active_policy(workspace)
    facts = facts or lead_facts(lead, workspace)
    decision = choose_assignee(
        policy,
        facts,
        candidates(workspace, policy, team_id, strategy),
        now(),
        strategy=strategy,
        exclude_current=exclude_current,
    )
    if decision.agent_id is not None:
        owner = db.session.get(User, int(decision.agent_id))
        set_owner(lead, owner, actor=actor, reason=f"{decision.strategy}: {decision.reason}")
        if decision.strategy == "partner_allocation":  # the partner's clocks (CPB-2..4)
            _allocated(lead, actor)
        if decision.cursor is not None:
            workspace.assignment_cursor = decision.cursor
        if decision.notify_agent_ids:  # BDC-4: the busy manager's assistant is told
            events.publish(
                lead,
                "assignment.manager_tagged",
                actor=actor,
                context={"manager_id": int(facts.existing_manager_id)},
            )
    elif decision.wait_until is not None:
        deadlines.schedule(workspace.id, OPENING_DEADLINE, decision.wait_until, lead=lead)
        audit.record(
            workspace.id,
            "lead.awaiting_opening",
            lead,
            actor=actor,
            after={"until": decision.wait_until.isoformat()},
            reason=decision.reason,
        )
    else:
        audit.record(workspace.id, "lead.unassigned", lead, actor=actor, reason=decision.reason)
    return decision


@operation
def reassign(lead: Lead, to: User, *, actor: User, reason: str = "") -> None:
    """A manager gives the lead to another member of the workspace; given to a partner by
    hand (a manual fallback), it is allocated as the strategy would have: their clocks
    start."""
    membership = db.session.scalar(
        select(Membership).where(
            Membership.workspace_id == lead.workspace_id, Membership.user_id == to.id
        )
    )
    if membership is None:
        from .users import UserError

        raise UserError("owner", "not a member of this workspace")
    set_owner(lead, to, actor=actor, reason=reason or "reassigned by a manager")
    if membership.role == Role.PARTNER:
        lead.partner_organisation_id = membership.partner_organisation_id
        _allocated(lead, actor)


def _allocated(lead: Lead, actor: User | None) -> None:
    """A partner got the lead: their clocks start (CPB-2..4) and they are told."""
    leads.start_timers(lead.workspace, lead, "lead.allocated")
    events.publish(lead, "lead.allocated", actor=actor)


@operation
def claim(lead: Lead, agent: User) -> None:
    """Take an unassigned lead; of two agents claiming at once exactly one wins."""
    moment = now()
    taken = db.session.execute(
        update(Lead)
        .where(Lead.id == lead.id, Lead.owner_id.is_(None))
        .values(owner_id=agent.id, assigned_at=moment, updated_at=moment)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not taken:
        raise ClaimRefused("another agent has already taken this lead")
    db.session.refresh(lead)
    audit.record(
        lead.workspace_id,
        "lead.assigned",
        lead,
        actor=agent,
        after={"owner_id": agent.id},
        reason="claimed",
    )
    versions.bump_after_commit(lead.workspace_id, (agent.id,))
    leads.start_timers(lead.workspace, lead, "lead.assigned")


@deadlines.on_fire(OPENING_DEADLINE)
def assign_at_opening(deadline: Deadline) -> None:
    """The department opened: assign the lead that waited, unless someone already has it."""
    lead = deadline.lead
    if lead is not None and lead.owner_id is None:
        assign(lead, actor=None)
