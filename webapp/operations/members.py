"""A workspace's members: the fields the policy engine reads, changing them, deactivating.

Every change is checked as a whole first (`MemberInvalid` names every bad field at once),
so a refused change stores nothing; the last active administrator can be neither demoted
nor deactivated.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from webapp.errors import UserError
from webapp.extensions import db
from webapp.i18n import SUPPORTED_LOCALES
from webapp.models import (
    Lead,
    Membership,
    PartnerOrganisation,
    Role,
    Task,
    TaskState,
    Team,
    User,
    Workspace,
)
from webapp.tenancy import scoped

from . import assignment, audit, leads, policies
from .unit import operation
from .users import end_sessions

LINES = ("first", "second")


class MemberInvalid(UserError):
    """Refused member data: `errors` lists every (field, message)."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__(errors[0][0], "; ".join(f"{f}: {m}" for f, m in errors))
        self.errors = errors


@dataclass
class _Checked:
    """The changes once each has been checked, as column values."""

    values: dict[str, Any]
    errors: list[tuple[str, str]]


def _team(workspace: Workspace, value: Any) -> Team | None:
    return db.session.scalar(
        scoped(Team, workspace=workspace).where(Team.id == value, Team.archived_at.is_(None))
    )


def _organisation(workspace: Workspace, value: Any) -> PartnerOrganisation | None:
    return db.session.scalar(
        scoped(PartnerOrganisation, workspace=workspace).where(
            PartnerOrganisation.id == value,
            PartnerOrganisation.archived_at.is_(None),
        )
    )


def member_of(workspace: Workspace, user_id: Any) -> Membership | None:
    return db.session.scalar(
        scoped(Membership, workspace=workspace).where(Membership.user_id == user_id)
    )


def _refuse(field: str, message: str) -> Any:
    raise UserError(field, message)


def _name(ws: Workspace, value: Any) -> str:
    if not str(value or "").strip():
        _refuse("name", _("Enter a name."))
    return str(value).strip()[:200]


def _role(ws: Workspace, value: Any) -> Role:
    if value not in {r.value for r in Role}:
        _refuse("role", _("Choose one of the roles."))
    return Role(value)


def _team_id(ws: Workspace, value: Any) -> int:
    if (team := _team(ws, value)) is None:
        _refuse("team", _("No such team in this workspace."))
    return team.id


def _organisation_id(ws: Workspace, value: Any) -> int:
    if (organisation := _organisation(ws, value)) is None:
        _refuse("partner_organisation", _("No such partner organisation in this workspace."))
    return organisation.id


def _member_user_id(field: str) -> Callable[[Workspace, Any], int]:
    def check(ws: Workspace, value: Any) -> int:
        if member_of(ws, value) is None:
            _refuse(field, _("Not a member of this workspace."))
        return value

    return check


def _flag(field: str) -> Callable[[Workspace, Any], bool]:
    def check(ws: Workspace, value: Any) -> bool:
        if not isinstance(value, bool):
            _refuse(field, _("Answer yes or no."))
        return value

    return check


def _locale(ws: Workspace, value: Any) -> str | None:
    if value and value not in SUPPORTED_LOCALES:
        _refuse("locale", _("Choose one of the languages."))
    return value or None


def _away_until(ws: Workspace, value: Any) -> datetime | None:
    if value is not None and not isinstance(value, datetime):
        _refuse("away_until", _("Enter a date and time."))
    return value


def _line(ws: Workspace, value: Any) -> str:
    if value not in LINES:
        _refuse("line", _("Choose first or second line."))
    return value


# One checker per field: the value as its column stores it, or UserError naming the field.
CHECKS: dict[str, Callable[[Workspace, Any], Any]] = {
    "name": _name,
    "role": _role,
    "team": _team_id,
    "partner_organisation": _organisation_id,
    "manager": _member_user_id("manager"),
    "assistant": _member_user_id("assistant"),
    "phone": lambda ws, v: leads.normalise_phone(str(v), ws.country) if v else None,
    "telegram_chat_id": lambda ws, v: (str(v).strip()[:64] or None) if v else None,
    "locale": _locale,
    "authorised": _flag("authorised"),
    "available": _flag("available"),
    "active": _flag("active"),
    "away_until": _away_until,
    "capacity": lambda ws, v: _count("capacity", v),
    "weight": lambda ws, v: _count("weight", v),
    "line": _line,
}
# Fields naming a row by id: empty is none, anything but a small whole number names nothing.
_REFERENCES = {"team", "partner_organisation", "manager", "assistant"}


def _check_one(workspace: Workspace, field: str, value: Any) -> Any:
    """The column value for one field, or UserError."""
    if field not in CHECKS:
        _refuse(field, _("Unknown field."))
    if field in _REFERENCES:
        if value is None or value == "":
            return None
        value = _as_id(value)
    return CHECKS[field](workspace, value)


def _as_id(value: Any) -> int:
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**31:
        return 0
    return value


def _count(field: str, value: Any) -> int | None:
    if value is None and field == "capacity":
        return None
    least = 0 if field == "capacity" else 1
    if isinstance(value, bool) or not isinstance(value, int) or not least <= value <= 100000:
        raise UserError(field, _("Enter a whole number from %(least)d.", least=least))
    return value


def check_changes(workspace: Workspace, changes: dict[str, Any]) -> _Checked:
    checked = _Checked({}, [])
    for field, value in changes.items():
        try:
            checked.values[field] = _check_one(workspace, field, value)
        except UserError as refused:
            checked.errors.append((field, str(refused)))
    return checked


def active_admins(workspace: Workspace) -> int:
    return db.session.scalar(
        select(func.count()).select_from(
            scoped(Membership, workspace=workspace)
            .where(Membership.role == Role.ADMIN, Membership.active.is_(True))
            .subquery()
        )
    )


def _last_admin_errors(membership: Membership, values: dict[str, Any]) -> list[tuple[str, str]]:
    if membership.role != Role.ADMIN or not membership.active:
        return []
    demoted = "role" in values and values["role"] != Role.ADMIN
    removed = values.get("active") is False
    if not (demoted or removed) or active_admins(membership.workspace) > 1:
        return []
    message = _("The workspace's last administrator cannot be demoted or deactivated.")
    return [("role" if demoted else "active", message)]


# Where each field lives: on the person (User) or on their membership of this workspace.
_ON_USER = {"name": "name", "phone": "phone", "telegram_chat_id": "telegram_chat_id"}
_ON_USER["locale"] = "preferred_locale"
_COLUMNS = {"team": "team_id", "partner_organisation": "partner_organisation_id"}
_COLUMNS |= {"manager": "manager_user_id", "assistant": "assistant_user_id"}


def _shown(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else getattr(value, "value", value)


@operation
def update_member(
    membership: Membership, changes: dict[str, Any], *, actor: User | None
) -> Membership:
    """Change any of the CHECKS fields of `membership` (and its user); all bad ones refused."""
    workspace = membership.workspace
    checked = check_changes(workspace, changes)
    errors = checked.errors + _last_admin_errors(membership, checked.values)
    if errors:
        raise MemberInvalid(errors)
    values = dict(checked.values)
    active = values.pop("active", None)
    before, after = {}, {}
    for field, value in values.items():
        owner = membership.user if field in _ON_USER else membership
        column = _ON_USER.get(field) or _COLUMNS.get(field, field)
        if getattr(owner, column) != value:
            before[field], after[field] = _shown(getattr(owner, column)), _shown(value)
            setattr(owner, column, value)
    if after:
        audit.record(
            workspace.id, "membership.updated", membership, actor=actor, before=before, after=after
        )
    if active is False and membership.active:
        deactivate_member(membership, actor=actor)
    elif active is True and not membership.active:
        reactivate_member(membership, actor=actor)
    return membership


@operation
def deactivate_member(membership: Membership, *, actor: User | None) -> int:
    """The member signs in here no more (nowhere, if this was their last workspace); their
    open leads and tasks go to others by the workspace's strategy. Returns the leads moved."""
    if _last_admin_errors(membership, {"active": False}):
        raise MemberInvalid(_last_admin_errors(membership, {"active": False}))
    membership.active = False
    membership.invitation_nonce = None
    user = membership.user
    if not any(m.active for m in user.memberships if m.id != membership.id):
        user.active = False
    end_sessions(user)
    audit.record(
        membership.workspace_id,
        "membership.deactivated",
        membership,
        actor=actor,
        before={"active": True},
        after={"active": False},
    )
    return _redistribute(membership, actor=actor)


@operation
def reactivate_member(membership: Membership, *, actor: User | None) -> None:
    membership.active = True
    membership.user.active = True
    audit.record(
        membership.workspace_id,
        "membership.reactivated",
        membership,
        actor=actor,
        before={"active": False},
        after={"active": True},
    )


def _redistribute(membership: Membership, *, actor: User | None) -> int:
    """Each open lead of the member through the strategy (to nobody when it finds no one),
    then their open tasks to the lead's new holder."""
    workspace = membership.workspace
    policy = policies.active_policy(workspace)
    open_leads = db.session.scalars(
        scoped(Lead, workspace=workspace)
        .where(
            Lead.owner_id == membership.user_id,
            Lead.status.not_in(policy.intake.terminal_codes or {""}),
        )
        .order_by(Lead.id)
    ).all()
    reason = "member deactivated"
    for lead in open_leads:
        decision = assignment.assign(lead, actor=actor, exclude_current=True)
        if decision.agent_id is None:
            assignment.set_owner(lead, None, actor=actor, reason=reason)
    tasks = db.session.scalars(
        scoped(Task, workspace=workspace).where(
            Task.assignee_id == membership.user_id,
            Task.state == TaskState.OPEN,
        )
    ).all()
    for task in tasks:
        lead = db.session.get(Lead, task.lead_id) if task.lead_id else None
        task.assignee_id = lead.owner_id if lead is not None else None
        audit.record(
            workspace.id,
            "task.reassigned",
            task,
            actor=actor,
            before={"assignee_id": membership.user_id},
            after={"assignee_id": task.assignee_id},
            reason=reason,
        )
    return len(open_leads)
