"""What an outcome code does: effects from a registry folded into one decision."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from tenants.calendar import BusinessCalendar
from tenants.durations import Duration
from tenants.errors import UnknownCode
from tenants.policy import Policy
from tenants.policy.outcomes import Cooldown, Effect, ScheduleCallback


@dataclass(frozen=True)
class OutcomeFacts:
    """Facts some effects depend on, e.g. requested_callback for a same-day chase (L411-6)."""

    true_facts: frozenset[str] = frozenset()


@dataclass(frozen=True)
class PendingCooldown:
    """A cooldown that starts on a later event (e.g. card.closed): end = event time + duration."""

    name: str
    starts_on: str
    duration: Duration


@dataclass(frozen=True)
class OutcomeDecision:
    """Everything an outcome causes; the web app writes it, it never re-derives it."""

    code: str
    group: str | None
    effects: tuple[Effect, ...]
    status: str | None = None
    counts_as: frozenset[str] = frozenset()
    cooldowns_until: dict[str, datetime] = field(default_factory=dict)
    pending_cooldowns: tuple[PendingCooldown, ...] = ()
    transfer_to: tuple[str, ...] = ()
    referral_to: tuple[str, ...] = ()
    tickets_for: tuple[str, ...] = ()
    callback_due_at: datetime | None = None


@dataclass(frozen=True)
class _Context:
    now: datetime
    calendar: BusinessCalendar
    facts: OutcomeFacts


def _cooldown(d: OutcomeDecision, e: Cooldown, ctx: _Context) -> OutcomeDecision:
    if e.starts_on == "outcome":
        until = ctx.calendar.add(ctx.now, e.duration, business=False)
        return replace(d, cooldowns_until={**d.cooldowns_until, e.name: until})
    pending = PendingCooldown(e.name, e.starts_on, e.duration)
    return replace(d, pending_cooldowns=(*d.pending_cooldowns, pending))


def _callback_due(e: ScheduleCallback, ctx: _Context) -> datetime:
    cal, now = ctx.calendar, ctx.now
    if e.when == "after" and e.after is not None:
        return cal.add(now, e.after, business=True)
    if e.when == "same_day":
        # Due at the close of today's open interval; if closed now, at the next opening.
        start = cal.next_opening(now)
        ends = [end for begin, end in cal.intervals_on(cal.local(start).date()) if end > start]
        return ends[0] if ends else start
    tomorrow = cal.local(now).date() + timedelta(days=1)
    return cal.next_opening(datetime.combine(tomorrow, datetime.min.time(), tzinfo=cal.zone))


def _callback(d: OutcomeDecision, e: ScheduleCallback, ctx: _Context) -> OutcomeDecision:
    if e.only_if and e.only_if not in ctx.facts.true_facts:
        return d
    return replace(d, callback_due_at=_callback_due(e, ctx))


EffectFn = Callable[[OutcomeDecision, object, _Context], OutcomeDecision]

OUTCOME_EFFECTS: dict[str, EffectFn] = {
    "cooldown": _cooldown,
    "transfer": lambda d, e, ctx: replace(
        d,
        transfer_to=(*d.transfer_to, e.team),
        referral_to=(*d.referral_to, e.team) if e.as_referral else d.referral_to,
    ),
    "create_ticket": lambda d, e, ctx: replace(d, tickets_for=(*d.tickets_for, e.team)),
    "schedule_callback": _callback,
    "set_status": lambda d, e, ctx: replace(d, status=e.status),
    "counts_as": lambda d, e, ctx: replace(d, counts_as=d.counts_as | {e.counter}),
}


def outcome_effects(
    policy: Policy, code: str, now: datetime, facts: OutcomeFacts | None = None
) -> OutcomeDecision:
    """Apply the effects of outcome `code` recorded at `now`."""
    outcome = next((o for o in policy.outcomes.codes if o.code == code), None)
    if outcome is None:
        raise UnknownCode("outcome", code, [o.code for o in policy.outcomes.codes])
    ctx = _Context(now, BusinessCalendar(policy.calendar), facts or OutcomeFacts())
    decision = OutcomeDecision(outcome.code, outcome.group, tuple(outcome.effects))
    for effect in outcome.effects:
        decision = OUTCOME_EFFECTS[effect.kind](decision, effect, ctx)
    return decision


def cooldown_end(policy: Policy, pending: PendingCooldown, event_at: datetime) -> datetime:
    """End of a pending cooldown once its starting event happened (L411-9)."""
    return BusinessCalendar(policy.calendar).add(event_at, pending.duration, business=False)


def start_pending_cooldowns(
    policy: Policy, pending: Sequence[PendingCooldown], event: str, event_at: datetime
) -> tuple[dict[str, datetime], tuple[PendingCooldown, ...]]:
    """The cooldowns `event` starts (L411-9: 30 days from the upsell card's closing), each
    name's latest end, and the pending ones still waiting for their event."""
    started: dict[str, datetime] = {}
    waiting: list[PendingCooldown] = []
    for p in pending:
        if p.starts_on != event:
            waiting.append(p)
            continue
        end = cooldown_end(policy, p, event_at)
        started[p.name] = max(end, started.get(p.name, end))
    return started, tuple(waiting)
