"""Who a policy means by "the assignee's manager", "the director" and the like, for a lead."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Lead, Membership, Role, User
from webapp.tenancy import owned_by

from . import batch_facts


def members(
    workspace_id: int,
    *roles: Role,
    team_id: int | None = None,
    organisation_id: int | None = None,
) -> list[User]:
    """The workspace's members with one of `roles` (of a team, of a partner organisation)."""
    key = ("members", workspace_id, frozenset(roles), team_id, organisation_id)
    found = batch_facts.lookup(
        key, lambda: _members_of(workspace_id, roles, team_id, organisation_id)
    )
    return list(found)


def _members_of(
    workspace_id: int, roles: tuple[Role, ...], team_id: int | None, organisation_id: int | None
) -> list[User]:
    query = (
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            owned_by(Membership, workspace_id),
            Membership.role.in_(roles),
            Membership.active.is_(True),
        )
    )
    if team_id is not None:
        query = query.where(Membership.team_id == team_id)
    if organisation_id is not None:
        query = query.where(Membership.partner_organisation_id == organisation_id)
    return list(db.session.scalars(query.order_by(User.id)))


def _members(lead: Lead, *roles: Role, **filters: int | None) -> list[User]:
    return members(lead.workspace_id, *roles, **filters)


def _membership(lead: Lead, user_id: int | None) -> Membership | None:
    if user_id is None:
        return None
    return batch_facts.membership(lead.workspace_id, user_id)


def _user(user_id: int | None) -> list[User]:
    return [db.session.get(User, user_id)] if user_id else []


def _assignee_manager(lead: Lead, context: dict) -> list[User]:
    membership = _membership(lead, context.get("previous_owner_id") or lead.owner_id)
    if membership is None or membership.team_id is None:
        return []
    return _members(lead, Role.MANAGER, team_id=membership.team_id)


def _partners(lead: Lead) -> list[User]:
    """CPB-10: the partners of the organisation the lead is allocated to, never the others."""
    organisation_id = lead.partner_organisation_id
    if organisation_id is None and (holder := _membership(lead, lead.owner_id)) is not None:
        organisation_id = holder.partner_organisation_id
    if organisation_id is None:
        return []
    return _members(lead, Role.PARTNER, organisation_id=organisation_id)


def _manager_assistant(lead: Lead, context: dict) -> list[User]:
    # BDC-4: the assistant of the manager handling the customer's file, when the event names
    # that manager ("manager_id"); else the assistant of the lead's owner.
    membership = _membership(lead, context.get("manager_id") or lead.owner_id)
    return _user(membership.assistant_user_id) if membership else []


RESOLVERS: dict[str, Callable[[Lead, dict], list[User]]] = {
    "assignee": lambda lead, ctx: _user(lead.owner_id),
    "previous_assignee": lambda lead, ctx: _user(ctx.get("previous_owner_id")),
    "assignee_manager": _assignee_manager,
    "manager_assistant": _manager_assistant,
    "director": lambda lead, ctx: _members(lead, Role.DIRECTOR),
    "administrator": lambda lead, ctx: _members(lead, Role.ADMIN),
    "manager": lambda lead, ctx: _members(lead, Role.MANAGER),
    "agent": lambda lead, ctx: _members(lead, Role.AGENT),
    "partner": lambda lead, ctx: _partners(lead),
    # The lead's team, or the team the event concerns (a ticket raised for retention).
    "team": lambda lead, ctx: (
        _members(lead, Role.AGENT, Role.MANAGER, team_id=team_id)
        if (team_id := ctx.get("team_id") or lead.team_id)
        else []
    ),
    "exceptions_contact": lambda lead, ctx: [],  # a named contact: configured with TEL-9 (issue 5)
}


def resolve(lead: Lead, roles: list[str], context: dict) -> list[User]:
    """The people `roles` name for `lead`, each once, in a stable order."""
    seen: dict[int, User] = {}
    for role in roles:
        for user in RESOLVERS[role](lead, context):
            seen.setdefault(user.id, user)
    return list(seen.values())
