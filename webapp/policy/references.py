"""Options of the settings that name an entry of the policy's own lists (a status, a lead type,
an outcome code) or an event: offered as a select in the reader's language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import g

from tenants import Policy, PolicyInvalid, load_policy
from webapp.extensions import db
from webapp.models import Team
from webapp.tenancy import scoped

from . import choices, settings
from .labels import PolicyLabels

Options = list[tuple[str, str]]


def _statuses(labels: PolicyLabels) -> Options:
    return labels.statuses()


def _lead_types(labels: PolicyLabels) -> Options:
    return labels.lead_types()


def _outcomes(labels: PolicyLabels) -> Options:
    return [(o.code, labels.outcome(o.code)) for o in labels.policy.outcomes.codes]


def _teams(labels: PolicyLabels) -> Options:
    """The workspace's teams that have a code (the policy names a team by its code)."""
    teams = db.session.scalars(scoped(Team).where(Team.code.is_not(None)).order_by(Team.name))
    return [(team.code, team.name) for team in teams]


# Setting key -> the policy list (or the workspace's teams) its value names.
REFERENCES: dict[str, Callable[[PolicyLabels], Options]] = {
    "DuplicateSettings.invalid_status": _statuses,
    "DailyRounds.lost_status": _statuses,
    "SetStatus.status": _statuses,
    "SetTerminalStatus.status": _statuses,
    "Timer.lead_types": _lead_types,
    "DailyRounds.lead_types": _lead_types,
    "Nurture.lead_types": _lead_types,
    "Transfer.lead_type": _lead_types,
    "Gate.outcome": _outcomes,
    "Source.team": _teams,
    "NotificationRule.team": _teams,
    "Transfer.team": _teams,
    "CreateTicket.team": _teams,
    "CreateTask.team": _teams,
}
EVENT_SETTINGS = frozenset(
    {"Timer.starts_on", "Timer.cancelled_by", "Counter.event"}
    | {"NotificationRule.event", "Announcement.event"}
)


def _with_current(options: Options, value: Any) -> Options:
    """Keep a stored value the list no longer holds, so saving does not silently drop it."""
    known = {code for code, _label in options}
    current = value if isinstance(value, list) else [] if value is None else [value]
    return options + [(str(v), str(v)) for v in current if str(v) not in known]


def _events(document: dict[str, Any]) -> Options:
    named = set(choices.EVENT_WORDS)
    for timer in document.get("timers") or []:
        named |= {timer.get("starts_on"), *(timer.get("cancelled_by") or [])}
    notifications = document.get("notifications") or {}
    for rule in [*(notifications.get("rules") or []), *(notifications.get("announcements") or [])]:
        named.add(rule.get("event"))
    return sorted(
        ((e, choices.event_words(e)) for e in named if isinstance(e, str)), key=lambda o: o[1]
    )


def reference_options(
    setting: settings.Setting, document: dict[str, Any], value: Any
) -> Options | None:
    """The options of a setting that names a list entry or an event; None for any other."""
    if setting.key in EVENT_SETTINGS:
        return _with_current(_events(document), value)
    pick = REFERENCES.get(setting.key)
    if pick is None:
        return None
    policy = policy_of(document)
    if policy is None:
        return None
    return _with_current(pick(PolicyLabels.for_request(policy)), value)


def policy_of(document: dict[str, Any]) -> Policy | None:
    """The document as a Policy, loaded once per request (a page has many such fields)."""
    cache = g.setdefault("policy_of_document", {})
    if id(document) not in cache:
        try:
            cache[id(document)] = (document, load_policy(document))
        except PolicyInvalid:
            cache[id(document)] = (document, None)
    return cache[id(document)][1]
