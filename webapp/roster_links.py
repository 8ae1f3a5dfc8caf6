"""Signed roster confirmation links: the signature is the advisor's credential (CCIMA-3).

A token names the workspace, the membership and the month, and carries its own expiry read
against webapp.clock (so tests move it with the rest of time). It is signed with the app's
SECRET_KEY; changing the key invalidates every link in flight.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from webapp.clock import now
from webapp.models import Membership, Workspace

LINK_LIFETIME = timedelta(days=14)
_SALT = "leadline.roster-confirmation"
CONFIRM_ENDPOINT = "roster_link.confirm"


@dataclass(frozen=True)
class LinkClaims:
    """What a valid token says: whose confirmation of which month, until when."""

    workspace_id: int
    membership_id: int
    month: date
    expires_at: datetime

    @property
    def expired(self) -> bool:
        return now() >= self.expires_at


class InvalidLink(ValueError):
    """Not a token this app signed (forged, mangled or cut short)."""


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def make_token(workspace_id: int, membership_id: int, month: date) -> str:
    """A token for this membership's confirmation of `month`, valid for LINK_LIFETIME."""
    expires = int((now() + LINK_LIFETIME).timestamp())
    claims = {"w": workspace_id, "m": membership_id, "mo": month.isoformat(), "exp": expires}
    return _serializer().dumps(claims)


def read_token(token: str) -> LinkClaims:
    """The claims of a token this app signed, expired or not; InvalidLink otherwise."""
    try:
        claims: Any = _serializer().loads(token)
        return LinkClaims(
            workspace_id=int(claims["w"]),
            membership_id=int(claims["m"]),
            month=date.fromisoformat(claims["mo"]),
            expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC),
        )
    except (BadSignature, KeyError, TypeError, ValueError) as error:
        raise InvalidLink(str(error)) from error


def absolute_url(endpoint: str, **values: Any) -> str:
    """LEADLINE_BASE_URL + the path of `endpoint`; works in a worker, without a request."""
    path = current_app.url_map.bind("").build(endpoint, values)
    return current_app.config["LEADLINE_BASE_URL"].rstrip("/") + path


def confirmation_link(workspace: Workspace, membership: Membership, month: date) -> str:
    """The absolute link an advisor opens to confirm `month`'s roster."""
    token = make_token(workspace.id, membership.id, month)
    return absolute_url(CONFIRM_ENDPOINT, workspace=workspace.slug, token=token)
