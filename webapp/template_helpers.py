"""What every template may use: the workspace, the navigation for the caller's role, locales."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import flask_babel
from flask import Flask, g
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from tenants import Policy
from webapp import clock
from webapp.channels.labels import channel_label, fallback_note, message_state_label
from webapp.i18n import LOCALE_NAMES
from webapp.labels import (
    code_label,
    delivery_error,
    kind_label,
    message_label,
    version_comment,
)
from webapp.models import DeadlineState, Role
from webapp.operations import policies


class NavItem(NamedTuple):
    endpoint: str
    label: Any
    roles: frozenset[Role]
    # Shown only where the workspace's policy uses the feature (None: always).
    applies: Callable[[Policy], bool] | None = None
    # Secondary pages sit under the top bar's "More" menu, so the bar never wraps (issue 16.3).
    more: bool = False


ALL_ROLES = frozenset(Role)
ROLE_LABELS = {
    Role.ADMIN: _l("administrator"),
    Role.DIRECTOR: _l("director"),
    Role.MANAGER: _l("manager"),
    Role.AGENT: _l("agent"),
    Role.PARTNER: _l("partner"),
}


def role_label(role: Role) -> str:
    return str(ROLE_LABELS[Role(role)])


DEADLINE_STATE_LABELS = {
    DeadlineState.PENDING: _l("pending"),
    DeadlineState.FIRED: _l("expired"),
    DeadlineState.CANCELLED: _l("met"),
}


def deadline_state_label(state: DeadlineState) -> str:
    return str(DEADLINE_STATE_LABELS[DeadlineState(state)])


STAFF = frozenset({Role.ADMIN, Role.DIRECTOR, Role.MANAGER})


def _offers(policy: Policy) -> bool:
    """The department voices offers on inbound calls (TEL-1): its policy has offer answers."""
    return any(s.name == "offer_answer" for s in policy.answers.sets)


NAVIGATION = (
    NavItem("queue.index", _l("My queue"), ALL_ROLES - {Role.PARTNER}),
    NavItem("portal.inbox", _l("Inbox"), frozenset({Role.PARTNER})),
    NavItem("portal.my_leads", _l("My leads"), frozenset({Role.PARTNER})),
    NavItem(
        "portal.collateral",
        _l("Collateral"),
        STAFF | {Role.PARTNER},
        lambda p: "collateral" in p.records.kinds,
    ),
    NavItem("workspace.dashboard", _l("Home"), ALL_ROLES - {Role.PARTNER}),
    NavItem("workspace.leads", _l("Leads"), ALL_ROLES),
    NavItem("people.index", _l("People"), frozenset({Role.ADMIN})),
    NavItem("workspace.members", _l("People"), STAFF - {Role.ADMIN}),
    NavItem("interactions.index", _l("Calls"), ALL_ROLES - {Role.PARTNER}, _offers),
    NavItem("campaigns.index", _l("Campaigns"), STAFF, _offers, more=True),
    NavItem(
        "interactions.offer_rate", _l("Offer rate"), ALL_ROLES - {Role.PARTNER}, _offers, more=True
    ),
    NavItem("roster.plan", _l("Roster"), STAFF, lambda p: p.roster.enabled, more=True),
    NavItem("policy.index", _l("Policy"), STAFF),
    NavItem(
        "portal.agency",
        _l("Partners"),
        STAFF,
        lambda p: p.assignment.strategy.strategy == "partner_allocation",
        more=True,
    ),
    NavItem(
        "reports.weekly",
        _l("Weekly reports"),
        ALL_ROLES - {Role.PARTNER},
        lambda p: p.reporting.weekly_cutoff is not None,
        more=True,
    ),
    NavItem("console.index", _l("Operations"), frozenset({Role.ADMIN, Role.DIRECTOR}), more=True),
    NavItem("audit.index", _l("Audit"), frozenset({Role.ADMIN, Role.DIRECTOR}), more=True),
    NavItem(
        "settings.api_keys_page", _l("Settings"), frozenset({Role.ADMIN, Role.DIRECTOR}), more=True
    ),
)


def navigation() -> list[NavItem]:
    """The menu entries the caller's role in the current workspace may use."""
    membership = g.get("membership")
    if membership is None:
        return []
    policy = policies.active_policy(g.workspace)
    return [
        item
        for item in NAVIGATION
        if membership.role in item.roles and (item.applies is None or item.applies(policy))
    ]


def init_app(app: Flask) -> None:
    # One helper per kind of code, as filters: `{{ d.kind|kind_label }}` (issue 16 item 2).
    app.jinja_env.filters.update(
        kind_label=kind_label,
        code_label=code_label,
        message_label=message_label,
        channel_label=channel_label,
        role_label=role_label,
        version_comment=version_comment,
        delivery_error=delivery_error,
    )
    app.jinja_env.globals.update(
        role_label=role_label,
        channel_label=channel_label,
        fallback_note=fallback_note,
        message_state_label=message_state_label,
        deadline_state_label=deadline_state_label,
        kind_label=kind_label,
        code_label=code_label,
        message_label=message_label,
        now=clock.now,
        # Dates, times and numbers in the request's locale and the workspace's time zone.
        format_datetime=flask_babel.format_datetime,
        format_date=flask_babel.format_date,
        format_time=flask_babel.format_time,
        format_number=flask_babel.format_number,
        format_decimal=flask_babel.format_decimal,
        format_currency=flask_babel.format_currency,
        format_percent=flask_babel.format_percent,
        format_timedelta=flask_babel.format_timedelta,
    )

    @app.context_processor
    def inject() -> dict[str, Any]:
        memberships = (
            sorted(
                (m for m in current_user.memberships if m.active),
                key=lambda m: m.workspace.name.lower(),
            )
            if current_user.is_authenticated
            else []
        )
        return {
            "current_workspace": g.get("workspace"),
            "current_membership": g.get("membership"),
            "my_memberships": memberships,
            "navigation": navigation(),
            "locale_names": LOCALE_NAMES,
            "current_locale": str(get_locale()),
        }
