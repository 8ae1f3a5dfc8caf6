"""API keys: created with a secret shown once, stored as a SHA-256 hash."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select

from tenants.errors import Refusal
from tenants.markers import N_
from webapp.clock import now
from webapp.errors import UserError
from webapp.extensions import db
from webapp.models import ApiKey, PartnerOrganisation, User, Workspace

from . import audit
from .unit import operation

KEY_PREFIX = "ll_"
# What a key may do, each role everything the ones before it may: an agent key receives,
# reads and works leads; a manager key also assigns them; a director key also replaces the
# policy; an admin key may do everything. Each API route names the least role it needs.
KEY_ROLES = ("agent", "manager", "director", "admin")


def key_may(key_role: str, needed: str) -> bool:
    """Whether a key of `key_role` may call a route that needs `needed` (unknown: never)."""
    if key_role not in KEY_ROLES or needed not in KEY_ROLES:
        return False
    return KEY_ROLES.index(key_role) >= KEY_ROLES.index(needed)


def roles_at_least(needed: str) -> list[str]:
    """The key roles that may call a route needing `needed`, least first."""
    return [role for role in KEY_ROLES if key_may(role, needed)]


def hash_key(secret: str) -> str:
    # A random 256-bit key needs no slow hash: SHA-256 of it cannot be brute-forced.
    return hashlib.sha256(secret.encode()).hexdigest()


@operation
def create_api_key(
    workspace: Workspace,
    name: str,
    *,
    actor: User | None,
    role: str = "agent",
    partner_organisation: PartnerOrganisation | None = None,
) -> tuple[ApiKey, str]:
    """A new key for `workspace`; returns the row and the secret, which is never stored. A
    partner organisation's key is an agent key that sees only that organisation's leads."""
    if partner_organisation is not None and (
        partner_organisation.workspace_id != workspace.id or role != "agent"
    ):
        raise UserError(
            "partner_organisation", Refusal(N_("a partner key is an agent key of this workspace"))
        )
    if role not in KEY_ROLES:
        raise UserError(
            "role", Refusal(N_("choose a role: one of %(allowed)s"), allowed=", ".join(KEY_ROLES))
        )
    if len(name.strip()) > 120:
        raise UserError("name", Refusal(N_("a key's name has at most 120 characters")))
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(
        workspace_id=workspace.id,
        name=name.strip() or "API key",
        prefix=secret[:10],
        key_hash=hash_key(secret),
        role=role,
        partner_organisation_id=partner_organisation.id if partner_organisation else None,
        created_by_id=actor.id if actor else None,
    )
    db.session.add(key)
    audit.record(
        workspace.id,
        "api_key.created",
        key,
        actor=actor,
        after={
            "name": key.name,
            "role": role,
            "partner_organisation_id": key.partner_organisation_id,
        },
    )
    return key, secret


def find_active_key(secret: str) -> ApiKey | None:
    """The unrevoked key with this secret, if any."""
    return db.session.scalar(
        select(ApiKey).where(ApiKey.key_hash == hash_key(secret), ApiKey.revoked_at.is_(None))
    )


@operation
def revoke_api_key(key: ApiKey, *, actor: User | None) -> None:
    key.revoked_at = now()
    audit.record(key.workspace_id, "api_key.revoked", key, actor=actor)
