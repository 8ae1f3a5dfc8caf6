"""Audit action and event names, each declared once beside its label in the reader's
language (ALL-3), and the labels of the codes an audit row carries in its reason: strategies
and their picks, duplicate rules, timers, the fixed reasons operations give. The timeline,
the Audit page and the CSV export read them here, so no raw code reaches a person."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

# Lead actions --------------------------------------------------------------------------------
LEAD_CREATED = "lead.created"
LEAD_UPDATED = "lead.updated"
LEAD_ASSIGNED = "lead.assigned"
LEAD_UNASSIGNED = "lead.unassigned"
LEAD_AWAITING_OPENING = "lead.awaiting_opening"
LEAD_STATUS = "lead.status"
LEAD_INVALIDATED = "lead.invalidated"
LEAD_TRANSFERRED = "lead.transferred"
LEAD_REFERRED = "lead.referred"
LEAD_REQUEST_JOINED = "lead.request_joined"
LEAD_FLAGGED = "lead.flagged"
LEAD_REGISTERED = "lead.registered"
LEAD_ACKNOWLEDGED = "lead.acknowledged"
LEAD_ALLOCATED = "lead.allocated"
LEAD_LOST_PROPOSED = "lead.lost_proposed"
LEAD_LOST_PROPOSAL_DISMISSED = "lead.lost_proposal_dismissed"
DEAL_CLOSED = "deal.closed"
DUPLICATE_INVALIDATED = "duplicate.invalidated"
MANAGER_TAGGED = "assignment.manager_tagged"
ACTIVITY_LOGGED = "activity.logged"
TASK_CREATED = "task.created"
TASK_UPDATED = "task.updated"
TASK_DONE = "task.done"
TASK_CANCELLED = "task.cancelled"
DEADLINE_FIRED = "deadline.fired"
DEADLINE_CANCELLED = "deadline.cancelled"
SCHEDULED_REPORT_SENT = "reporting.scheduled_sent"
API_LEAD_RECEIVED = "api.lead_received"
API_ACTIVITY_LOGGED = "api.activity_logged"
API_DELIVERY_RECORDED = "api.delivery_recorded"
API_TASK_CLOSED = "api.task_closed"
API_ACCOUNT_UPSERTED = "api.account_upserted"
# Workspace actions (the Audit page shows them with the leads').
WORKSPACE_ACTION_LABELS = {
    "workspace.created": _l("Workspace created"),
    "membership.created": _l("Member added"),
    "membership.roster": _l("Roster entry changed"),
    "team.created": _l("Team created"),
    "partner_organisation.created": _l("Partner organisation created"),
    "user.password_changed": _l("Password changed"),
    "user.deactivated": _l("User deactivated"),
    "policy.saved": _l("Policy version saved"),
    "policy.activated": _l("Policy version activated"),
    "policy.replay_requested": _l("Policy replay requested"),
    "api_key.created": _l("API key created"),
    "api_key.revoked": _l("API key revoked"),
    "webhook_source.created": _l("Webhook source created"),
    "webhook_source.revoked": _l("Webhook source revoked"),
    "channel.saved": _l("Message channel saved"),
    "account.created": _l("Account created"),
    "account.updated": _l("Account updated"),
    "account.flagged": _l("Account flagged"),
    "lead_import.uploaded": _l("Import file uploaded"),
    "lead_import.started": _l("Import started"),
    "lead_import.finished": _l("Import finished"),
    "roster.planned": _l("Roster planned"),
    "roster.sent": _l("Roster sent"),
    "roster.confirmed": _l("Roster confirmed"),
    "reporting.cutoff": _l("Weekly cut-off"),
    SCHEDULED_REPORT_SENT: _l("Scheduled report sent"),
    "cadence.round": _l("Contact round"),
    "cadence.nurture": _l("Nurture touch"),
    "notification.read": _l("Notification read"),
    "notification.retried": _l("Message retried"),
    "saved_view.created": _l("Saved view created"),
    "saved_view.renamed": _l("Saved view renamed"),
    "saved_view.deleted": _l("Saved view deleted"),
}

# Families whose second part is a policy code: counter.<name>, outcome.<code>.
COUNTER_PREFIX = "counter."
OUTCOME_PREFIX = "outcome."

ACTION_LABELS = {
    LEAD_CREATED: _l("Lead received"),
    LEAD_UPDATED: _l("Lead edited"),
    LEAD_ASSIGNED: _l("Owner changed"),
    LEAD_UNASSIGNED: _l("Left unassigned"),
    LEAD_AWAITING_OPENING: _l("Waiting for the opening hours"),
    LEAD_STATUS: _l("Status changed"),
    LEAD_INVALIDATED: _l("Marked invalid"),
    LEAD_TRANSFERRED: _l("Transferred to a team"),
    LEAD_REFERRED: _l("Referral created"),
    LEAD_REQUEST_JOINED: _l("New request joined this file"),
    LEAD_FLAGGED: _l("Flagged"),
    LEAD_REGISTERED: _l("Registered with the source's team"),
    LEAD_ACKNOWLEDGED: _l("Acknowledged by the partner"),
    LEAD_ALLOCATED: _l("Allocated to a partner"),
    LEAD_LOST_PROPOSED: _l("Proposed as lost: not reached for days"),
    LEAD_LOST_PROPOSAL_DISMISSED: _l("Kept open: lost proposal dismissed"),
    DEAL_CLOSED: _l("Deal closed: team told and announced"),
    DUPLICATE_INVALIDATED: _l("Previous owner told of the duplicate"),
    MANAGER_TAGGED: _l("Manager's assistant tagged"),
    ACTIVITY_LOGGED: _l("Activity logged"),
    TASK_CREATED: _l("Task created"),
    TASK_UPDATED: _l("Listed on the open task"),
    TASK_DONE: _l("Task done"),
    TASK_CANCELLED: _l("Task cancelled"),
    DEADLINE_FIRED: _l("Deadline expired"),
    DEADLINE_CANCELLED: _l("Deadline met"),
    API_LEAD_RECEIVED: _l("Received through the API"),
    API_ACTIVITY_LOGGED: _l("Activity logged through the API"),
    API_DELIVERY_RECORDED: _l("Delivery recorded through the API"),
    API_TASK_CLOSED: _l("Task closed through the API"),
    API_ACCOUNT_UPSERTED: _l("Account updated through the API"),
}
ACTION_LABELS |= WORKSPACE_ACTION_LABELS
PREFIX_LABELS = {
    COUNTER_PREFIX: _l("Threshold reached: %(name)s"),
    OUTCOME_PREFIX: _l("Outcome recorded: %(name)s"),
}

# What an audit row's before/after may name, as a field of the lead -----------------------------
FIELD_LABELS = {
    "owner_id": _l("Owner"),
    "status": _l("Status"),
    "contact_name": _l("Contact name"),
    "phone": _l("Phone"),
    "email": _l("E-mail"),
    "company": _l("Company"),
    "rating": _l("Rating"),
    "lead_type": _l("Lead type"),
    "team": _l("Team"),
    "state": _l("State"),
    "acknowledged": _l("Acknowledged"),
    "revenue": _l("Revenue"),
    "flags": _l("Flags"),
}

# Codes operations write into an audit row's reason ---------------------------------------------
STRATEGY_LABELS = {
    "round_robin": _l("Round robin"),
    "weighted": _l("Weighted share"),
    "least_loaded": _l("Least loaded"),
    "top_performer": _l("Top performer"),
    "partner_allocation": _l("Partner allocation"),
    "manual": _l("Manual assignment"),
    "existing_file_manager": _l("Manager of the existing file"),
}
PICK_LABELS = {
    "round_robin_next": _l("next in turn"),
    "weighted_share": _l("by weight"),
    "least_loaded": _l("fewest open leads"),
    "top_performer": _l("best results"),
    "partner_allocation": _l("the partner organisation's turn"),
    "manual_assignment": _l("waiting for a manager"),
    "existing_file_manager": _l("handles the existing file"),
    "manager_unavailable_taker_books": _l("manager away: the taker books it"),
    "outside_hours": _l("outside the opening hours"),
    "no_eligible_candidate": _l("nobody eligible"),
}
DUPLICATE_RULE_LABELS = {
    "no_match": _l("no duplicate"),
    "first_contact_keeps": _l("the first to contact the customer keeps it"),
    "phone_up_wins": _l("the phone-up wins over the e-mail lead"),
    "existing_owner_keeps": _l("the existing owner keeps it"),
    "newest_wins": _l("the newest lead wins"),
    "join_existing": _l("joined the customer's existing file"),
}
TIMER_LABELS = {
    "contact_sla": _l("first-contact deadline"),
    "cpt_callback": _l("callback deadline"),
    "partner_review": _l("partner review"),
    "partner_follow_up": _l("partner follow-up"),
    "feedback_window": _l("feedback window"),
    "assignment.opening": _l("opening hours"),
    "timer.reminder": _l("reminder"),
}
FIXED_REASONS = {
    "claimed": _l("claimed from the queue"),
    "taken by this agent": _l("taken by this agent"),
    "reassigned by a manager": _l("reassigned by a manager"),
    "reassigned in bulk from the leads list": _l("reassigned in bulk from the leads list"),
    "status changed in bulk from the leads list": _l("status changed in bulk from the leads list"),
    "done by hand": _l("done by hand"),
    "cancelled by hand": _l("cancelled by hand"),
    "acknowledged": _l("acknowledged"),
    "counter threshold reached": _l("threshold reached"),
    "timer ran out": _l("the timer ran out"),
    "policy changed": _l("the policy changed"),
    "replaced by the new holder's": _l("replaced by the new holder's"),
}


def readable(code: str) -> str:
    """A code no table knows (a custom policy's), made readable rather than shown raw."""
    return code.replace("_", " ").replace(".", " ").strip().capitalize()


def action_label(action: str, name_of=readable) -> str:
    """The label of `action`; `name_of` reads the policy code of a counter.* or outcome.*."""
    if action in ACTION_LABELS:
        return str(ACTION_LABELS[action])
    for prefix, label in PREFIX_LABELS.items():
        if action.startswith(prefix):
            return str(label) % {"name": name_of(action.removeprefix(prefix))}
    return readable(action)


def timer_label(name: str) -> str:
    return str(TIMER_LABELS[name]) if name in TIMER_LABELS else readable(name)
