"""Deadlines an event starts and the timers an event cancels."""

from dataclasses import dataclass
from datetime import datetime

from tenants.calendar import BusinessCalendar
from tenants.policy import Policy
from tenants.policy.timers import Action, Timer


@dataclass(frozen=True)
class DeadlineSpec:
    """A deadline to store as a row: when it is due, its reminders and what to do on expiry."""

    kind: str
    due_at: datetime
    actions: tuple[Action, ...]
    reminders_at: tuple[datetime, ...] = ()
    cancelled_by: frozenset[str] = frozenset()


def _applies(timer: Timer, event_name: str, lead_type: str | None) -> bool:
    return timer.starts_on == event_name and (not timer.lead_types or lead_type in timer.lead_types)


def _spec(timer: Timer, now: datetime, calendar: BusinessCalendar) -> DeadlineSpec:
    business = timer.clock == "business"
    due = calendar.add(now, timer.duration, business=business)
    reminders = tuple(
        sorted(
            calendar.add(now, timer.duration.timedelta - r.timedelta, business)
            for r in timer.reminders
        )
    )
    return DeadlineSpec(
        timer.name, due, tuple(timer.actions), reminders, frozenset(timer.cancelled_by)
    )


def deadlines_for_event(
    policy: Policy,
    event_name: str,
    now: datetime,
    calendar: BusinessCalendar | None = None,
    lead_type: str | None = None,
) -> list[DeadlineSpec]:
    """Deadlines `event_name` starts at `now`; timers limited to lead types need `lead_type`."""
    calendar = calendar or BusinessCalendar(policy.calendar)
    return [_spec(t, now, calendar) for t in policy.timers if _applies(t, event_name, lead_type)]


# The events that give a lead to someone: timers they start are the holder's own clocks.
OWNER_EVENTS = frozenset({"lead.assigned", "lead.allocated"})


def follows_owner(timer: Timer) -> bool:
    """Whether `timer` is the holder's: it ends when the lead changes hands and restarts for
    the new holder (CCIMA-6: the 10 minutes are the advisor's who has the lead)."""
    if timer.follows_owner is not None:
        return timer.follows_owner
    return timer.starts_on in OWNER_EVENTS


def ownership_timers(policy: Policy) -> set[str]:
    """Names of the timers that belong to the lead's holder (see follows_owner)."""
    return {t.name for t in policy.timers if follows_owner(t)}


def deadlines_on_owner_change(
    policy: Policy,
    ended: set[str],
    events: set[str],
    now: datetime,
    calendar: BusinessCalendar | None = None,
    lead_type: str | None = None,
) -> list[DeadlineSpec]:
    """The deadlines a lead's new holder starts at `now`: the timers `events` (lead.assigned,
    and lead.allocated for a partner) start, and the holder's timers of other events that
    were running for the previous holder (`ended`), restarted in full. A timer the policy
    does not tie to the holder is started only if it was not running (the caller keeps one
    pending deadline per timer)."""
    calendar = calendar or BusinessCalendar(policy.calendar)
    return [
        _spec(t, now, calendar)
        for t in policy.timers
        if (not t.lead_types or lead_type in t.lead_types)
        and (t.starts_on in events or (t.name in ended and follows_owner(t)))
    ]


def timers_cancelled_by(policy: Policy, event_name: str) -> set[str]:
    """Names of the timers that `event_name` cancels."""
    return {t.name for t in policy.timers if event_name in t.cancelled_by}
