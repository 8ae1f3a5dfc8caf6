"""Workspaces: creating one, with its teams, partner organisations and first policy."""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.numbers import get_territory_currencies, is_currency
from flask_babel import gettext as _
from sqlalchemy import select

from tenants.profiles import load_profile
from webapp.clock import now
from webapp.errors import UserError
from webapp.extensions import db
from webapp.i18n import SUPPORTED_LOCALES
from webapp.models import SLUG_PATTERN, PartnerOrganisation, Role, Team, User, Workspace
from webapp.tenancy import scoped

from . import audit, policies, users
from .members import MemberInvalid
from .unit import operation


def _check(slug: str, locale: str, time_zone: str) -> None:
    if not re.match(SLUG_PATTERN, slug):
        raise UserError("slug", _("Use 1-40 lower-case letters, digits and dashes."))
    if locale not in SUPPORTED_LOCALES:
        raise UserError("locale", _("Choose one of the languages."))
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UserError("time_zone", _("Unknown time zone: %(zone)s.", zone=time_zone)) from exc
    if db.session.scalar(select(Workspace.id).where(Workspace.slug == slug)) is not None:
        raise UserError("slug", _("The address %(slug)s is taken.", slug=slug))


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
    if country.upper() not in Locale("en").territories or not country.isalpha():
        raise UserError("country", _("Unknown country: %(code)s.", code=country))
    currency = (currency or (get_territory_currencies(country.upper()) or ["USD"])[0]).upper()
    if not is_currency(currency):
        raise UserError("currency", _("Unknown currency: %(code)s.", code=currency))
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
    # Said in the reader's language where shown (webapp.labels.VERSION_COMMENTS).
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


@operation
def create_staffed_workspace(
    slug: str,
    name: str,
    *,
    profile: str | None,
    admin: User,
    locale: str,
    time_zone: str,
    country: str,
    currency: str | None = None,
) -> Workspace:
    """A workspace from a built-in profile (None: the empty policy) whose first member,
    `admin`, is its administrator; the profile's teams are created with it."""
    document = load_profile(profile or "blank")
    workspace = create_workspace(
        slug,
        name,
        locale=locale,
        time_zone=time_zone,
        country=country,
        policy_document=document,
        actor=admin,
        currency=currency or None,
    )
    for code in profile_team_codes(document):
        create_team(workspace, code.replace("_", " ").title(), actor=admin, code=code)
    users.add_member(workspace, admin, Role.ADMIN, actor=admin)
    return workspace


def profile_team_codes(document: Any) -> list[str]:
    """Every team code a profile names (receiving teams, a source's team, a task's team):
    the workspace needs those teams for its leads to be routed."""
    codes: list[str] = []
    if isinstance(document, dict):
        for key, value in document.items():
            if key == "team" and isinstance(value, str):
                codes.append(value)
            elif key in {"receiving_teams", "teams"} and isinstance(value, list):
                codes += [v for v in value if isinstance(v, str)]
            else:
                codes += profile_team_codes(value)
    elif isinstance(document, list):
        for item in document:
            codes += profile_team_codes(item)
    return list(dict.fromkeys(codes))


def _changed(row: Any, workspace_id: int, action: str, actor: User | None, **values: Any) -> None:
    before = {k: getattr(row, k) for k in values}
    for key, value in values.items():
        setattr(row, key, value)
    after = {k: getattr(row, k) for k in values}
    if before != after:
        audit.record(workspace_id, action, row, actor=actor, before=before, after=after)


@operation
def rename_workspace(workspace: Workspace, name: str, *, actor: User | None) -> None:
    if not name.strip():
        raise UserError("name", _("Enter a name."))
    _changed(workspace, workspace.id, "workspace.renamed", actor, name=name.strip()[:200])


@operation
def set_archived(row: Any, archived: bool, *, actor: User | None) -> None:
    """Archive (or bring back) a workspace, a team or a partner organisation. An archived
    workspace is read-only, takes no leads and fires no clocks."""
    if archived == (row.archived_at is not None):
        return
    workspace_id = row.id if isinstance(row, Workspace) else row.workspace_id
    action = f"{type(row).__tablename__.rstrip('s')}.{'archived' if archived else 'restored'}"
    row.archived_at = now() if archived else None
    audit.record(
        workspace_id,
        action,
        row,
        actor=actor,
        before={"archived": not archived},
        after={"archived": archived},
    )


def _unique(model: type, workspace: Workspace, row_id: int | None, **values: Any) -> list:
    errors = []
    for field, value in values.items():
        if value is None:
            continue
        clash = db.session.scalar(
            scoped(model, workspace=workspace).where(
                getattr(model, field) == value, model.id != (row_id or 0)
            )
        )
        if clash is not None:
            errors.append((field, _("Another one already has this %(field)s.", field=field)))
    return errors


def _named(name: str | None, code: str | None) -> tuple[str, str | None, list]:
    errors = []
    name = (name or "").strip()[:200]
    code = (code or "").strip()[:40] or None
    if not name:
        errors.append(("name", _("Enter a name.")))
    if code is not None and not re.match(r"^[a-z0-9_-]+$", code):
        errors.append(("code", _("Use lower-case letters, digits, dashes and underscores.")))
    return name, code, errors


@operation
def save_team(
    workspace: Workspace, team: Team | None, *, name: str, code: str | None, actor: User | None
) -> Team:
    """Create a team (`team` None) or rename it / change its code."""
    name, code, errors = _named(name, code)
    errors += _unique(Team, workspace, team.id if team else None, name=name, code=code)
    if errors:
        raise MemberInvalid(errors)
    if team is None:
        return create_team(workspace, name, actor=actor, code=code)
    _changed(team, workspace.id, "team.updated", actor, name=name, code=code)
    return team


@operation
def save_partner_organisation(
    workspace: Workspace,
    organisation: PartnerOrganisation | None,
    *,
    name: str,
    code: str | None,
    crm_reference: str | None,
    actor: User | None,
) -> PartnerOrganisation:
    """Create a partner organisation (`organisation` None) or change it."""
    name, code, errors = _named(name, code)
    row_id = organisation.id if organisation else None
    errors += _unique(PartnerOrganisation, workspace, row_id, name=name, code=code)
    if errors:
        raise MemberInvalid(errors)
    reference = (crm_reference or "").strip()[:120] or None
    if organisation is None:
        organisation = create_partner_organisation(workspace, name, actor=actor)
    _changed(
        organisation,
        workspace.id,
        "partner_organisation.updated",
        actor,
        name=name,
        code=code,
        crm_reference=reference,
    )
    return organisation
