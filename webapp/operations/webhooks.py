"""Webhook sources: created with a secret shown once, requests verified by HMAC-SHA256 over a
timestamp and the body (as Stripe and Slack sign theirs), so a captured request cannot be
replayed after the tolerance window."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select

from tenants.errors import Refusal
from tenants.markers import N_
from webapp.clock import now
from webapp.errors import UserError
from webapp.extensions import db
from webapp.models import User, WebhookSource, Workspace
from webapp.tenancy import owned_by

from . import audit, policies
from .unit import operation

SIGNATURE_HEADER = "X-Leadline-Signature"
TIMESTAMP_HEADER = "X-Leadline-Timestamp"
# How far a request's timestamp may be from our clock, either way.
TOLERANCE = timedelta(minutes=5)
SECRET_PREFIX = "whsec_"
_CODE = re.compile(r"^[a-z0-9_-]{1,60}$")
_TIMESTAMP = re.compile(r"^[0-9]{1,12}$")
# Verified against when the source is unknown, so that an unknown source costs the same as a
# known one with a wrong signature and answers the same.
UNKNOWN_SOURCE_SECRET = SECRET_PREFIX + secrets.token_urlsafe(32)


def sign(secret: str, body: bytes, timestamp: str) -> str:
    """The X-Leadline-Signature a sender puts on `body` sent at `timestamp` (Unix seconds):
    sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the secret>."""
    message = timestamp.encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_valid(secret: str, body: bytes, timestamp: str | None, header: str | None) -> bool:
    """Whether `header` signs `timestamp` and `body` with `secret` (constant-time compare)."""
    if not header or not timestamp or not _TIMESTAMP.match(timestamp):
        return False
    return hmac.compare_digest(sign(secret, body, timestamp).encode(), header.strip().encode())


def timestamp_fresh(timestamp: str, at: datetime | None = None) -> bool:
    """Whether the signed timestamp is within TOLERANCE of `at` (the app clock's now)."""
    if not _TIMESTAMP.match(timestamp):
        return False
    at = at or now()
    return abs(at.timestamp() - int(timestamp)) <= TOLERANCE.total_seconds()


def find_active_source(workspace_slug: str, source_code: str) -> WebhookSource | None:
    """The unrevoked source with this code in the workspace with this slug, if any."""
    return db.session.scalar(
        select(WebhookSource)
        .join(Workspace, owned_by(WebhookSource, Workspace.id))
        .where(
            Workspace.slug == workspace_slug,
            WebhookSource.source_code == source_code,
            WebhookSource.revoked_at.is_(None),
        )
    )


def _check_code(workspace: Workspace, code: str) -> None:
    allowed = [s.code for s in policies.active_policy(workspace).intake.sources]
    if allowed and code not in allowed:
        raise UserError(
            "source_code",
            Refusal(
                N_("not a source of the policy; allowed: %(allowed)s"), allowed=", ".join(allowed)
            ),
        )
    if not _CODE.match(code):
        raise UserError(
            "source_code",
            Refusal(N_("a source code has 1 to 60 lowercase letters, digits, '-' or '_'")),
        )
    if find_active_source(workspace.slug, code) is not None:
        raise UserError(
            "source_code", Refusal(N_("this source already has a webhook; revoke it first"))
        )


@operation
def create_source(
    workspace: Workspace, source_code: str, name: str, *, actor: User | None
) -> tuple[WebhookSource, str]:
    """A new webhook source; returns the row and its secret (show it once)."""
    source_code = source_code.strip()
    _check_code(workspace, source_code)
    if not name.strip() or len(name.strip()) > 120:
        raise UserError("name", Refusal(N_("a webhook's name has 1 to 120 characters")))
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    source = WebhookSource(
        workspace_id=workspace.id,
        source_code=source_code,
        name=name.strip(),
        secret=secret,
        created_by_id=actor.id if actor else None,
    )
    db.session.add(source)
    audit.record(
        workspace.id,
        "webhook_source.created",
        source,
        actor=actor,
        after={"source": source_code, "name": source.name},
    )
    return source, secret


@operation
def revoke_source(source: WebhookSource, *, actor: User | None) -> None:
    source.revoked_at = now()
    audit.record(source.workspace_id, "webhook_source.revoked", source, actor=actor)
