"""Logging work on a lead: a contact attempt is evidence that cancels the clocks it satisfies."""

from __future__ import annotations

from datetime import datetime
from typing import get_args

from tenants import Policy
from tenants.errors import Refusal
from tenants.markers import N_
from tenants.policy.common import ContactChannel
from webapp.audit_actions import ACTIVITY_LOGGED
from webapp.clock import now
from webapp.errors import UserError
from webapp.extensions import db
from webapp.models import Activity, Lead, User

from . import audit, deadlines, lead_facts, policies, tasks
from .unit import operation

# An internal note is not contact with the customer; every other channel is.
NOT_CONTACT = frozenset({"note"})
# Every channel a policy may let agents log (outcomes.contact_channels), plus internal notes.
CHANNELS = frozenset(get_args(ContactChannel)) | NOT_CONTACT


def loggable_channels(policy: Policy) -> list[str]:
    """The channels the policy lets agents log, in its order, then the internal note."""
    return [*(c.code for c in policy.outcomes.contact_channels), *sorted(NOT_CONTACT)]


def events_of(activity: Activity) -> list[str]:
    """The policy events a logged activity raises (what timers may name in cancelled_by)."""
    events = [ACTIVITY_LOGGED]
    if activity.channel not in NOT_CONTACT:
        events.append("activity.contact_logged")
        events.append(f"activity.{activity.channel}_logged")
    if activity.outcome_code:
        events.append("outcome.recorded")
    return events


@operation
def log_activity(
    lead: Lead,
    channel: str,
    *,
    actor: User | None,
    outcome_code: str | None = None,
    note: str = "",
    occurred_at: datetime | None = None,
) -> Activity:
    """Record an activity on `lead` and cancel the pending deadlines it satisfies."""
    policy = policies.active_policy(lead.workspace)
    allowed = loggable_channels(policy)
    if channel not in allowed:
        raise UserError(
            "channel",
            Refusal(
                N_("unknown channel %(channel)r; use one of %(allowed)s"),
                channel=channel,
                allowed=", ".join(sorted(allowed)),
            ),
        )
    activity = Activity(
        workspace_id=lead.workspace_id,
        lead_id=lead.id,
        channel=channel,
        outcome_code=outcome_code,
        note=note,
        user_id=actor.id if actor else None,
        occurred_at=occurred_at or now(),
    )
    db.session.add(activity)
    if channel not in NOT_CONTACT:
        lead_facts.contacted(lead, policy, activity.occurred_at)
    audit.record(
        lead.workspace_id,
        ACTIVITY_LOGGED,
        lead,
        actor=actor,
        after={"channel": channel, "outcome": outcome_code, "note": note[:200]},
    )
    deadlines.cancel_for_event(
        lead, events_of(activity), activity.occurred_at, reason=f"{channel} logged"
    )
    # What the lead's tasks asked for (a callback: an outcome) is done (L411-3, L411-10).
    tasks.close_answered(lead, events_of(activity), actor=actor)
    return activity
