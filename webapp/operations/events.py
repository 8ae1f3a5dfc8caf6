"""Events and who hears of them: the policy's notification rules and announcements (ALL-5).

An operation that raises an event calls `publish` inside its own transaction. The policy's
rules for the event queue one outbox row per recipient and channel, its announcements one
message per group chat (CCIMA-9), and an audit event on the lead records what was published.
Every key carries the event, the lead and that audit event's id: one occurrence is told once,
a later occurrence (a deal won again after being reopened) is told again. An event with no
rule and no announcement costs one policy lookup and writes nothing.

Events about a member rather than a lead (the weekly cut-off's advisor) go through
`notify_member`, which reads the same roles relative to that member.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import select

from tenants import Policy
from webapp.audit_actions import DEAL_CLOSED
from webapp.extensions import db
from webapp.models import AuditEvent, Lead, Membership, Role, Team, User
from webapp.tenancy import owned_by

from . import audit, notifications, policies, recipients

KEY_LIMIT = 120  # the length of Notification.idempotency_key


def outbox_key(*parts: object) -> str:
    """An idempotency key from its parts; a hash where a long event name would not fit."""
    text = ":".join(str(part) for part in parts)
    if len(text) <= KEY_LIMIT:
        return text
    return "h:" + hashlib.sha256(text.encode()).hexdigest()


def status_changed(lead: Lead, before: str | None, *, actor: User | None) -> None:
    """Publish what a status change means: a deal closed when the lead enters a won status."""
    won = policies.active_policy(lead.workspace).intake.won_codes
    if lead.status in won and before not in won:
        publish(lead, DEAL_CLOSED, actor=actor)


def publish(
    lead: Lead, event: str, *, actor: User | None, context: dict[str, Any] | None = None
) -> AuditEvent | None:
    """Queue the policy's rules and announcements for `event` on `lead`; None if it has none.

    `context` tells the recipients who else the event concerns (`previous_owner_id`,
    `manager_id`, see webapp.operations.recipients) and is added to the messages' payload.
    """
    policy = policies.active_policy(lead.workspace)
    rules = [r for r in policy.notifications.rules if r.event == event]
    announcements = [a for a in policy.notifications.announcements if a.event == event]
    if not rules and not announcements:
        return None
    context = dict(context or {})
    record = audit.record(lead.workspace_id, event, lead, actor=actor)
    db.session.flush()  # its id distinguishes this occurrence in the keys below
    payload = {**_lead_payload(lead, policy, actor), **context}
    told = 0
    for n, rule in enumerate(rules):
        rule_context = {**context, **_team_context(lead, rule.team)}
        told += notifications.queue_for(
            lead.workspace_id,
            recipients.resolve(lead, list(rule.roles), rule_context),
            rule.channels,
            rule.template,
            payload,
            key=lambda person, channel, n=n: outbox_key(
                event, lead.id, record.id, n, person.id, channel
            ),
        )
    for n, announcement in enumerate(announcements):
        notifications.queue_group_message(
            lead.workspace,
            announcement.channel,
            announcement.group,
            announcement.template,
            _announcement_payload(payload, announcement.tag or announcement.group),
            key=outbox_key(event, lead.id, record.id, "group", n),
        )
    record.after = {"told": told, "announced_to": [a.group for a in announcements]}
    return record


def _lead_payload(lead: Lead, policy: Policy, actor: User | None) -> dict[str, Any]:
    """What the messages about `lead` show; the status label in every language the policy has,
    so each reader gets theirs."""
    status = next((s for s in policy.intake.statuses if s.code == lead.status), None)
    advisor = db.session.get(User, lead.owner_id) if lead.owner_id else actor
    return {
        "lead_id": lead.id,
        "contact_name": lead.contact_name,
        "advisor": advisor.name if advisor else "",
        "status_labels": dict(status.labels) if status else {"en": lead.status},
    }


def _team_context(lead: Lead, code: str | None) -> dict[str, Any]:
    """A rule naming a team means that team by `team` (L411-2: the AE team hears of a HOT
    account delivered by the CPT team)."""
    if code is None:
        return {}
    team_id = db.session.scalar(
        select(Team.id).where(owned_by(Team, lead.workspace_id), Team.code == code)
    )
    return {"team_id": team_id} if team_id else {}


def _announcement_payload(payload: dict[str, Any], tag: str) -> dict[str, Any]:
    """A group hears the deal without a link: its members need not have Leadline accounts."""
    return {**{k: v for k, v in payload.items() if k != "lead_id"}, "tag": tag}


# --- events about a member ------------------------------------------------------------------


def _in_workspace(membership: Membership, *roles: Role, team_id: int | None = None) -> list[User]:
    return recipients.members(membership.workspace_id, *roles, team_id=team_id)


def _team(membership: Membership, *roles: Role) -> list[User]:
    if membership.team_id is None:
        return []
    return _in_workspace(membership, *roles, team_id=membership.team_id)


def _organisation(membership: Membership) -> list[User]:
    """CPB-10: the partners of the member's own organisation, never another's."""
    if membership.partner_organisation_id is None:
        return []
    return recipients.members(
        membership.workspace_id,
        Role.PARTNER,
        organisation_id=membership.partner_organisation_id,
    )


def _the_member(membership: Membership) -> list[User]:
    return [membership.user]


# The policy's roles, read relative to the member the event is about: "agent" and "assignee"
# are that member (not every agent), "assignee_manager" the managers of their team.
MEMBER_RESOLVERS: dict[str, Callable[[Membership], list[User]]] = {
    "assignee": _the_member,
    "previous_assignee": _the_member,
    "agent": _the_member,
    "assignee_manager": lambda m: _team(m, Role.MANAGER),
    "manager_assistant": lambda m: (
        [db.session.get(User, m.assistant_user_id)] if m.assistant_user_id else []
    ),
    "team": lambda m: _team(m, Role.AGENT, Role.MANAGER),
    "manager": lambda m: _in_workspace(m, Role.MANAGER),
    "director": lambda m: _in_workspace(m, Role.DIRECTOR),
    "administrator": lambda m: _in_workspace(m, Role.ADMIN),
    "partner": lambda m: _organisation(m),
    "exceptions_contact": lambda m: [],
}


def member_recipients(membership: Membership, roles: Iterable[str]) -> list[User]:
    """The people `roles` name for an event about `membership`, each once, in a stable order."""
    seen: dict[int, User] = {}
    for role in roles:
        for user in MEMBER_RESOLVERS[role](membership):
            seen.setdefault(user.id, user)
    return list(seen.values())


def notify_member(
    membership: Membership, event: str, payload: dict[str, Any], *, occurrence: object
) -> int:
    """Queue the policy's rules for `event` about a member; `occurrence` (e.g. the cut-off's
    deadline id) makes a repeat of the same occurrence a no-op. Returns rows written."""
    policy = policies.active_policy(membership.workspace)
    told = 0
    for n, rule in enumerate(r for r in policy.notifications.rules if r.event == event):
        told += notifications.queue_for(
            membership.workspace_id,
            member_recipients(membership, rule.roles),
            rule.channels,
            rule.template,
            payload,
            key=lambda person, channel, n=n: outbox_key(
                event, occurrence, membership.user_id, n, person.id, channel
            ),
        )
    return told
