"""Duplicate resolution: find matches by normalised keys, then the first applicable rule decides."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from tenants.decisions.matchkeys import normalise_key
from tenants.policy import Policy
from tenants.policy.common import label_for
from tenants.policy.duplicates import DuplicateSettings


@dataclass(frozen=True)
class LeadRef:
    """A lead as duplicate detection sees it; `keys` holds raw phone/email/external_id/account."""

    lead_id: str
    channel: str
    created_at: datetime
    owner_id: str | None = None
    first_contact_at: datetime | None = None
    keys: Mapping[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class LoserFate:
    """What happens to a lead that lost: merged into, linked to, or invalidated by the winner."""

    lead_id: str
    fate: str
    status: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class DuplicateDecision:
    """The winning lead, its owner, and the fate of every loser."""

    winner_id: str
    owner_id: str | None
    rule: str
    losers: tuple[LoserFate, ...] = ()
    matched_ids: tuple[str, ...] = ()


def matching(policy: Policy, incoming: LeadRef, existing: Sequence[LeadRef]) -> list[LeadRef]:
    """Existing leads sharing at least one normalised match key with `incoming`."""
    dup = policy.duplicates

    def keys(lead: LeadRef) -> set[tuple[str, str]]:
        pairs = (
            (k, normalise_key(k, lead.keys.get(k), dup.default_region)) for k in dup.match_keys
        )
        return {(k, v) for k, v in pairs if v}

    wanted = keys(incoming)
    return [e for e in existing if e.lead_id != incoming.lead_id and keys(e) & wanted]


@dataclass(frozen=True)
class _Ctx:
    settings: DuplicateSettings
    locale: str


def _fates(losers: Sequence[LeadRef], rule, ctx: _Ctx, note: str | None = None) -> tuple:
    status = ctx.settings.invalid_status if rule.loser == "invalid" else None
    return tuple(LoserFate(lead.lead_id, rule.loser, status, note) for lead in losers)


def _first_contact(rule, new: LeadRef, found: list[LeadRef], ctx: _Ctx) -> DuplicateDecision:
    never = datetime.max.replace(tzinfo=new.created_at.tzinfo)
    everyone = [*found, new]
    winner = min(everyone, key=lambda x: (x.first_contact_at or never, x.created_at, x.lead_id))
    losers = [x for x in everyone if x is not winner]
    return DuplicateDecision(winner.lead_id, winner.owner_id, rule.rule, _fates(losers, rule, ctx))


def _phone_up(rule, new: LeadRef, found: list[LeadRef], ctx: _Ctx) -> DuplicateDecision | None:
    if new.channel not in rule.phone_channels:
        return None
    emails = [x for x in found if x.channel in rule.email_channels and x.owner_id != new.owner_id]
    if not emails:
        return None
    note = label_for(rule.note, ctx.locale, fallback="fr")
    return DuplicateDecision(new.lead_id, new.owner_id, rule.rule, _fates(emails, rule, ctx, note))


def _oldest_keeps(rule, new: LeadRef, found: list[LeadRef], ctx: _Ctx) -> DuplicateDecision:
    oldest = min(found, key=lambda x: (x.created_at, x.lead_id))
    return DuplicateDecision(oldest.lead_id, oldest.owner_id, rule.rule, _fates([new], rule, ctx))


def _newest_wins(rule, new: LeadRef, found: list[LeadRef], ctx: _Ctx) -> DuplicateDecision:
    return DuplicateDecision(new.lead_id, new.owner_id, rule.rule, _fates(found, rule, ctx))


# A rule returns None when it does not apply, and the next rule is tried.
PrecedenceFn = Callable[[object, LeadRef, list[LeadRef], _Ctx], DuplicateDecision | None]

PRECEDENCE_RULES: dict[str, PrecedenceFn] = {
    "first_contact_keeps": _first_contact,
    "phone_up_wins": _phone_up,
    "existing_owner_keeps": _oldest_keeps,
    "newest_wins": _newest_wins,
    "join_existing": _oldest_keeps,
}


def resolve_duplicate(
    policy: Policy, incoming: LeadRef, existing: Sequence[LeadRef], locale: str | None = None
) -> DuplicateDecision:
    """Settle `incoming` against existing leads; no match means it stands alone."""
    found = matching(policy, incoming, existing)
    if not found:
        return DuplicateDecision(incoming.lead_id, incoming.owner_id, "no_match")
    ctx = _Ctx(policy.duplicates, locale or policy.default_locale)
    for rule in policy.duplicates.precedence:
        decision = PRECEDENCE_RULES[rule.rule](rule, incoming, found, ctx)
        if decision is not None:
            ids = tuple(x.lead_id for x in found)
            return DuplicateDecision(
                decision.winner_id, decision.owner_id, decision.rule, decision.losers, ids
            )
    return DuplicateDecision(
        incoming.lead_id, incoming.owner_id, "no_rule_applied", (), tuple(x.lead_id for x in found)
    )
