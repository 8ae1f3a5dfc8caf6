"""Who gets a lead: the policy's strategy over the workspace's eligible members (ALL-1).

The decision is tenants.choose_assignee's; this module gathers its facts in a constant number
of queries, serialises assignments per workspace so capacity caps hold under concurrent
intakes, and records the result.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import and_, case, event, func, or_, select, update
from sqlalchemy.orm import Session, SessionTransaction, contains_eager

from tenants import Policy
from tenants.calendar import BusinessCalendar
from tenants.decisions import (
    AssignmentDecision,
    Candidate,
    LeadFacts,
    RosterFacts,
    choose_assignee,
    deadlines_for_event,
    deadlines_on_owner_change,
    is_active_for_assignment,
    ownership_timers,
    receivers_for,
)
from tenants.decisions.assignment import (
    CONVERSION,
    OPEN_LEADS,
    allocates_to_partners,
    strategy_reads,
)
from tenants.errors import Refusal
from tenants.markers import N_
from webapp.audit_actions import (
    LEAD_ALLOCATED,
    LEAD_ASSIGNED,
    LEAD_AWAITING_OPENING,
    LEAD_CREATED,
    LEAD_UNASSIGNED,
    MANAGER_TAGGED,
)
from webapp.clock import now
from webapp.errors import UserError
from webapp.extensions import db
from webapp.live_versions import QUEUES
from webapp.models import Deadline, DeadlineState, Lead, Membership, Role, Team, User, Workspace
from webapp.tenancy import owned_by, scoped

from . import audit, batch_facts, deadlines, events, leads, policies, sharing
from .unit import operation

OPENING_DEADLINE = "assignment.opening"


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
        session.info.pop(KNOWN_MEMBERSHIPS, None)


@event.listens_for(Session, "after_soft_rollback")
def _forget_locks_on_rollback(session: Session, previous: SessionTransaction) -> None:
    session.info.pop(WORKSPACE_LOCKS, None)
    session.info.pop(KNOWN_MEMBERSHIPS, None)


def candidates(
    workspace: Workspace,
    policy: Policy,
    team_id: int | None = None,
    strategy=None,
    *,
    source: str | None = None,
    also_user_ids: Collection[int] = (),
) -> list[Candidate]:
    """Every member who may receive a lead of `source`, with their facts.

    Strategies pick from the roles and teams the policy names for the source (falling back
    to the workspace's lists); `team_id` (a referral to a team's queue) replaces the teams.
    `also_user_ids` are members a strategy names rather than picks (BDC-4: the manager
    already on the customer's file), whatever their role.

    Loads and conversion rates are counted only when the strategies in play (`strategy` or
    the policy's, and its fallback) or the eligibility filters read them, and only for these
    members: an intake does not count a workspace's leads for a round robin.
    """
    receivers = receivers_for(policy, source)
    if allocates_to_partners(policy.assignment.strategy):
        pool = Membership.role == Role.PARTNER
    else:
        pool = Membership.role.in_([Role(r) for r in receivers.roles])
        if team_id is not None:
            pool = and_(pool, Membership.team_id == team_id)
        elif receivers.teams:
            teams = select(Team.id).where(owned_by(Team, workspace), Team.code.in_(receivers.teams))
            pool = and_(pool, Membership.team_id.in_(teams))
    if also_user_ids:
        pool = or_(pool, Membership.user_id.in_(list(also_user_ids)))
    in_play = [s for s in (strategy or policy.assignment.strategy, policy.assignment.fallback) if s]
    needs_load = any(strategy_reads(s, OPEN_LEADS) for s in in_play) or any(
        f.kind == "capacity" for f in policy.assignment.eligibility
    )
    rows = gather(workspace, policy, pool, with_load=needs_load)
    members = [m for m, _load in rows]
    ids = [m.user_id for m in members]
    load = {m.user_id: n for m, n in rows}
    conversion = _conversion(workspace, policy, ids, in_play) if ids else {}
    moment = now()
    return [
        Candidate(
            agent_id=str(m.user_id),
            authorised=m.authorised,
            roster_confirmed=is_active_for_assignment(
                policy, RosterFacts(m.roster_month, m.roster_confirmed_at), moment
            ),
            # Away until a moment (BDC-4): unavailable until then, available again after.
            available=m.available and not (m.away_until and m.away_until > moment),
            open_leads=load.get(m.user_id, 0),
            capacity=m.capacity,
            weight=m.weight,
            metrics={"conversion_rate": conversion.get(m.user_id, 0.0)},
            organisation=str(m.partner_organisation_id) if m.partner_organisation_id else None,
            assistant_id=str(m.assistant_user_id) if m.assistant_user_id else None,
        )
        for m in members
    ]


def gather(
    workspace: Workspace, policy: Policy, pool, *, with_load: bool
) -> list[tuple[Membership, int]]:
    """The active members in `pool`, their users and (`with_load`) their open leads, in ONE
    query (issue 17 item 3: it was three, and a fourth for the chosen one's membership).

    The users land in the session, so the chosen owner is had without a query; the
    memberships are kept for the transaction (`known_membership`)."""
    columns: list = [Membership, User]
    if with_load:
        columns.append(
            select(func.count())
            .where(
                owned_by(Lead, workspace),
                Lead.owner_id == Membership.user_id,
                Lead.status.not_in(policy.intake.terminal_codes or {""}),
            )
            .correlate(Membership)
            .scalar_subquery()
        )
    query = (
        select(*columns)
        .join(Membership.user)
        # membership.user holds the user: the session only keeps objects someone refers to.
        .options(contains_eager(Membership.user))
        .where(owned_by(Membership, workspace), Membership.active.is_(True), pool)
        .order_by(Membership.user_id)
    )
    known = db.session.info.setdefault(KNOWN_MEMBERSHIPS, {})
    found = []
    for row in db.session.execute(query).all():
        membership = row[0]
        known[(membership.workspace_id, membership.user_id)] = membership
        found.append((membership, row[2] if with_load else 0))
    return found


KNOWN_MEMBERSHIPS = "leadline.known_memberships"


def known_membership(workspace_id: int, user_id: int) -> Membership | None:
    """`user_id`'s membership of the workspace: the one `gather` read in this transaction, or
    read now."""
    membership = db.session.info.get(KNOWN_MEMBERSHIPS, {}).get((workspace_id, user_id))
    if membership is not None:
        return membership
    return batch_facts.membership(workspace_id, user_id)


def _conversion(
    workspace: Workspace, policy: Policy, ids: list[int], in_play: list
) -> dict[int, float]:
    """Won leads / leads received, per member, over the longest window of the strategies in
    play that read the conversion history (each such strategy has a `window`)."""
    windows = [s.window.timedelta for s in in_play if strategy_reads(s, CONVERSION)]
    if not windows:
        return {}
    since = now() - max(windows)
    won = case((Lead.status.in_(policy.intake.won_codes or {""}), 1), else_=0)
    rows = db.session.execute(
        select(Lead.owner_id, func.sum(won), func.count())
        .where(owned_by(Lead, workspace), Lead.owner_id.in_(ids), Lead.created_at >= since)
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


@operation
def set_owner(lead: Lead, owner: User | None, *, actor: User | None, reason: str) -> None:
    """Give `lead` to `owner` (None: to nobody): the one way a lead changes hands.

    Every path goes through here (intake, the strategy, a manager's reassignment, the API,
    a timer's reassign action; a claim through _handed_over): the change is audited, the
    previous holder's clocks end, and the new holder's start as the policy says.
    """
    policy = policies.active_policy(lead.workspace)
    # The previous holder's timers end first, then the lead row is written: the order a
    # worker firing one of those timers takes them in, so the two wait, never deadlock. A
    # lead nobody held has no holder's timers to end (a new lead: one query saved).
    ended = (
        _end_holder_timers(lead, policy, reason=f"lead handed over: {reason}")
        if lead.owner_id is not None
        else set()
    )
    before = lead.owner_id
    lead.owner_id = owner.id if owner else None
    lead.owner = owner  # held by the lead: whoever describes it next needs no query
    lead.assigned_at = now() if owner else None
    _handed_over(lead, before, owner, policy, ended, actor=actor, reason=reason)


def _handed_over(
    lead: Lead,
    before: int | None,
    owner: User | None,
    policy: Policy,
    ended: set[str],
    *,
    actor: User | None,
    reason: str,
) -> None:
    """What follows a change of holder, whose previous timers `ended`: the audit event, the
    queues told, and the new holder's timers started (lead.assigned; lead.allocated too, with
    the partner's organisation, for a partner: CPB-2..4)."""
    audit.record(
        lead.workspace_id,
        LEAD_ASSIGNED,
        lead,
        actor=actor,
        before={"owner_id": before},
        after={"owner_id": lead.owner_id},
        reason=reason,
    )
    QUEUES.bump_after_commit(lead.workspace_id, (before, lead.owner_id))
    if owner is None:
        return
    membership = known_membership(lead.workspace_id, owner.id)
    partner = membership is not None and membership.role == Role.PARTNER
    if partner:
        lead.partner_organisation_id = membership.partner_organisation_id
    specs = deadlines_on_owner_change(
        policy,
        ended,
        {LEAD_ASSIGNED, LEAD_ALLOCATED} if partner else {LEAD_ASSIGNED},
        lead.assigned_at or now(),
        BusinessCalendar(policy.calendar),
        lead_type=lead.lead_type,
    )
    starts_on = {t.name: t.starts_on for t in policy.timers}
    leads.schedule_specs(
        lead.workspace,
        lead,
        specs,
        event_of=lambda spec: starts_on[spec.kind],
        # A holder's timer still pending here was started by a concurrent change of holder
        # that committed meanwhile: it is not this holder's, so it is replaced.
        replacing=ownership_timers(policy),
    )
    if partner:  # the partner is told (CPB-2)
        events.publish(lead, LEAD_ALLOCATED, actor=actor)


def _end_holder_timers(lead: Lead, policy: Policy, *, reason: str) -> set[str]:
    """Cancel the lead's pending timers that belong to its holder (CCIMA-6: the previous
    advisor's 10 minutes, due or not: they are no longer theirs to miss); returns their
    names."""
    names = ownership_timers(policy)
    if not names or lead.id is None:
        return set()
    pending = db.session.scalars(
        select(Deadline).where(
            Deadline.lead_id == lead.id,
            Deadline.state == DeadlineState.PENDING,
            Deadline.kind.in_(sorted(names)),
        )
    ).all()
    return {d.kind for d in pending if deadlines.cancel(d, reason=reason)}


def decide(
    lead: Lead,
    *,
    facts: LeadFacts | None = None,
    exclude_current: bool = False,
    strategy=None,
    team_id: int | None = None,
) -> tuple[AssignmentDecision, LeadFacts]:
    """The policy's choice for `lead` (stored or not yet), under the workspace lock, which
    the caller's transaction holds until it ends: the facts in one query, then the pure
    decision. Writes nothing but the lock."""
    workspace = lead.workspace
    lock_workspace(workspace.id)
    policy = policies.active_policy(workspace)
    facts = facts or lead_facts(lead, workspace)
    named = [int(facts.existing_manager_id)] if facts.existing_manager_id else []
    decision = choose_assignee(
        policy,
        facts,
        candidates(workspace, policy, team_id, strategy, source=lead.source, also_user_ids=named),
        now(),
        strategy=strategy,
        exclude_current=exclude_current,
    )
    return decision, facts


def owner_ahead(lead: Lead, decision: AssignmentDecision) -> User | None:
    """The member `decision` gives a lead not yet stored to, when the lead can carry them in
    its INSERT (issue 17 item 3); None when it goes to nobody or to a partner organisation
    (allocated once stored, as `assign` does)."""
    if decision.agent_id is None or decision.strategy == "partner_allocation":
        return None
    return db.session.get(User, int(decision.agent_id))


def hold_ahead(lead: Lead, owner: User) -> None:
    """Give a lead not yet stored to `owner` (its INSERT carries them); `handed_over_new`
    does the rest once it is stored."""
    lead.owner_id = owner.id
    lead.owner = owner
    lead.assigned_at = now()


def first_due_ahead(lead: Lead, owner: User | None, received) -> datetime | None:
    """The next due time a lead not yet stored will have once intake has started its clocks
    (those of its creation at `received`, and `owner`'s as hold_ahead gives it), so that its
    INSERT carries it; None when that is not plain (a timer of both: the second start looks
    for the first), and the deadlines then set it."""
    policy = policies.active_policy(lead.workspace)
    calendar = BusinessCalendar(policy.calendar)
    specs = deadlines_for_event(policy, LEAD_CREATED, received, calendar, lead_type=lead.lead_type)
    if owner is not None:
        membership = known_membership(lead.workspace_id, owner.id)
        partner = membership is not None and membership.role == Role.PARTNER
        held = deadlines_on_owner_change(
            policy,
            set(),
            {LEAD_ASSIGNED, LEAD_ALLOCATED} if partner else {LEAD_ASSIGNED},
            lead.assigned_at or now(),
            calendar,
            lead_type=lead.lead_type,
        )
        if {s.kind for s in specs} & {s.kind for s in held}:
            return None
        specs = specs + held
    return min((s.due_at for s in specs), default=None)


def handed_over_new(lead: Lead, owner: User, *, actor: User | None, reason: str) -> None:
    """What set_owner does after it writes the holder, for a lead stored in this transaction
    already holding `owner` (hold_ahead): nobody held it before, so no timers end."""
    policy = policies.active_policy(lead.workspace)
    _handed_over(lead, None, owner, policy, set(), actor=actor, reason=reason)


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
    decision, facts = decide(
        lead, facts=facts, exclude_current=exclude_current, strategy=strategy, team_id=team_id
    )
    apply(lead, decision, facts, actor=actor)
    return decision


@operation
def apply(
    lead: Lead,
    decision: AssignmentDecision,
    facts: LeadFacts,
    *,
    actor: User | None,
    held_ahead: bool = False,
) -> None:
    """Carry out `decision` for the stored `lead`; `held_ahead`: the lead was stored already
    holding the chosen member (hold_ahead)."""
    workspace = lead.workspace
    if decision.agent_id is not None:
        owner = db.session.get(User, int(decision.agent_id))
        reason = f"{decision.strategy}: {decision.reason}"
        organisation = (
            sharing.organisation_of(lead, owner)
            if decision.strategy == "partner_allocation" and not sharing.allocates_users(lead)
            else None
        )
        if organisation is not None:  # the organisation's partners share it (CPB-2)
            if lead.owner_id is not None:
                set_owner(lead, None, actor=actor, reason=reason)
            sharing.share(lead, organisation, actor=actor, reason=reason)
            return
        if held_ahead:
            handed_over_new(lead, owner, actor=actor, reason=reason)
        else:
            set_owner(lead, owner, actor=actor, reason=reason)
        if decision.cursor is not None:
            workspace.assignment_cursor = decision.cursor
        if decision.notify_agent_ids:  # BDC-4: the busy manager's assistant is told
            events.publish(
                lead,
                MANAGER_TAGGED,
                actor=actor,
                context={"manager_id": int(facts.existing_manager_id)},
            )
    elif decision.wait_until is not None:
        if not deadlines.pending_of(lead.id, {OPENING_DEADLINE}):
            deadlines.schedule(workspace.id, OPENING_DEADLINE, decision.wait_until, lead=lead)
        audit.record(
            workspace.id,
            LEAD_AWAITING_OPENING,
            lead,
            actor=actor,
            after={"until": decision.wait_until.isoformat()},
            reason=decision.reason,
        )
    else:
        audit.record(workspace.id, LEAD_UNASSIGNED, lead, actor=actor, reason=decision.reason)


@operation
def reassign(lead: Lead, to: User, *, actor: User | None, reason: str = "") -> None:
    """A manager (or a manager's API key) gives the lead to another member of the workspace;
    given to a partner by hand (a manual fallback), it is allocated as the strategy would
    have: their clocks start."""
    membership = db.session.scalar(
        scoped(Membership, lead.workspace_id).where(Membership.user_id == to.id)
    )
    if membership is None:
        raise UserError("owner", Refusal(N_("not a member of this workspace")))
    set_owner(lead, to, actor=actor, reason=reason or "reassigned by a manager")


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
    # Nobody held it: no holder's timers to end; a stale one is replaced by the claimer's.
    _handed_over(
        lead,
        None,
        agent,
        policies.active_policy(lead.workspace),
        set(),
        actor=agent,
        reason="claimed",
    )


@deadlines.on_fire(OPENING_DEADLINE)
def assign_at_opening(deadline: Deadline) -> None:
    """The department opened: assign the lead that waited, unless someone already has it."""
    lead = deadline.lead
    if lead is not None and lead.owner_id is None:
        assign(lead, actor=None)
