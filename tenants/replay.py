"""Policy replay: re-run the decisions over recorded leads under a policy, and compare two runs.

Given what was recorded (when each lead came in, its match keys, its owner, its contacts) a
replay says what a policy would have decided: each timer's due time and whether it was met or
breached, whether a breach would have reassigned the lead, which counter flags it raised, whether
it would count as lost, and whether it would have lost to a duplicate. `compare` turns two
replays of the same leads into the differences a department cares about.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from tenants.calendar import BusinessCalendar
from tenants.decisions import (
    CadenceFacts,
    CounterFacts,
    DeadlineSpec,
    LeadRef,
    deadlines_for_event,
    is_lost,
    resolve_duplicate,
    tripped_counters,
)
from tenants.decisions.matchkeys import normalise_key
from tenants.policy import Policy

DELIVERY_EVENT = "account.delivery"

# The event an activity raises when it is contact with the customer (not an internal note).
CONTACT_EVENT = "activity.contact_logged"

MET, BREACHED, PENDING = "met", "breached", "pending"

# Parsing phone numbers dominates a replay; both runs of a comparison share the results.
_normalise_key = lru_cache(maxsize=100_000)(normalise_key)

# Kinds of difference, in the order a page lists their counts.
DIFFERENCE_KINDS = (
    "breach_avoided",
    "breach_added",
    "deadline_moved",
    "deadline_state",
    "timer_added",
    "timer_removed",
    "reassignment",
    "flag",
    "lost",
    "duplicate",
)


@dataclass(frozen=True)
class Contact:
    """One logged activity on a lead and the policy events it raised (`cancelled_by` names)."""

    at: datetime
    events: frozenset[str] = frozenset({CONTACT_EVENT})

    @property
    def is_contact(self) -> bool:
        return CONTACT_EVENT in self.events


@dataclass(frozen=True)
class LeadHistory:
    """What was recorded about one lead; `context` leads only inform duplicate detection."""

    lead_id: str
    created_at: datetime
    source: str = "manual"
    lead_type: str | None = None
    owner_id: str | None = None
    account_id: str | None = None
    keys: Mapping[str, str | None] = field(default_factory=dict)
    contacts: tuple[Contact, ...] = ()
    context: bool = False
    # Delivered to its account (L411-1); None: any lead on an account was. An AE referral
    # on the account was not: it starts no delivery timer and raises no counter (L411-2).
    delivered: bool | None = None

    @property
    def was_delivered(self) -> bool:
        return self.account_id is not None if self.delivered is None else self.delivered

    def first_contact_before(self, moment: datetime) -> datetime | None:
        return min((c.at for c in self.contacts if c.is_contact and c.at < moment), default=None)

    def last_contact_until(self, moment: datetime) -> datetime | None:
        return max((c.at for c in self.contacts if c.is_contact and c.at <= moment), default=None)

    def starting_events(self) -> tuple[str, ...]:
        """The events that happened when the lead came in, which start timers."""
        names = ["lead.created"]
        if self.owner_id is not None:
            names.append("lead.assigned")
        if self.was_delivered:
            names.append(DELIVERY_EVENT)
        return tuple(names)


@dataclass(frozen=True)
class AccountHistory:
    """An account's sign-up and the times leads were delivered to it (L411-1)."""

    account_id: str
    signed_up_at: datetime | None = None
    deliveries: tuple[datetime, ...] = ()


@dataclass(frozen=True)
class DeadlineOutcome:
    """A timer the lead would have had: when due, and whether contact came in time."""

    kind: str
    due_at: datetime
    state: str
    reassigns: bool = False


@dataclass(frozen=True)
class LeadOutcome:
    """Everything a policy would have decided about one lead."""

    lead_id: str
    deadlines: tuple[DeadlineOutcome, ...] = ()
    flags: frozenset[str] = frozenset()
    lost_status: str | None = None
    duplicate_fate: str | None = None

    @property
    def reassigned(self) -> bool:
        return any(d.state == BREACHED and d.reassigns for d in self.deadlines)


@dataclass(frozen=True)
class Change:
    """One difference for one lead; times are ISO strings so the result stores as JSON."""

    kind: str
    subject: str = ""
    before: str | bool | None = None
    after: str | bool | None = None


@dataclass(frozen=True)
class LeadChanges:
    lead_id: str
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class ReplayDiff:
    """Differences between two replays of the same leads: counts per kind and per lead."""

    leads_replayed: int
    counts: Mapping[str, int]
    leads: tuple[LeadChanges, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "leads_replayed": self.leads_replayed,
            "counts": dict(self.counts),
            "leads": [
                {"lead_id": lead.lead_id, "changes": [vars(c) for c in lead.changes]}
                for lead in self.leads
            ],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ReplayDiff:
        leads = tuple(
            LeadChanges(row["lead_id"], tuple(Change(**c) for c in row["changes"]))
            for row in data.get("leads", ())
        )
        return cls(data.get("leads_replayed", 0), dict(data.get("counts", {})), leads)


Progress = Callable[[int, int], None]


def _deadline(spec: DeadlineSpec, lead: LeadHistory, as_of: datetime) -> DeadlineOutcome:
    met = any(
        lead.created_at <= c.at < spec.due_at and not spec.cancelled_by.isdisjoint(c.events)
        for c in lead.contacts
    )
    state = MET if met else BREACHED if spec.due_at <= as_of else PENDING
    reassigns = any(a.kind == "reassign" for a in spec.actions)
    return DeadlineOutcome(spec.kind, spec.due_at, state, reassigns)


def _deadlines(
    policy: Policy, lead: LeadHistory, calendar: BusinessCalendar, as_of: datetime
) -> tuple[DeadlineOutcome, ...]:
    specs = (
        spec
        for event in lead.starting_events()
        for spec in deadlines_for_event(policy, event, lead.created_at, calendar, lead.lead_type)
    )
    return tuple(_deadline(spec, lead, as_of) for spec in specs)


def _flags(policy: Policy, lead: LeadHistory, account: AccountHistory | None) -> frozenset[str]:
    """Account-scoped counter flags raised by this lead's delivery (L411-2)."""
    if account is None or not lead.was_delivered:
        return frozenset()
    if not any(c.scope == "account" for c in policy.counters):
        return frozenset()
    delivered = account.deliveries[: bisect_right(account.deliveries, lead.created_at)]
    facts = CounterFacts({DELIVERY_EVENT: delivered}, account.signed_up_at)
    scoped = {c.name for c in policy.counters if c.scope == "account"}
    tripped = tripped_counters(policy, facts, now=lead.created_at)
    return frozenset(t.flag for t in tripped if t.name in scoped)


def _lost(
    policy: Policy, lead: LeadHistory, calendar: BusinessCalendar, as_of: datetime
) -> str | None:
    facts = CadenceFacts(
        lead.created_at, lead.lead_type, last_contact_at=lead.last_contact_until(as_of)
    )
    return is_lost(policy, facts, as_of, calendar)


class _Duplicates:
    """Leads seen so far, indexed by normalised match key, and the fate of each loser."""

    def __init__(self, policy: Policy, locale: str | None) -> None:
        self.policy, self.locale = policy, locale
        self.by_key: dict[tuple[str, str], list[LeadHistory]] = {}
        self.fates: dict[str, str] = {}

    def _keys(self, lead: LeadHistory) -> set[tuple[str, str]]:
        settings = self.policy.duplicates
        pairs = (
            (k, _normalise_key(k, lead.keys.get(k), settings.default_region))
            for k in settings.match_keys
        )
        return {(k, v) for k, v in pairs if v}

    def _ref(self, lead: LeadHistory, moment: datetime) -> LeadRef:
        first = lead.first_contact_before(moment)
        return LeadRef(lead.lead_id, lead.source, lead.created_at, lead.owner_id, first, lead.keys)

    def arrive(self, lead: LeadHistory) -> None:
        """Settle `lead` against the earlier leads that still stand (CCIMA-11, BDC-2, BDC-7)."""
        keys = self._keys(lead)
        seen: dict[str, LeadHistory] = {}
        for key in keys:
            for other in self.by_key.get(key, ()):
                if other.lead_id not in self.fates:
                    seen[other.lead_id] = other
        if seen:
            existing = [self._ref(o, lead.created_at) for o in seen.values()]
            incoming = self._ref(lead, lead.created_at)
            decision = resolve_duplicate(self.policy, incoming, existing, self.locale)
            for loser in decision.losers:
                self.fates[loser.lead_id] = loser.fate
        for key in keys:
            self.by_key.setdefault(key, []).append(lead)


def replay(
    policy: Policy,
    histories: Sequence[LeadHistory],
    as_of: datetime,
    accounts: Mapping[str, AccountHistory] | None = None,
    *,
    locale: str | None = None,
    on_progress: Progress | None = None,
    progress_every: int = 100,
) -> list[LeadOutcome]:
    """What `policy` would have decided for each non-context lead, judged at `as_of`."""
    calendar = BusinessCalendar(policy.calendar)
    accounts = accounts or {}
    ordered = sorted(histories, key=lambda h: (h.created_at, h.lead_id))
    duplicates = _Duplicates(policy, locale)
    partial: list[tuple[LeadHistory, tuple, frozenset[str], str | None]] = []
    for done, lead in enumerate(ordered, 1):
        duplicates.arrive(lead)
        if not lead.context:
            account = accounts.get(lead.account_id) if lead.account_id else None
            partial.append(
                (
                    lead,
                    _deadlines(policy, lead, calendar, as_of),
                    _flags(policy, lead, account),
                    _lost(policy, lead, calendar, as_of),
                )
            )
        if on_progress and (done % progress_every == 0 or done == len(ordered)):
            on_progress(done, len(ordered))
    # A lead may lose to a duplicate that arrives after it, so fates are read at the end.
    return [
        LeadOutcome(lead.lead_id, deadlines, flags, lost, duplicates.fates.get(lead.lead_id))
        for lead, deadlines, flags, lost in partial
    ]


def _state_kind(before: str, after: str) -> str:
    if (before, after) == (BREACHED, MET):
        return "breach_avoided"
    if (before, after) == (MET, BREACHED):
        return "breach_added"
    return "deadline_state"


def _deadline_changes(
    before: Iterable[DeadlineOutcome], after: Iterable[DeadlineOutcome]
) -> list[Change]:
    old = {d.kind: d for d in before}
    new = {d.kind: d for d in after}
    changes = []
    for kind in sorted(old.keys() | new.keys()):
        a, b = old.get(kind), new.get(kind)
        if a is None:
            changes.append(Change("timer_added", kind, None, b.due_at.isoformat()))
            continue
        if b is None:
            changes.append(Change("timer_removed", kind, a.due_at.isoformat(), None))
            continue
        if a.due_at != b.due_at:
            changes.append(
                Change("deadline_moved", kind, a.due_at.isoformat(), b.due_at.isoformat())
            )
        if a.state != b.state:
            changes.append(Change(_state_kind(a.state, b.state), kind, a.state, b.state))
    return changes


def _lead_changes(before: LeadOutcome, after: LeadOutcome) -> list[Change]:
    changes = _deadline_changes(before.deadlines, after.deadlines)
    if before.reassigned != after.reassigned:
        changes.append(Change("reassignment", "", before.reassigned, after.reassigned))
    for flag in sorted(before.flags ^ after.flags):
        changes.append(Change("flag", flag, flag in before.flags, flag in after.flags))
    if before.lost_status != after.lost_status:
        changes.append(Change("lost", "", before.lost_status, after.lost_status))
    if before.duplicate_fate != after.duplicate_fate:
        changes.append(Change("duplicate", "", before.duplicate_fate, after.duplicate_fate))
    return changes


def compare(before: Sequence[LeadOutcome], after: Sequence[LeadOutcome]) -> ReplayDiff:
    """Differences from the `before` replay (the active policy) to `after` (the draft)."""
    later = {o.lead_id: o for o in after}
    empty = LeadOutcome("")
    leads = []
    counts: Counter[str] = Counter()
    for outcome in before:
        changes = _lead_changes(outcome, later.get(outcome.lead_id, empty))
        if changes:
            leads.append(LeadChanges(outcome.lead_id, tuple(changes)))
            counts.update(c.kind for c in changes)
    ordered = {kind: counts[kind] for kind in DIFFERENCE_KINDS if counts[kind]}
    return ReplayDiff(len(before), ordered, tuple(leads))
