"""Intake: the one operation every channel (form, API, webhook, CSV) uses to receive a lead.

It validates the lead against the workspace policy, settles duplicates by the policy's
precedence rules (CCIMA-11, BDC-1..3, BDC-7), assigns it (or lets it wait for the opening),
starts its clocks, and audits all of it, in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError

from tenants import Policy
from tenants.decisions import DuplicateDecision, LeadRef, resolve_duplicate
from tenants.decisions.duplicates import LoserFate
from webapp.audit_actions import DUPLICATE_INVALIDATED, LEAD_INVALIDATED, LEAD_REQUEST_JOINED
from webapp.clock import now
from webapp.extensions import db
from webapp.live_versions import QUEUES
from webapp.models import (
    Account,
    Activity,
    IntakeReceipt,
    Lead,
    Membership,
    Role,
    User,
    Workspace,
)
from webapp.ops.metrics import observed_intake
from webapp.tenancy import owned_by, scoped

from . import activities, assignment, audit, events, leads, policies, sources
from . import intake_checks as checks
from .unit import operation

NEW = "new"  # the incoming lead's id in duplicate decisions, before it has one
# Re-exported: the intake's checks live in intake_checks.
LIMITS, FIELD_ALIASES, TRANSPORTS = checks.LIMITS, checks.FIELD_ALIASES, checks.TRANSPORTS
validate = checks.validate


class IntakeInvalid(ValueError):
    """The lead was refused; `errors` lists (field, message) pairs. Nothing was stored."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{f}: {m}" for f, m in errors))
        self.errors = errors


@dataclass(frozen=True)
class IntakeRequest:
    """A lead as a channel hands it in, before validation."""

    contact_name: str
    channel: str = "manual"
    source: str | None = None
    phone: str | None = None
    email: str | None = None
    company: str | None = None
    lead_type: str | None = None
    rating: str | None = None
    external_id: str | None = None
    account_ref: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    taken_by_id: int | None = None  # the agent who took the call or the visit
    received_at: datetime | None = None


@dataclass
class IntakeResult:
    lead: Lead
    created: bool  # False when a retry found the first lead, or the request joined a file
    joined: bool = False
    invalidated: list[Lead] = field(default_factory=list)
    decision: DuplicateDecision | None = None


def _receipt_keys(request: IntakeRequest, key: str | None) -> list[str]:
    return [
        k for k in (key and f"key:{key}", request.external_id and f"ext:{request.external_id}") if k
    ]


def _in_workspace(workspace: Workspace, *alternatives: Any) -> Any:
    """`workspace_id = ? AND (a OR b ...)` spelled `(workspace_id = ? AND a) OR (...)`, so that
    each alternative can use its (workspace_id, column) index on SQLite and PostgreSQL."""
    return or_(*(and_(owned_by(Lead, workspace), a) for a in alternatives))


def _existing_for_retry(
    workspace: Workspace, request: IntakeRequest, key: str | None
) -> IntakeResult | None:
    """The first answer to this request, if it was received before: the lead it made, or the
    file it joined (BDC-7)."""
    conditions = []
    if request.external_id:
        conditions.append(Lead.external_id == request.external_id)
    if key:
        conditions.append(Lead.intake_key == key)
    if not conditions:
        return None
    joined_files = select(IntakeReceipt.lead_id).where(
        owned_by(IntakeReceipt, workspace),
        IntakeReceipt.key.in_(_receipt_keys(request, key)),
    )
    # One query for both answers (it runs for every keyed intake): the lead it made wins.
    # The workspace goes into each alternative so that each is an index lookup: SQLite will
    # not use (workspace_id, intake_key) for `workspace_id = ? AND (intake_key = ? OR ...)` and
    # scans the workspace's leads instead, which made a big import slow down row by row.
    found = db.session.scalars(
        select(Lead)
        .where(_in_workspace(workspace, *conditions, Lead.id.in_(joined_files)))
        .limit(4)  # at most two leads made (external id, key) and two files joined
    ).all()
    made = [
        lead
        for lead in found
        if (key and lead.intake_key == key)
        or (request.external_id and lead.external_id == request.external_id)
    ]
    if made:
        return IntakeResult(made[0], created=False)
    return IntakeResult(found[0], created=False, joined=True) if found else None


def _account(workspace: Workspace, ref: str | None) -> Account | None:
    if not ref:
        return None
    account = db.session.scalar(scoped(Account, workspace).where(Account.external_ref == ref))
    if account is None:
        raise IntakeInvalid([("account_ref", _("No account %(ref)s in this workspace.", ref=ref))])
    return account


def open_matches(
    workspace: Workspace,
    policy: Policy,
    phone: str | None,
    email: str | None,
    external_id: str | None,
    account: Account | None,
) -> list[Lead]:
    """Open leads of the workspace sharing a match key the policy names."""
    keys = set(policy.duplicates.match_keys)
    conditions = []
    if "phone" in keys and phone:
        conditions.append(Lead.phone_e164 == phone)
    if "email" in keys and email:
        conditions.append(Lead.email_normalised == email)
    if "external_id" in keys and external_id:
        conditions.append(Lead.external_id == external_id)
    if "account" in keys and account is not None:
        conditions.append(Lead.account_id == account.id)
    if not conditions:
        return []
    closed = policy.intake.terminal_codes or {""}
    return list(
        db.session.scalars(
            select(Lead)
            .where(_in_workspace(workspace, *conditions), Lead.status.not_in(closed))
            .order_by(Lead.created_at)
            .limit(50)
        )
    )


def _first_contacts(lead_ids: list[int]) -> dict[int, datetime]:
    if not lead_ids:
        return {}
    rows = db.session.execute(
        select(Activity.lead_id, Activity.occurred_at)
        .where(Activity.lead_id.in_(lead_ids), Activity.channel.not_in(activities.NOT_CONTACT))
        .order_by(Activity.occurred_at)
    )
    first: dict[int, datetime] = {}
    for lead_id, at in rows.all():
        first.setdefault(lead_id, at)
    return first


def _ref(lead: Lead, first_contact: datetime | None) -> LeadRef:
    return LeadRef(
        lead_id=str(lead.id),
        channel=checks.dedupe_channel((lead.attributes or {}).get("channel"), lead.source),
        created_at=lead.created_at,
        owner_id=str(lead.owner_id) if lead.owner_id else None,
        first_contact_at=first_contact,
        keys={
            "phone": lead.phone_e164,
            "email": lead.email_normalised,
            "external_id": lead.external_id,
            "account": str(lead.account_id) if lead.account_id else None,
        },
    )


@observed_intake
@operation
def receive_lead(
    workspace: Workspace,
    request: IntakeRequest,
    *,
    actor: User | None,
    idempotency_key: str | None = None,
) -> IntakeResult:
    """Validate, de-duplicate, assign and store a lead; a retry returns the first one."""
    if workspace.archived_at is not None:  # an archived department takes no new leads
        raise IntakeInvalid([("workspace", "the workspace is archived: it takes no new leads")])
    policy = policies.active_policy(workspace)
    # Checked before the workspace lock: it needs no lock, and the lock is held to the end.
    if errors := validate(workspace, policy, request):
        if (earlier := _existing_for_retry(workspace, request, idempotency_key)) is not None:
            return earlier
        raise IntakeInvalid(errors)
    phone = leads.normalise_phone(request.phone, workspace.country) if request.phone else None
    email = leads.normalise_email(request.email) if request.email else None
    assignment.lock_workspace(workspace.id)
    if (earlier := _existing_for_retry(workspace, request, idempotency_key)) is not None:
        return earlier
    account = _account(workspace, request.account_ref)
    received = request.received_at or now()
    found = open_matches(workspace, policy, phone, email, request.external_id, account)
    contacts = _first_contacts([lead.id for lead in found])
    taken_by = db.session.get(User, request.taken_by_id) if request.taken_by_id else None
    incoming = LeadRef(
        NEW,
        checks.dedupe_channel(request.channel, request.source),
        received,
        str(taken_by.id) if taken_by else None,
        None,
        {
            "phone": phone,
            "email": email,
            "external_id": request.external_id,
            "account": str(account.id) if account else None,
        },
    )
    decision = resolve_duplicate(
        policy, incoming, [_ref(x, contacts.get(x.id)) for x in found], locale=workspace.locale
    )
    by_id = {str(x.id): x for x in found}
    if decision.rule == "join_existing" and decision.winner_id != NEW:  # BDC-7
        return _join(by_id[decision.winner_id], request, actor, decision, idempotency_key)
    plan = _Plan(workspace, policy, decision, by_id, taken_by)
    lead = _store(workspace, request, actor, idempotency_key, account, received, decision, plan)
    sources.registered(lead, plan.source, plan.team, actor=actor)  # CCIMA-10: the source's team
    invalidated = _apply_fates(lead, decision, by_id, actor)
    if plan.decided:
        plan.carry_out(lead, actor)
    else:
        _assign_new(lead, workspace, decision, by_id, taken_by, actor)
    return IntakeResult(lead, created=True, invalidated=invalidated, decision=decision)


class _Plan:
    """What intake decides about a new lead before storing it, so that its INSERT carries its
    team and holder (issue 17 item 3: decide first, then write once).

    `before_insert` runs on the built, not yet stored lead: it finds the source's team and,
    for the plain cases of `_assign_new` (the taker keeps it, the first contact keeps it, the
    policy's strategy picks a member), the holder; `carry_out` does the rest once it is
    stored. Any other case (the lead invalidated, a manager on the file, a partner
    organisation, timers started on creation that read the holder) is left to
    `_assign_new`, after the INSERT, as before."""

    def __init__(
        self,
        workspace: Workspace,
        policy: Policy,
        decision: DuplicateDecision,
        by_id: dict[str, Lead],
        taken_by: User | None,
    ) -> None:
        self.workspace, self.policy, self.duplicate = workspace, policy, decision
        self.by_id, self.taken_by = by_id, taken_by
        self.source = None
        self.team = None
        self.decided = False
        self.owner: User | None = None
        self.reason = ""
        self.assignment: Any = None  # (AssignmentDecision, LeadFacts) of the strategy

    def before_insert(self, lead: Lead) -> None:
        self.source, self.team = sources.team_of(lead, self.policy)
        if self.team is not None:
            lead.team_id = self.team.id
            lead.team = self.team  # held by the lead: whoever describes it next needs no query
        if not self._may_decide(lead):
            return
        decision = self.duplicate
        if self.taken_by is not None and decision.winner_id == NEW:  # BDC-1/3
            if _manager_of(decision, self.by_id) is not None:
                return  # the manager on the file is a fact of the strategy's: _assign_new
            self.owner, self.reason = self.taken_by, "taken by this agent"
        elif decision.winner_id != NEW and decision.owner_id:  # CCIMA-11
            self.owner = db.session.get(User, int(decision.owner_id))
            self.reason = f"duplicate: {decision.rule}"
            if self.owner is None:
                return  # no such user any more: _assign_new says so as it did
        elif not self.policy.assignment.direct_to_agents:
            pass  # it waits in the unassigned pool
        else:
            chosen, facts = assignment.decide(lead)
            self.assignment = (chosen, facts)
            self.owner = assignment.owner_ahead(lead, chosen)
            if self.owner is None and chosen.agent_id is not None:
                self.assignment = None  # a partner organisation: allocated once stored
                return
        if self.owner is not None:
            assignment.hold_ahead(lead, self.owner)
        lead.next_due_at = assignment.first_due_ahead(lead, self.owner, lead.created_at)
        self.decided = True

    def _may_decide(self, lead: Lead) -> bool:
        if any(f.lead_id == NEW and f.fate == "invalid" for f in self.duplicate.losers):
            return False  # invalidated on arrival: _assign_new looks at its status
        if lead.status in self.policy.intake.terminal_codes:
            return False
        # A timer started by the lead's creation may make a task for its holder: it is made
        # before the lead has one, so the holder is given after the INSERT.
        return not leads.created_timers_read_holder(self.policy)

    def carry_out(self, lead: Lead, actor: User | None) -> None:
        if self.assignment is not None:
            chosen, facts = self.assignment
            assignment.apply(lead, chosen, facts, actor=actor, held_ahead=self.owner is not None)
        elif self.owner is not None:
            assignment.handed_over_new(lead, self.owner, actor=actor, reason=self.reason)


def _store(
    workspace: Workspace,
    request: IntakeRequest,
    actor: User | None,
    idempotency_key: str | None,
    account: Account | None,
    received: datetime,
    decision: DuplicateDecision,
    plan: _Plan,
) -> Lead:
    # No savepoint of its own (two statements saved, issue 17 item 3): a refused INSERT fails
    # the whole intake, whose transaction (or the import row's savepoint) is rolled back.
    try:
        lead = leads.create_lead(
            workspace,
            contact_name=request.contact_name,
            actor=actor,
            phone=request.phone,
            email=request.email,
            received_at=received,
            audit_details={"channel": request.channel, "duplicate_rule": decision.rule},
            source=request.source or request.channel,
            company=request.company,
            account_id=account.id if account else None,
            rating=request.rating,
            lead_type=request.lead_type,
            attributes={**request.attributes, "channel": request.channel},
            external_id=request.external_id,
            intake_key=idempotency_key,
            duplicate_of_id=int(decision.winner_id) if decision.winner_id != NEW else None,
            before_insert=plan.before_insert,
        )
    except IntegrityError as error:  # a concurrent retry stored it first
        raise IntakeInvalid([("external_id", "this lead was already received")]) from error
    leads.mark_fresh(lead)
    return lead


def _apply_fates(
    lead: Lead, decision: DuplicateDecision, by_id: dict[str, Lead], actor: User | None
) -> list[Lead]:
    """What becomes of the leads that lost to the new one (BDC-2: the e-mail lead invalid)."""
    invalidated = []
    for fate in decision.losers:
        loser = lead if fate.lead_id == NEW else by_id[fate.lead_id]
        if loser is not lead and decision.winner_id == NEW:
            loser.duplicate_of_id = lead.id
        if fate.fate == "invalid":
            _invalidate(loser, fate, actor)
            invalidated.append(loser)
    return invalidated


def _invalidate(lead: Lead, fate: LoserFate, actor: User | None) -> None:
    lead.invalid_reason = fate.note
    leads.set_status(
        lead,
        fate.status or "invalid",
        actor=actor,
        reason=fate.note or "",
        action=LEAD_INVALIDATED,
    )
    events.publish(
        lead, DUPLICATE_INVALIDATED, actor=actor, context={"previous_owner_id": lead.owner_id}
    )


def _assign_new(
    lead: Lead,
    workspace: Workspace,
    decision: DuplicateDecision,
    by_id: dict[str, Lead],
    taken_by: User | None,
    actor: User | None,
) -> None:
    if lead.status in policies.active_policy(workspace).intake.terminal_codes:
        return
    if taken_by is not None and decision.winner_id == NEW:  # BDC-1/3: the taker keeps it
        existing_manager = _manager_of(decision, by_id)
        if existing_manager is None:
            assignment.set_owner(lead, taken_by, actor=actor, reason="taken by this agent")
            return
        facts = assignment.lead_facts(
            lead, workspace, taken_by=taken_by, existing_manager_id=existing_manager
        )
        assignment.assign(lead, actor=actor, facts=facts)
        return
    if decision.winner_id != NEW and decision.owner_id:  # CCIMA-11: first contact keeps
        owner = db.session.get(User, int(decision.owner_id))
        assignment.set_owner(lead, owner, actor=actor, reason=f"duplicate: {decision.rule}")
        return
    if not policies.active_policy(workspace).assignment.direct_to_agents:
        return  # the department hands new leads out itself: they wait in the unassigned pool
    assignment.assign(lead, actor=actor)


def _manager_of(decision: DuplicateDecision, by_id: dict[str, Lead]) -> int | None:
    """The manager handling a matched file (BDC-4), if any."""
    for lead_id in decision.matched_ids:
        owner_id = by_id[lead_id].owner_id
        if (
            owner_id
            and db.session.scalar(
                select(Membership.role).where(
                    owned_by(Membership, by_id[lead_id].workspace_id),
                    Membership.user_id == owner_id,
                )
            )
            == Role.MANAGER
        ):
            return owner_id
    return None


def _join(
    existing: Lead,
    request: IntakeRequest,
    actor: User | None,
    decision: DuplicateDecision,
    idempotency_key: str | None,
) -> IntakeResult:
    """A known customer's new request joins their file instead of duplicating it (BDC-7);
    its keys are kept so that a retry of it finds this file and joins nothing again."""
    for key in _receipt_keys(request, idempotency_key):
        db.session.add(
            IntakeReceipt(workspace_id=existing.workspace_id, key=key, lead_id=existing.id)
        )
    note = f"{request.channel}: {request.contact_name}".strip()
    activities.log_activity(existing, "note", actor=actor, note=note)
    QUEUES.bump_after_commit(existing.workspace_id, (existing.owner_id,))
    audit.record(
        existing.workspace_id,
        LEAD_REQUEST_JOINED,
        existing,
        actor=actor,
        after={"channel": request.channel},
        reason=decision.rule,
    )
    existing.updated_at = now()
    return IntakeResult(existing, created=False, joined=True, decision=decision)
