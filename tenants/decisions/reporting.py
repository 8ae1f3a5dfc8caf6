"""Reporting: the next weekly cut-off (CCIMA-7, CCIMA-8) and the policy's effective date."""

from datetime import UTC, datetime, timedelta

from tenants.calendar import BusinessCalendar
from tenants.policy import Policy
from tenants.policy.common import WEEKDAYS


def next_cutoff(policy: Policy, now: datetime) -> datetime | None:
    """The first weekly cut-off strictly after `now` (UTC), or None without one."""
    cutoff = policy.reporting.weekly_cutoff
    if cutoff is None:
        return None
    cal = BusinessCalendar(policy.calendar)
    today = cal.local(now).date()
    ahead = (WEEKDAYS.index(cutoff.weekday) - today.weekday()) % 7
    for extra in (0, 7):
        day = today + timedelta(days=ahead + extra)
        at = datetime.combine(day, cutoff.time, tzinfo=cal.zone).astimezone(UTC)
        if at > now:
            return at
    raise AssertionError("unreachable")  # pragma: no cover


def previous_cutoff(policy: Policy, now: datetime) -> datetime | None:
    """The last weekly cut-off at or before `now` (UTC): the start of the current week's window."""
    following = next_cutoff(policy, now)
    if following is None:
        return None
    cal = BusinessCalendar(policy.calendar)
    local = cal.local(following)
    return datetime.combine(
        local.date() - timedelta(days=7), local.time(), tzinfo=cal.zone
    ).astimezone(UTC)


def policy_in_effect(policy: Policy, now: datetime) -> bool:
    """False before the policy's effective date (CCIMA-14) in the department's zone."""
    start = policy.reporting.effective_from
    return start is None or BusinessCalendar(policy.calendar).local(now).date() >= start
