"""People: creating users, their preferences, their membership of workspaces."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from tenants.errors import Refusal
from tenants.markers import N_
from webapp.errors import UserError
from webapp.extensions import db
from webapp.i18n import SUPPORTED_LOCALES
from webapp.models import Membership, PartnerOrganisation, Role, Team, User, Workspace

from . import audit
from .unit import operation


@operation
def create_user(
    email: str,
    name: str,
    password: str,
    *,
    preferred_locale: str | None = None,
    phone: str | None = None,
) -> User:
    """A new user with a hashed password; e-mail addresses are unique, case-insensitively."""
    email = email.strip().lower()
    if "@" not in email:
        raise UserError("email", Refusal(N_("not an e-mail address")))
    if len(password) < 8:
        raise UserError("password", Refusal(N_("a password needs at least 8 characters")))
    if db.session.scalar(select(User.id).where(func.lower(User.email) == email)) is not None:
        raise UserError(
            "email", Refusal(N_("a user with e-mail %(email)s already exists"), email=email)
        )
    if preferred_locale is not None and preferred_locale not in SUPPORTED_LOCALES:
        raise UserError(
            "preferred_locale",
            Refusal(
                N_("choose a language: one of %(allowed)s"), allowed=", ".join(SUPPORTED_LOCALES)
            ),
        )
    user = User(email=email, name=name.strip(), preferred_locale=preferred_locale, phone=phone)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


@operation
def set_preferred_locale(user: User, locale: str) -> None:
    if locale not in SUPPORTED_LOCALES:
        raise UserError(
            "locale",
            Refusal(
                N_("choose a language: one of %(allowed)s"), allowed=", ".join(SUPPORTED_LOCALES)
            ),
        )
    user.preferred_locale = locale


@operation
def update_profile(
    user: User,
    *,
    phone: str | None,
    telegram_chat_id: str | None,
    locale: str | None,
    region: str,
) -> None:
    """What a person changes of themselves: phone (stored E.164), Telegram chat, language."""
    from .leads import normalise_phone  # leads imports this module

    if locale is not None and locale not in SUPPORTED_LOCALES:
        raise UserError("locale", _("Choose one of the languages."))
    before = {"phone": user.phone, "telegram_chat_id": user.telegram_chat_id}
    user.phone = normalise_phone(phone, region) if phone else None
    user.telegram_chat_id = (telegram_chat_id or "").strip()[:64] or None
    user.preferred_locale = locale
    after = {"phone": user.phone, "telegram_chat_id": user.telegram_chat_id}
    if before != after:
        _record_in_each_workspace(user, "user.profile_changed", user)


@operation
def add_member(
    workspace: Workspace,
    user: User,
    role: Role,
    *,
    actor: User | None,
    team: Team | None = None,
    partner_organisation: PartnerOrganisation | None = None,
    authorised: bool = True,
) -> Membership:
    """Give `user` a role in `workspace` (ALL-1); audited."""
    membership = Membership(
        workspace_id=workspace.id,
        user_id=user.id,
        role=role,
        team_id=team.id if team else None,
        partner_organisation_id=partner_organisation.id if partner_organisation else None,
        authorised=authorised,
    )
    db.session.add(membership)
    audit.record(
        workspace.id,
        "membership.created",
        membership,
        actor=actor,
        after={"user": user.email, "role": role.value, "team": team.name if team else None},
    )
    return membership


@operation
def put_on_roster(
    membership: Membership, month: date, *, confirmed_at: datetime | None, actor: User | None
) -> None:
    """Put a member on the month's roster, confirmed or awaiting confirmation (CCIMA-3, 4)."""
    membership.roster_month = month.replace(day=1)
    membership.roster_confirmed_at = confirmed_at
    audit.record(
        membership.workspace_id,
        "membership.roster",
        membership,
        actor=actor,
        after={
            "month": membership.roster_month.isoformat(),
            "confirmed": confirmed_at.isoformat() if confirmed_at else None,
        },
    )


@operation
def end_sessions(user: User) -> None:
    """End every session of `user`: each cookie names the epoch it was signed in under."""
    user.session_epoch = User.session_epoch + 1  # in SQL: two sign-outs at once both count


def _record_in_each_workspace(user: User, action: str, actor: User | None) -> None:
    for membership in user.memberships:
        audit.record(membership.workspace_id, action, user, actor=actor, after={"user": user.email})


@operation
def change_password(user: User, password: str, *, actor: User | None) -> None:
    """Give `user` a new password and end all their sessions (ASVS 3.3.3); audited."""
    if len(password) < 8:
        raise UserError("password", _("A password needs at least 8 characters."))
    user.set_password(password)
    end_sessions(user)
    _record_in_each_workspace(user, "user.password_changed", actor)


@operation
def deactivate_user(user: User, *, actor: User | None) -> None:
    """Stop `user` from signing in and end the sessions they hold now; audited."""
    user.active = False
    end_sessions(user)
    _record_in_each_workspace(user, "user.deactivated", actor)
