"""Monthly roster: when it is sent (CCIMA-3) and who is active for assignment (CCIMA-4)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime

from tenants.calendar import BusinessCalendar
from tenants.policy import Policy


@dataclass(frozen=True)
class RosterFacts:
    """An agent's roster state for a month (month = first day of that month)."""

    on_roster_month: date | None = None
    confirmed_at: datetime | None = None


def roster_send_at(policy: Policy, now: datetime) -> datetime:
    """This month's send instant (UTC), from the send day and time in the department's zone."""
    cal = BusinessCalendar(policy.calendar)
    local = cal.local(now)
    r = policy.roster
    send = datetime.combine(local.date().replace(day=r.send_day), r.send_time, tzinfo=cal.zone)
    return send.astimezone(UTC)


def roster_send_due(policy: Policy, now: datetime, last_sent_at: datetime | None = None) -> bool:
    """True when this month's roster should go out now and has not gone out yet."""
    if not policy.roster.enabled:
        return False
    send_at = roster_send_at(policy, now)
    return now >= send_at and (last_sent_at is None or last_sent_at < send_at)


def is_active_for_assignment(policy: Policy, facts: RosterFacts, now: datetime) -> bool:
    """An agent on this month's roster is active once confirmed (if confirmation is required)."""
    if not policy.roster.enabled:
        return True
    month = BusinessCalendar(policy.calendar).local(now).date().replace(day=1)
    if facts.on_roster_month != month:
        return False
    return facts.confirmed_at is not None or not policy.roster.confirmation_required
