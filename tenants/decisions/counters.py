"""Counters: N events since an anchor raise a flag (L411-2: 4 deliveries since sign-up -> HOT)."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from tenants.policy import Policy
from tenants.policy.counters import Counter


@dataclass(frozen=True)
class CounterFacts:
    """Event times per event name for one scope (an account, a lead or an agent)."""

    events: Mapping[str, Sequence[datetime]] = field(default_factory=dict)
    signed_up_at: datetime | None = None


@dataclass(frozen=True)
class TrippedCounter:
    """A counter at or over its threshold, with the flag it raises."""

    name: str
    flag: str
    count: int
    threshold: int


def _since(counter: Counter, facts: CounterFacts, now: datetime | None) -> datetime | None:
    if counter.since == "signup":
        return facts.signed_up_at
    if counter.since == "window" and counter.window and now:
        return now - counter.window.timedelta
    return None


def count_for(counter: Counter, facts: CounterFacts, now: datetime | None = None) -> int:
    """How many of the counter's events fall after its anchor."""
    since = _since(counter, facts, now)
    times = facts.events.get(counter.event, ())
    return sum(1 for t in times if since is None or t >= since)


def tripped_counters(
    policy: Policy, facts: CounterFacts, now: datetime | None = None
) -> list[TrippedCounter]:
    """Counters whose count reached their threshold."""
    counts = ((c, count_for(c, facts, now)) for c in policy.counters)
    return [TrippedCounter(c.name, c.flag, n, c.threshold) for c, n in counts if n >= c.threshold]
