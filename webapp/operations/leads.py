"""Creating leads: contact details normalised so duplicates can be found."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any

from flask_babel import gettext as _

from tenants.calendar import BusinessCalendar
from tenants.decisions import DeadlineSpec, deadlines_for_event, matchkeys
from tenants.policy.timers import CreateTask
from webapp.audit_actions import LEAD_ASSIGNED, LEAD_CREATED, LEAD_STATUS
from webapp.clock import now
from webapp.errors import UserError
from webapp.extensions import db
from webapp.live_versions import QUEUES
from webapp.models import Deadline, Lead, LeadStatusMove, User, Workspace

from . import audit, deadlines, events, lead_facts, policies, reminders, tasks
from .lead_facts import move_amount
from .unit import operation


def normalise_phone(raw: str, region: str) -> str:
    """E.164 form of `raw` (read as a number of `region` without a country code), or refuse."""
    e164 = matchkeys.normalise_phone(raw, region)
    if e164 is None:
        raise UserError("phone", _("Not a valid phone number: %(value)s.", value=raw))
    return e164


def normalise_email(raw: str) -> str:
    email = matchkeys.normalise_email(raw)
    if email is None or "." not in email.partition("@")[2]:
        raise UserError("email", _("Not an e-mail address: %(value)s.", value=raw))
    return email


def start_timers(
    workspace: Workspace,
    lead: Lead,
    event: str,
    at: datetime | None = None,
    actor: User | None = None,
) -> list[Deadline]:
    """Schedule the deadlines the workspace's policy starts on `event` (at `at`) for `lead`.

    Each remembers the policy version that defined it and who caused the event, so its
    actions run as they were defined ("create a task for the agent who sent the lead"), and
    gets its reminders (not returned: they are not deadlines of the lead).
    """
    policy = policies.active_policy(workspace)
    specs = deadlines_for_event(
        policy, event, at or now(), BusinessCalendar(policy.calendar), lead_type=lead.lead_type
    )
    return schedule_specs(workspace, lead, specs, event=event, actor=actor)


def mark_fresh(lead: Lead) -> None:
    """Remember that `lead` was stored in the current transaction (by intake), so that its
    first timers start without looking for running ones (issue 17 item 3)."""
    # The timers its creation started count as started here: a later start of one looks.
    created = {
        t.name for t in policies.active_policy(lead.workspace).timers if t.starts_on == LEAD_CREATED
    }
    lead.__dict__["_fresh_in"] = (db.session().get_transaction(), created)


def created_timers_read_holder(policy) -> bool:
    """Whether a timer the policy starts on a lead's creation makes a task for its holder:
    such a lead must be stored without one, and given its holder after (intake)."""
    return any(
        isinstance(step, CreateTask) and step.assignee == "assignee"
        for timer in policy.timers
        if timer.starts_on == LEAD_CREATED
        for step in timer.actions
    )


def _fresh_kinds(lead: Lead) -> set[str] | None:
    """The timers started so far for a lead stored in this transaction; None for any other."""
    mark = lead.__dict__.get("_fresh_in")
    if mark is None or mark[0] is not db.session().get_transaction():
        return None
    return mark[1]


def schedule_specs(
    workspace: Workspace,
    lead: Lead,
    specs: list[DeadlineSpec],
    *,
    event: str = "",
    event_of: Callable[[DeadlineSpec], str] | None = None,
    actor: User | None = None,
    replacing: Collection[str] = (),
) -> list[Deadline]:
    """Store `specs` as the lead's deadlines with their reminders (each remembering the
    event that started it: `event`, or `event_of(spec)`), keeping one pending deadline per
    timer: a timer already running for the lead is left as it is, unless its name is in
    `replacing`, when the running one is cancelled and this one starts."""
    if not specs:
        return []
    kinds = {spec.kind for spec in specs}
    fresh = _fresh_kinds(lead)
    # A lead stored in this very transaction has no deadline but those started here: no query.
    running = (
        {} if fresh is not None and not kinds & fresh else deadlines.pending_of(lead.id, kinds)
    )
    if fresh is not None:
        fresh |= kinds
    timers = []
    defined = {t.name: t for t in policies.active_policy(workspace).timers}
    for spec in specs:
        if (earlier := running.get(spec.kind)) is not None:
            if spec.kind not in replacing:
                continue
            deadlines.cancel(earlier, reason="replaced by the new holder's")
        timer = deadlines.schedule(
            workspace.id,
            spec.kind,
            spec.due_at,
            lead=lead,
            payload={
                "event": event_of(spec) if event_of else event,
                "handler": "policy_timer",
                "policy_version_id": workspace.active_policy_version_id,
                "actor_id": actor.id if actor else None,
            },
        )
        running[spec.kind] = timer
        reminders.schedule_for(lead, timer, spec.reminders_at)
        tasks.start_for_timer(lead, defined[spec.kind], timer, actor)  # due ahead (L411-3)
        timers.append(timer)
    return timers


@operation
def create_lead(
    workspace: Workspace,
    *,
    contact_name: str,
    actor: User | None,
    phone: str | None = None,
    email: str | None = None,
    owner: User | None = None,
    received_at: datetime | None = None,
    audit_details: dict[str, Any] | None = None,
    before_insert: Callable[[Lead], None] | None = None,
    **fields: Any,
) -> Lead:
    """Record a lead with normalised phone and e-mail under the workspace's active policy.

    The one place a lead row is made (intake, referrals, the demo). `received_at` is when the
    lead reached the department (an import of older leads); its clocks start then (default:
    now). A lead starts in the policy's initial status unless `status` is given.
    """
    received_at = received_at or now()
    if not contact_name.strip():
        raise UserError("contact_name", _("A lead needs a contact name."))
    fields.setdefault("status", policies.active_policy(workspace).intake.initial_status)
    lead = Lead(
        workspace_id=workspace.id,
        contact_name=contact_name.strip(),
        phone_raw=phone,
        phone_e164=normalise_phone(phone, workspace.country) if phone else None,
        email_raw=email,
        email_normalised=normalise_email(email) if email else None,
        owner_id=owner.id if owner else None,
        policy_version_id=workspace.active_policy_version_id,
        created_at=received_at,
        updated_at=received_at,
        **fields,
    )
    lead_facts.arrived(lead, workspace.time_zone)
    if before_insert is not None:
        # Intake decides on the lead before it is stored (team, holder), so that its one
        # INSERT carries them (issue 17 item 3): no UPDATE of the row just written.
        lead.workspace = workspace
        before_insert(lead)
    db.session.add(lead)
    db.session.flush()
    deadlines.track_new_lead(lead)
    audit.record(
        workspace.id,
        LEAD_CREATED,
        lead,
        actor=actor,
        after={
            "contact_name": lead.contact_name,
            "owner": owner.email if owner else None,
            "source": lead.source,
            **(audit_details or {}),
        },
    )
    start_timers(workspace, lead, LEAD_CREATED, received_at)
    if owner is not None:
        start_timers(workspace, lead, LEAD_ASSIGNED, received_at)
    return lead


@operation
def set_status(
    lead: Lead,
    status: str,
    *,
    actor: User | None,
    reason: str = "",
    details: dict[str, Any] | None = None,
    action: str = LEAD_STATUS,
) -> None:
    """Move `lead` to `status` (audited); a terminal status stops its clocks."""
    before = lead.status
    lead.status = status
    lead.updated_at = now()
    QUEUES.bump_after_commit(lead.workspace_id, (lead.owner_id,))
    event = audit.record(
        lead.workspace_id,
        action,
        lead,
        actor=actor,
        before={"status": before},
        after={"status": status, **(details or {})},
        reason=reason,
    )
    event.created_at = now()
    # The reports' narrow fact of the move (issue 15), at the audit event's moment.
    db.session.add(
        LeadStatusMove(
            workspace_id=lead.workspace_id,
            lead_id=lead.id,
            status=status,
            moved_at=event.created_at,
            reason=reason,
            revenue=move_amount((details or {}).get("revenue")),
            advisor_commission=move_amount((details or {}).get("advisor_commission")),
            manager_commission=move_amount((details or {}).get("manager_commission")),
            owner_id=lead.owner_id,
            team_id=lead.team_id,
            source=lead.source,
        )
    )
    if status in policies.active_policy(lead.workspace).intake.terminal_codes:
        deadlines.close_clocks(lead, reason=f"lead {status}")
        tasks.lead_closed(lead, actor=actor)  # as the policy's tasks.on_lead_closed says
    events.status_changed(lead, before, actor=actor)  # a won status: deal.closed (CCIMA-9)
