"""Workspaces: creating one, with its teams, partner organisations and first policy."""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.numbers import get_territory_currencies, is_currency
from sqlalchemy import select

from webapp.errors import UserError
from webapp.extensions import db
from webapp.i18n import SUPPORTED_LOCALES
from webapp.models import SLUG_PATTERN, PartnerOrganisation, Team, User, Workspace

from . import audit, policies
from .unit import operation


def _check(slug: str, locale: str, time_zone: str) -> None:
    if not re.match(SLUG_PATTERN, slug):
        raise UserError("slug", "use 1-40 lower-case letters, digits and dashes")
    if locale not in SUPPORTED_LOCALES:
        raise UserError("locale", f"choose one of {', '.join(SUPPORTED_LOCALES)}")
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UserError("time_zone", f"unknown time zone {time_zone!r}") from exc
    if db.session.scalar(select(Workspace.id).where(Workspace.slug == slug)) is not None:
        raise UserError("slug", f"the workspace {slug} already exists")


@operation
def create_workspace(
    slug: str,
    name: str,
    *,
    locale: str,
    time_zone: str,
    country: str,
    policy_document: dict[str, Any],
    actor: User | None,
    currency: str | None = None,
) -> Workspace:
    """A new workspace whose first policy version is `policy_document`, active at once; its
    currency is the country's unless given."""
    _check(slug, locale, time_zone)
    currency = (currency or (get_territory_currencies(country.upper()) or ["USD"])[0]).upper()
    if not is_currency(currency):
        raise UserError("currency", f"unknown currency {currency!r}")
    workspace = Workspace(
        slug=slug,
        name=name,
        locale=locale,
        time_zone=time_zone,
        country=country.upper(),
        currency=currency,
    )
    db.session.add(workspace)
    db.session.flush()
    audit.record(
        workspace.id,
        "workspace.created",
        workspace,
        actor=actor,
        after={"slug": slug, "name": name, "locale": locale, "time_zone": time_zone},
    )
    policies.save_version(
        workspace, policy_document, author=actor, comment="initial policy", activate=True
    )
    return workspace


@operation
def create_team(
    workspace: Workspace, name: str, *, actor: User | None, code: str | None = None
) -> Team:
    """A team; `code` is how the policy names it (e.g. a transfer to "ae")."""
    team = Team(workspace_id=workspace.id, name=name, code=code)
    db.session.add(team)
    audit.record(workspace.id, "team.created", team, actor=actor, after={"name": name})
    return team


@operation
def create_partner_organisation(
    workspace: Workspace, name: str, *, actor: User | None
) -> PartnerOrganisation:
    organisation = PartnerOrganisation(workspace_id=workspace.id, name=name)
    db.session.add(organisation)
    audit.record(
        workspace.id,
        "partner_organisation.created",
        organisation,
        actor=actor,
        after={"name": name},
    )
    return organisation
