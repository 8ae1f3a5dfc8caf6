"""Reminders before a policy timer runs out (`reminders: [4h]`: tell them 4 hours before).

Each reminder is a deadline row of kind `deadlines.REMINDER` beside its timer, due that long
before it, with the timer's id in its payload. Firing one tells the people the timer's notify
actions name, on the same channels, that the lead is due soon. A reminder ends with its timer
(deadlines.py cancels it when the timer is met or runs out); one that still finds its timer
no longer pending, or already due, says nothing: the breach notice is the timer's to send.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from tenants.policy.timers import Notify, Timer
from webapp.channels.messages import MESSAGES
from webapp.clock import now
from webapp.extensions import db
from webapp.models import Deadline, DeadlineState, Lead, PolicyVersion

from . import deadlines, notifications, policies, recipients

GENERIC_TEMPLATE = "timer.reminder"


@dataclass(frozen=True)
class Audience:
    roles: tuple[str, ...]
    channels: tuple[str, ...]
    template: str


# A timer that notifies nobody when it runs out still reminds the lead's holder in the app.
HOLDER = Audience(("assignee",), ("in_app",), GENERIC_TEMPLATE)


def template_for(notify_template: str) -> str:
    """The reminder's own text for the timer's notify template, else the generic one."""
    specific = f"{notify_template}.reminder"
    return specific if specific in MESSAGES else GENERIC_TEMPLATE


def schedule_for(lead: Lead, timer: Deadline, times: Iterable[datetime]) -> list[Deadline]:
    """A reminder deadline at each of `times` for the newly started `timer` of `lead`.

    A time already past still reminds at once (a lead imported late); a timer already due
    gets none, since its own notice follows immediately.
    """
    if timer.due_at <= now():
        return []
    payload = {
        "parent_id": timer.id,
        "timer": timer.kind,
        "policy_version_id": timer.payload.get("policy_version_id"),
        "actor_id": timer.payload.get("actor_id"),
    }
    return [
        deadlines.schedule(timer.workspace_id, deadlines.REMINDER, at, lead=lead, payload=payload)
        for at in times
    ]


def _timer_due_at(reminder: Deadline) -> datetime | None:
    """When the reminder's timer is due, read afresh; None unless it is pending and ahead."""
    row = db.session.execute(
        select(Deadline.state, Deadline.due_at).where(
            Deadline.id == reminder.payload.get("parent_id")
        )
    ).first()
    if row is None or row.state != DeadlineState.PENDING or row.due_at <= now():
        return None
    return row.due_at


def _policy_timer(reminder: Deadline) -> Timer | None:
    version = db.session.get(PolicyVersion, reminder.payload.get("policy_version_id"))
    if version is None:
        return None
    name = reminder.payload.get("timer")
    return next((t for t in policies.policy_of(version).timers if t.name == name), None)


def audiences(timer: Timer) -> list[Audience]:
    """Who hears the reminder: whom the timer's notify actions name, on their channels."""
    named = [
        Audience(tuple(step.roles), tuple(step.channels), template_for(step.template))
        for step in timer.actions
        if isinstance(step, Notify)
    ]
    return named or [HOLDER]


@deadlines.on_fire(deadlines.REMINDER)
def remind(reminder: Deadline) -> None:
    """Tell the timer's audience that the lead is due soon (times formatted when rendered)."""
    lead = reminder.lead
    due_at = _timer_due_at(reminder)
    timer = _policy_timer(reminder)
    if lead is None or due_at is None or timer is None:
        return
    payload = {
        "lead_id": lead.id,
        "contact_name": lead.contact_name,
        "timer": timer.name,
        "due_at": due_at.isoformat(),
        "time_zone": lead.workspace.time_zone,
    }
    context = {"previous_owner_id": lead.owner_id, "actor_id": reminder.payload.get("actor_id")}
    for audience in audiences(timer):
        prefix = f"deadline:{reminder.id}:{audience.template}"
        notifications.queue_for(
            lead.workspace_id,
            recipients.resolve(lead, list(audience.roles), context),
            audience.channels,
            audience.template,
            payload,
            key=lambda person, channel, prefix=prefix: f"{prefix}:{person.id}:{channel}",
        )
