"""Eligibility gates before an offer (L411-4): each gate is a registered condition over facts."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from tenants.policy import Policy


@dataclass(frozen=True)
class GateFacts:
    """What is known about the account/lead when an offer is considered."""

    flags: frozenset[str] = frozenset()
    fields: Mapping[str, str | None] = field(default_factory=dict)
    amounts: Mapping[str, float] = field(default_factory=dict)
    open_cards: frozenset[str] = frozenset()
    cooldowns_until: Mapping[str, datetime] = field(default_factory=dict)


@dataclass(frozen=True)
class GateResult:
    """One gate's verdict; `reason_key` is the gate name, labels are in the policy."""

    gate: str
    blocked: bool
    reason_key: str
    outcome: str | None = None


Condition = Callable[[object, GateFacts, datetime], bool]

GATE_CONDITIONS: dict[str, Condition] = {
    "flag_set": lambda c, f, now: c.flag in f.flags,
    "status_in": lambda c, f, now: f.fields.get(c.field) in c.values,
    "open_card": lambda c, f, now: c.card in f.open_cards,
    "cooldown_active": lambda c, f, now: (
        c.cooldown in f.cooldowns_until and now < f.cooldowns_until[c.cooldown]
    ),
    "amount_above": lambda c, f, now: f.amounts.get(c.amount, 0) > c.threshold,
}


def check_gates(policy: Policy, facts: GateFacts, now: datetime) -> list[GateResult]:
    """Every gate of the policy, in order, with whether it blocks the offer."""
    return [
        GateResult(
            gate.name,
            GATE_CONDITIONS[gate.when.condition](gate.when, facts, now),
            gate.name,
            gate.outcome,
        )
        for gate in policy.gates
    ]


def blocking_gates(policy: Policy, facts: GateFacts, now: datetime) -> list[GateResult]:
    """Only the gates that block."""
    return [r for r in check_gates(policy, facts, now) if r.blocked]


def offer_blocked_by(
    policy: Policy, code: str, facts: GateFacts, now: datetime
) -> list[GateResult]:
    """The gates that refuse outcome `code` now (L411-4, L411-7): an outcome that counts as an
    offer while a gate blocks. An outcome that records why no offer was made is never refused."""
    outcome = next((o for o in policy.outcomes.codes if o.code == code), None)
    if outcome is None or not outcome.is_offer:
        return []
    return blocking_gates(policy, facts, now)
