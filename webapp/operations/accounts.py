"""Client accounts: their facts for the eligibility gates, and leads delivered to them (L411)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from tenants.decisions import (
    CounterFacts,
    GateFacts,
    PendingCooldown,
    start_pending_cooldowns,
    tripped_counters,
)
from tenants.durations import Duration
from tenants.errors import Refusal
from tenants.markers import N_
from webapp.clock import now
from webapp.errors import UserError
from webapp.extensions import db
from webapp.models import Account, AuditEvent, Lead, User, Workspace
from webapp.tenancy import owned_by, scoped

from . import audit, events, intake, leads, policies
from .unit import operation

# The event a lead sent to an account records on it (L411-1); counters may count it (L411-2).
DELIVERY_EVENT = "account.delivery"

# The event a card's closing is (L411-9: "No - Already offered" waits for it).
CARD_CLOSED = "card.closed"

# Account.flags holds the facts the policy's gates read, in these parts.
EMPTY_FACTS: dict[str, Any] = {
    "set": [],
    "fields": {},
    "amounts": {},
    "open_cards": [],
    "cooldowns": {},
}


def facts_of(account: Account) -> dict[str, Any]:
    return {**EMPTY_FACTS, **(account.flags or {})}


def gate_facts(account: Account | None) -> GateFacts:
    """What the eligibility gates see of an account (L411-4)."""
    if account is None:
        return GateFacts()
    facts = facts_of(account)
    return GateFacts(
        flags=frozenset(facts["set"]),
        fields=dict(facts["fields"]),
        amounts={k: float(v) for k, v in facts["amounts"].items()},
        open_cards=frozenset(facts["open_cards"]),
        cooldowns_until={k: datetime.fromisoformat(v) for k, v in facts["cooldowns"].items()},
    )


@operation
def upsert_account(
    workspace: Workspace,
    external_ref: str,
    *,
    actor: User | None,
    name: str | None = None,
    signed_up_on: date | None = None,
    flags: list[str] | None = None,
    fields: dict[str, str] | None = None,
    amounts: dict[str, float] | None = None,
    open_cards: list[str] | None = None,
    cards_closed_at: datetime | None = None,
) -> tuple[Account, bool]:
    """Create or update the account with this external reference; returns (account, created).

    A card that was open and is not in `open_cards` closed at `cards_closed_at` (now if not
    given): the cooldowns waiting for a card's closing start then (L411-9).
    """
    if not external_ref.strip() or len(external_ref) > 100:
        raise UserError(
            "external_ref", Refusal(N_("an external reference has 1 to 100 characters"))
        )
    account = db.session.scalar(
        scoped(Account, workspace).where(Account.external_ref == external_ref)
    )
    created = account is None
    if created:
        if not (name or "").strip():
            raise UserError("name", Refusal(N_("a new account needs a name")))
        account = Account(workspace_id=workspace.id, external_ref=external_ref, flags={})
        db.session.add(account)
    before = {"name": account.name, "flags": facts_of(account)} if not created else None
    if name:
        account.name = name.strip()[:200]
    if signed_up_on is not None:
        account.signed_up_on = signed_up_on
    facts = facts_of(account)
    was_open = set(facts["open_cards"])
    for part, value in (
        ("set", flags),
        ("fields", fields),
        ("amounts", amounts),
        ("open_cards", open_cards),
    ):
        if value is not None:
            facts[part] = sorted(value) if isinstance(value, list) else dict(value)
    closed = sorted(was_open - set(facts["open_cards"]))
    if closed:
        facts = _cards_closed(workspace, account, facts, closed, cards_closed_at or now(), actor)
    account.flags = facts
    audit.record(
        workspace.id,
        "account.created" if created else "account.updated",
        account,
        actor=actor,
        before=before,
        after={"name": account.name, "flags": facts},
    )
    return account, created


def _cards_closed(
    workspace: Workspace,
    account: Account,
    facts: dict[str, Any],
    cards: list[str],
    at: datetime,
    actor: User | None,
) -> dict[str, Any]:
    """Start the cooldowns that waited for a card to close (L411-9); the facts with them."""
    policy = policies.active_policy(workspace)
    pending = [
        PendingCooldown(p["name"], p["starts_on"], Duration.parse(p["duration"]))
        for p in facts.get("pending_cooldowns", [])
    ]
    started, waiting = start_pending_cooldowns(policy, pending, CARD_CLOSED, at)
    cooldowns = dict(facts["cooldowns"])
    for name, until in started.items():
        if name not in cooldowns or datetime.fromisoformat(cooldowns[name]) < until:
            cooldowns[name] = until.isoformat()
    audit.record(
        workspace.id,
        CARD_CLOSED,
        account,
        actor=actor,
        after={"cards": cards, "closed_at": at.isoformat(), "cooldowns": cooldowns},
    )
    return {
        **facts,
        "cooldowns": cooldowns,
        "pending_cooldowns": [
            {"name": p.name, "starts_on": p.starts_on, "duration": str(p.duration)} for p in waiting
        ],
    }


@operation
def close_card(account: Account, card: str, *, actor: User | None) -> Account:
    """Close an open card of the account (from the lead page); its cooldowns start (L411-9)."""
    open_cards = facts_of(account)["open_cards"]
    if card not in open_cards:
        raise UserError("card", Refusal(N_("no open card %(card)r on this account"), card=card))
    upsert_account(
        account.workspace,
        account.external_ref,
        actor=actor,
        open_cards=[c for c in open_cards if c != card],
    )
    return account


@operation
def record_delivery(
    account: Account,
    *,
    contact_name: str,
    actor: User | None,
    phone: str | None = None,
    email: str | None = None,
    external_id: str | None = None,
    source: str | None = None,
    lead_type: str | None = None,
    sent_by: User | None = None,
) -> tuple[intake.IntakeResult, list[str]]:
    """A lead sent to the account (L411-1): recorded against it, its clocks started (L411-3),
    and the account's counters checked (L411-2); returns the intake result and new flags.

    `sent_by` is the agent who sent it when that is not the actor (an API key acting for
    them): their callback task is created for them.
    """
    workspace = account.workspace
    sender = sent_by or actor
    result = intake.receive_lead(
        workspace,
        intake.IntakeRequest(
            contact_name=contact_name,
            phone=phone,
            email=email,
            external_id=external_id,
            source=source,
            lead_type=lead_type,
            account_ref=account.external_ref,
            channel="api",
            attributes={"sent_by": sender.id if sender else None},
        ),
        actor=actor,
    )
    if not result.created:
        return result, []
    audit.record(
        workspace.id, DELIVERY_EVENT, account, actor=sender, after={"lead_id": result.lead.id}
    )
    leads.start_timers(workspace, result.lead, DELIVERY_EVENT, actor=sender)
    return result, _check_counters(account, actor, result.lead)


def counter_facts(account: Account, event_names: set[str]) -> CounterFacts:
    """The events recorded on the account that its counters name, e.g. its deliveries
    (L411-2): leads that reach the account otherwise (an AE referral) are not among them."""
    times: dict[str, list[datetime]] = {name: [] for name in event_names}
    rows = db.session.execute(
        select(AuditEvent.action, AuditEvent.created_at).where(
            owned_by(AuditEvent, account.workspace_id),
            AuditEvent.subject_type == Account.__tablename__,
            AuditEvent.subject_id == account.id,
            AuditEvent.action.in_(sorted(event_names)),
        )
    )
    for action, at in rows:
        times[action].append(at)
    signed_up = None
    if account.signed_up_on:  # the sign-up day begins at midnight where the account is served
        zone = ZoneInfo(account.workspace.time_zone)
        signed_up = datetime.combine(account.signed_up_on, time.min, tzinfo=zone)
    return CounterFacts(events=times, signed_up_at=signed_up)


def _check_counters(account: Account, actor: User | None, lead: Lead) -> list[str]:
    policy = policies.active_policy(account.workspace)
    counters = [c for c in policy.counters if c.scope == "account"]
    if not counters:
        return []
    facts = counter_facts(account, {c.event for c in counters})
    current = facts_of(account)
    names = {c.name for c in counters}
    tripped = [
        c
        for c in tripped_counters(policy, facts, now())
        if c.name in names and c.flag not in current["set"]
    ]
    new_flags = [c.flag for c in tripped]
    if new_flags:
        account.flags = {**current, "set": sorted({*current["set"], *new_flags})}
        audit.record(
            account.workspace_id,
            "account.flagged",
            account,
            actor=actor,
            after={"flags": new_flags},
            reason="counter threshold reached",
        )
    for counter in tripped:  # e.g. L411-2: the AE team hears of the HOT account, by its name
        context = {"flag": counter.flag, "account_name": account.name}
        events.publish(lead, f"counter.{counter.name}", actor=actor, context=context)
    return new_flags
