"""Facts the reports read, kept on the lead row by the operations when they happen (issue 15:
a year of a million leads reported in under a second, read from one covering index instead of
a per-lead subquery and a calendar walk).

- `arrived_on`: the local day the lead arrived, in the workspace's zone (a date ordinal), set
  when the lead is recorded (`operations.leads.create_lead`).
- `first_contact_at`, `first_contact_seconds`, `contact_attempts`: the first logged contact,
  the time to it in the clock of the policy's first-response timer (business time per the
  calendar: a lead that waited counts from the opening; else wall-clock), and how many
  contact attempts were logged; kept by `operations.activities.log_activity`.
- `lead_status_moves`: each move to a status, with its reason and a won deal's revenue,
  written by `operations.leads.set_status` beside the audit event (conversion, leads lost,
  won revenue count these rows instead of the audit JSON).

The same functions compute them for the migration's backfill and the benchmark's rows.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from tenants import Policy
from tenants.calendar import BusinessCalendar
from tenants.policy.timers import Timer
from webapp.models import Lead

ARRIVAL_EVENTS = ("lead.created", "lead.assigned", "lead.allocated")


def first_response_timer(policy: Policy) -> Timer | None:
    """The SLA speed to lead is measured against: the first timer a new or assigned lead
    starts that contact stops."""
    for timer in policy.timers:
        if timer.starts_on in ARRIVAL_EVENTS and any(
            e.startswith("activity.") for e in timer.cancelled_by
        ):
            return timer
    return None


def local_day(at: datetime, zone: str) -> int:
    """The ordinal of `at`'s local date in `zone`."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(ZoneInfo(zone)).date().toordinal()


def seconds_to_contact(policy: Policy, arrived: datetime, contacted: datetime) -> float:
    """Arrival to first contact in the first-response timer's clock, to the millisecond."""
    arrived, contacted = _aware(arrived), _aware(contacted)
    timer = first_response_timer(policy)
    if timer is not None and timer.clock == "business":
        seconds = BusinessCalendar(policy.calendar).open_time_between(arrived, contacted)
        return round(max(seconds.total_seconds(), 0.0), 3)
    return round(max((contacted - arrived).total_seconds(), 0.0), 3)


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def arrived(lead: Lead, zone: str) -> None:
    """A lead is recorded: the local day it arrived."""
    lead.arrived_on = local_day(lead.created_at, zone)


def contacted(lead: Lead, policy: Policy, at: datetime) -> None:
    """A contact attempt was logged at `at`: one more attempt, and the first contact if it
    is the earliest (an attempt logged late may have happened first)."""
    lead.contact_attempts = (lead.contact_attempts or 0) + 1
    if lead.first_contact_at is None or _aware(at) < _aware(lead.first_contact_at):
        lead.first_contact_at = at
        lead.first_contact_seconds = seconds_to_contact(policy, lead.created_at, at)


def move_amount(value: Any) -> Decimal | None:
    """An amount recorded on a status move (the revenue, a commission: a decimal string),
    None if none or unreadable."""
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None
