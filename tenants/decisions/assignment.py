"""Who gets a lead: eligibility filters, then a strategy from a registry, then the fallback."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from tenants.calendar import BusinessCalendar
from tenants.policy import Policy
from tenants.policy import assignment as settings


@dataclass(frozen=True)
class Candidate:
    """An agent who could receive the lead, with the facts strategies and filters need."""

    agent_id: str
    authorised: bool = True
    roster_confirmed: bool = True
    available: bool = True
    open_leads: int = 0
    # The member's own cap on open leads; None: the policy's capacity filter decides.
    capacity: int | None = None
    weight: int = 1
    recent_assignments: int = 0
    metrics: Mapping[str, float] = field(default_factory=dict)
    organisation: str | None = None
    assistant_id: str | None = None


@dataclass(frozen=True)
class LeadFacts:
    """The lead being assigned."""

    fields: Mapping[str, str] = field(default_factory=dict)
    current_agent_id: str | None = None
    existing_manager_id: str | None = None
    taken_by_agent_id: str | None = None
    round_robin_cursor: str | None = None


@dataclass(frozen=True)
class AssignmentDecision:
    """Who gets the lead (None: nobody yet), why, and what to remember for next time."""

    agent_id: str | None
    reason: str
    strategy: str
    wait_until: datetime | None = None
    cursor: str | None = None
    notify_agent_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Pick:
    agent_id: str | None
    reason: str
    cursor: str | None = None
    notify_agent_ids: tuple[str, ...] = ()


Filter = Callable[[object, Candidate], bool]
StrategyFn = Callable[[object, LeadFacts, list[Candidate]], _Pick | None]

ELIGIBILITY_FILTERS: dict[str, Filter] = {
    "authorised": lambda f, c: c.authorised,
    "roster_confirmed": lambda f, c: c.roster_confirmed,
    "available": lambda f, c: c.available,
    "capacity": lambda f, c: (
        c.open_leads < (f.max_open_leads if c.capacity is None else c.capacity)
    ),
    # Hours are a property of the moment, not of the agent: handled before filtering.
    "inside_hours": lambda f, c: True,
}


def _round_robin(s: object, lead: LeadFacts, pool: list[Candidate]) -> _Pick | None:
    ids = sorted(c.agent_id for c in pool)
    if not ids:
        return None
    after = [i for i in ids if lead.round_robin_cursor is None or i > lead.round_robin_cursor]
    chosen = (after or ids)[0]
    return _Pick(chosen, "round_robin_next", cursor=chosen)


def _weighted(s: object, lead: LeadFacts, pool: list[Candidate]) -> _Pick | None:
    eligible = [c for c in pool if c.weight > 0]
    if not eligible:
        return None
    best = min(eligible, key=lambda c: (c.recent_assignments / c.weight, -c.weight, c.agent_id))
    return _Pick(best.agent_id, "weighted_share")


def _least_loaded_pick(pool: Sequence[Candidate]) -> Candidate | None:
    return min(pool, key=lambda c: (c.open_leads, c.agent_id), default=None)


def _least_loaded(s: object, lead: LeadFacts, pool: list[Candidate]) -> _Pick | None:
    best = _least_loaded_pick(pool)
    return _Pick(best.agent_id, "least_loaded") if best else None


def _top_performer(
    s: settings.TopPerformer, lead: LeadFacts, pool: list[Candidate]
) -> _Pick | None:
    scored = [c for c in pool if s.metric in c.metrics]
    ranked = sorted(scored, key=lambda c: (-c.metrics[s.metric], c.agent_id))[: s.top_n]
    best = _least_loaded_pick(ranked)
    return _Pick(best.agent_id, f"top_performer:{s.metric}") if best else None


def _matches(rule: settings.AllocationRule, lead: LeadFacts) -> bool:
    return all(lead.fields.get(name) in values for name, values in rule.when.items())


def _partner_allocation(
    s: settings.PartnerAllocation, lead: LeadFacts, pool: list[Candidate]
) -> _Pick | None:
    for rule in s.rules:
        if not _matches(rule, lead):
            continue
        org = rule.organisation or lead.fields.get(rule.organisation_from_field or "")
        best = _least_loaded_pick([c for c in pool if org and c.organisation == org])
        if best:
            return _Pick(best.agent_id, f"partner_allocation:{org}")
    return None


def _manual(s: object, lead: LeadFacts, pool: list[Candidate]) -> _Pick | None:
    return _Pick(None, "manual_assignment")


def _existing_file_manager(
    s: settings.ExistingFileManager, lead: LeadFacts, pool: list[Candidate]
) -> _Pick | None:
    manager = next((c for c in pool if c.agent_id == lead.existing_manager_id), None)
    if manager and manager.available:
        return _Pick(manager.agent_id, "existing_file_manager")
    if (
        manager
        and lead.taken_by_agent_id
        and s.when_unavailable == "taker_books_and_tags_assistant"
    ):
        tagged = (manager.assistant_id or manager.agent_id,)
        return _Pick(lead.taken_by_agent_id, "manager_unavailable_taker_books", None, tagged)
    return None


# The facts about candidates a strategy may read beyond the members themselves: the
# operation gathers only those the strategies in play declare (each costs a query).
OPEN_LEADS = "open_leads"  # Candidate.open_leads
CONVERSION = "conversion_history"  # Candidate.metrics["conversion_rate"], over `window`


@dataclass(frozen=True)
class StrategySpec:
    """A strategy of the registry: how it picks, which candidate facts it reads, and whether
    it allocates to a partner organisation (its pool is the partners, not the receivers)."""

    pick: StrategyFn
    reads: frozenset[str] = frozenset()
    allocates_to_partners: bool = False


ASSIGNMENT_STRATEGIES: dict[str, StrategySpec] = {
    "round_robin": StrategySpec(_round_robin),
    "weighted": StrategySpec(_weighted),
    "least_loaded": StrategySpec(_least_loaded, frozenset({OPEN_LEADS})),
    # Ties among the best are broken by load.
    "top_performer": StrategySpec(_top_performer, frozenset({OPEN_LEADS, CONVERSION})),
    "partner_allocation": StrategySpec(
        _partner_allocation, frozenset({OPEN_LEADS}), allocates_to_partners=True
    ),
    "manual": StrategySpec(_manual),
    "existing_file_manager": StrategySpec(_existing_file_manager),
}


def strategy_reads(strategy: settings.Strategy, fact: str) -> bool:
    """Whether `strategy` reads `fact` (OPEN_LEADS, CONVERSION) about the candidates."""
    return fact in ASSIGNMENT_STRATEGIES[strategy.strategy].reads


def allocates_to_partners(strategy: settings.Strategy) -> bool:
    return ASSIGNMENT_STRATEGIES[strategy.strategy].allocates_to_partners


@dataclass(frozen=True)
class Receivers:
    """Whom strategies may pick for a lead: members with one of `roles`, in one of `teams`
    (no teams: any team, or none)."""

    roles: tuple[str, ...]
    teams: tuple[str, ...] = ()


def receivers_for(policy: Policy, source: str | None) -> Receivers:
    """The roles and teams the policy names for leads of `source`, each list falling back to
    the workspace's (`assignment.by_source`, then `receiving_roles` / `receiving_teams`)."""
    settings_ = policy.assignment
    own = settings_.by_source.get(source or "")
    roles = own.receiving_roles if own and own.receiving_roles is not None else None
    teams = own.receiving_teams if own and own.receiving_teams is not None else None
    return Receivers(
        tuple(roles if roles is not None else settings_.receiving_roles),
        tuple(teams if teams is not None else settings_.receiving_teams),
    )


def eligible_candidates(
    policy: Policy, lead: LeadFacts, candidates: Sequence[Candidate], exclude_current: bool
) -> list[Candidate]:
    """Candidates that pass every eligibility filter of the policy."""
    filters = policy.assignment.eligibility
    return [
        c
        for c in candidates
        if all(ELIGIBILITY_FILTERS[f.kind](f, c) for f in filters)
        and not (exclude_current and c.agent_id == lead.current_agent_id)
    ]


def _waits_for_opening(policy: Policy, now: datetime) -> datetime | None:
    if not any(f.kind == "inside_hours" for f in policy.assignment.eligibility):
        return None
    calendar = BusinessCalendar(policy.calendar)
    return None if calendar.is_open(now) else calendar.next_opening(now)


def choose_assignee(
    policy: Policy,
    lead: LeadFacts,
    candidates: Sequence[Candidate],
    now: datetime,
    strategy: settings.Strategy | None = None,
    exclude_current: bool = False,
) -> AssignmentDecision:
    """Pick the agent for a lead (or say why nobody, and until when to wait)."""
    primary = strategy or policy.assignment.strategy
    wait_until = _waits_for_opening(policy, now)
    if wait_until is not None:
        return AssignmentDecision(None, "outside_hours", primary.strategy, wait_until=wait_until)
    pool = eligible_candidates(policy, lead, candidates, exclude_current)
    for chosen in (primary, policy.assignment.fallback):
        if chosen is None:
            continue
        pick = ASSIGNMENT_STRATEGIES[chosen.strategy].pick(chosen, lead, pool)
        if pick is not None:
            return AssignmentDecision(
                pick.agent_id,
                pick.reason,
                chosen.strategy,
                None,
                pick.cursor,
                pick.notify_agent_ids,
            )
    return AssignmentDecision(None, "no_eligible_candidate", primary.strategy)
