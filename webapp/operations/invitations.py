"""Inviting people by e-mail, and resetting a forgotten password.

Both links are signed (itsdangerous) and expire. An invitation's link carries the
membership's nonce: resending gives a new one, revoking and accepting clear it, so an old
or used link stops working. A reset link carries a fingerprint of the password hash: once the
password changes, the link is spent.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from webapp.clock import now
from webapp.errors import UserError
from webapp.extensions import db
from webapp.models import Membership, User, Workspace

from . import audit, leads, notifications, policies
from .members import MemberInvalid, check_changes, member_of, update_member
from .unit import operation
from .users import change_password

INVITATION_DAYS = 7
RESET_HOURS = 2


class LinkRefused(Exception):
    """The link is expired, tampered with, revoked or already used."""


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _absolute(endpoint: str, **values: Any) -> str:
    """The link in a message: the installation's base URL and the route's path (built from
    the URL map, so a command or a job without a request can write it too)."""
    base = current_app.config["LEADLINE_BASE_URL"].rstrip("/")
    return base + current_app.url_map.bind("localhost").build(endpoint, values)


def _user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email))


# Inviting ---------------------------------------------------------------------------------


def _send_invitation(membership: Membership, actor: User | None) -> None:
    membership.invitation_nonce = secrets.token_hex(16)
    membership.invited_at = now()
    token = _serializer("invitation").dumps({"m": membership.id, "n": membership.invitation_nonce})
    notifications.queue_message(
        membership.workspace_id,
        membership.user,
        "email",
        "invitation",
        {
            "workspace": membership.workspace.name,
            "inviter": actor.name if actor else "Leadline",
            "link": _absolute("account.accept_invitation", token=token),
        },
        key=f"invitation:{membership.id}:{membership.invitation_nonce}",
    )


@operation
def invite(
    workspace: Workspace,
    email: str,
    *,
    actor: User | None,
    role: str = "agent",
    **fields: Any,
) -> Membership:
    """Make `email` a member with `role` and the member `fields` (members.CHECKS). Someone
    new gets an invitation to set their password; someone who already has an account is
    added at once and told by e-mail. Every bad field is refused at once."""
    errors: list[tuple[str, str]] = []
    try:
        email = leads.normalise_email(email or "")
    except UserError as refused:
        errors.append(("email", str(refused)))
    user = None if errors else _user_by_email(email)
    if user is not None and member_of(workspace, user.id) is not None:
        errors.append(("email", _("%(email)s is already a member.", email=email)))
    if "authorised" not in fields and _authorisation_required(workspace):
        fields = {**fields, "authorised": False}  # CCIMA-2: no leads until an admin says so
    checked = check_changes(workspace, {"role": role, **fields})
    errors += checked.errors
    if errors:
        raise MemberInvalid(errors)
    values = checked.values
    # Someone who cannot sign in yet (invited elsewhere, or deactivated everywhere) chooses
    # a password from the link too; an active account is simply added.
    new = user is None or not user.active
    if user is None:
        user = User(email=email, name=values.pop("name", None) or email.partition("@")[0])
        user.set_password(secrets.token_urlsafe(32))  # nobody knows it: the link sets one
        user.active = False
        db.session.add(user)
        db.session.flush()
    values.pop("name", None)
    membership = Membership(workspace_id=workspace.id, user_id=user.id, role=values.pop("role"))
    db.session.add(membership)
    db.session.flush()
    audit.record(
        workspace.id,
        "membership.invited" if new else "membership.created",
        membership,
        actor=actor,
        after={"user": email, "role": membership.role.value},
    )
    if values:
        update_member(membership, {k: v for k, v in fields.items() if k != "name"}, actor=actor)
    if new:
        _send_invitation(membership, actor)
    else:
        _tell_added(membership, actor)
    return membership


def _authorisation_required(workspace: Workspace) -> bool:
    eligibility = policies.active_policy(workspace).assignment.eligibility
    return any(rule.kind == "authorised" for rule in eligibility)


def _tell_added(membership: Membership, actor: User | None) -> None:
    notifications.queue_message(
        membership.workspace_id,
        membership.user,
        "email",
        "added_to_workspace",
        {
            "workspace": membership.workspace.name,
            "inviter": actor.name if actor else "Leadline",
            "link": _absolute("workspace.dashboard", workspace=membership.workspace.slug),
        },
        key=f"added:{membership.id}",
    )


def pending(membership: Membership) -> bool:
    return membership.invitation_nonce is not None


@operation
def resend(membership: Membership, *, actor: User | None) -> None:
    """A new link (the old one stops working) in a new e-mail."""
    if not pending(membership):
        raise UserError("invitation", _("This invitation was accepted or revoked."))
    _send_invitation(membership, actor)
    audit.record(membership.workspace_id, "membership.invitation_resent", membership, actor=actor)


@operation
def revoke(membership: Membership, *, actor: User | None) -> None:
    """The link stops working and the invited person is no member any more."""
    if not pending(membership):
        raise UserError("invitation", _("This invitation was accepted or revoked."))
    membership.invitation_nonce = None
    membership.active = False
    audit.record(
        membership.workspace_id,
        "membership.invitation_revoked",
        membership,
        actor=actor,
        before={"active": True},
        after={"active": False},
    )


def invitation_for(token: str) -> Membership:
    """The pending membership a link names, or LinkRefused."""
    try:
        data = _serializer("invitation").loads(token, max_age=INVITATION_DAYS * 86400)
    except (SignatureExpired, BadSignature) as refused:
        raise LinkRefused() from refused
    membership = db.session.get(Membership, data.get("m")) if isinstance(data, dict) else None
    if membership is None or not membership.invitation_nonce:
        raise LinkRefused()
    if not secrets.compare_digest(membership.invitation_nonce, str(data.get("n"))):
        raise LinkRefused()
    return membership


@operation
def accept(token: str, name: str, password: str) -> User:
    """Spend the invitation: the person names themselves, sets a password, and can sign in."""
    membership = invitation_for(token)
    user = membership.user
    if not name.strip():
        raise UserError("name", _("Enter a name."))
    user.name = name.strip()[:200]
    change_password(user, password, actor=user)
    user.active = True
    membership.invitation_nonce = None
    membership.active = True
    audit.record(membership.workspace_id, "membership.invitation_accepted", membership, actor=user)
    return user


# Password reset --------------------------------------------------------------------------


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:20]


@operation
def request_reset(email: str) -> None:
    """E-mail a reset link to `email` if it is an active account's; nothing otherwise (the
    caller answers the same either way)."""
    user = _user_by_email((email or "").strip().lower())
    if user is None or not user.active:
        return
    membership = next((m for m in user.memberships if m.active), None)
    if membership is None:  # messages go out through a workspace's outbox
        return
    token = _serializer("password-reset").dumps({"u": user.id, "h": _fingerprint(user)})
    notifications.queue_message(
        membership.workspace_id,
        user,
        "email",
        "password_reset",
        {"link": _absolute("account.reset_password", token=token), "hours": RESET_HOURS},
        key=f"reset:{user.id}:{secrets.token_hex(8)}",
    )


def reset_user(token: str) -> User:
    """The user a reset link names, while the link is unspent and fresh; else LinkRefused."""
    try:
        data = _serializer("password-reset").loads(token, max_age=RESET_HOURS * 3600)
    except (SignatureExpired, BadSignature) as refused:
        raise LinkRefused() from refused
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or not user.active:
        raise LinkRefused()
    if not secrets.compare_digest(_fingerprint(user), str(data.get("h"))):
        raise LinkRefused()
    return user


@operation
def reset_password(token: str, password: str) -> User:
    user = reset_user(token)
    change_password(user, password, actor=user)
    return user
