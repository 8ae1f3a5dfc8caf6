"""The workspace a request acts in, the caller's membership there, and scoped queries.

Every tenant-owned query goes through `scoped()`; every object looked up by id from a URL goes
through `get_or_404()`. Asking for another workspace's row is indistinguishable from asking
for a row that does not exist.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, abort, g, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import Select, select

from webapp.extensions import db, login_manager
from webapp.models import SLUG_PATTERN, Membership, Role, Workspace
from webapp.redirects import safe_next

M = TypeVar("M")
_SLUG = re.compile(SLUG_PATTERN)


def current_workspace() -> Workspace:
    """The workspace this request (or job) acts in; a programming error if there is none."""
    workspace = g.get("workspace")
    if workspace is None:
        raise RuntimeError("no current workspace: scoped access outside a workspace request")
    return workspace


def current_membership() -> Membership | None:
    return g.get("membership")


def scoped(model: type[M]) -> Select[tuple[M]]:
    """SELECT over `model` limited to the current workspace."""
    return select(model).where(model.workspace_id == current_workspace().id)


def get_or_404(model: type[M], object_id: Any) -> M:
    """The current workspace's `model` row with this id, else 404."""
    row = db.session.scalar(scoped(model).where(model.id == object_id))
    if row is None:
        abort(404)
    return row


def requires_role(*roles: Role) -> Callable:
    """Let only members holding one of `roles` in the current workspace through (else 403)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            membership = current_membership()
            if membership is None or membership.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def load_workspace_for_member(slug: str) -> tuple[Workspace, Membership]:
    """Resolve a URL slug to (workspace, membership) for the logged-in user, or 404."""
    if not _SLUG.match(slug):
        abort(404)
    row = db.session.execute(
        select(Workspace, Membership)
        .join(Membership, Membership.workspace_id == Workspace.id)
        .where(Workspace.slug == slug, Membership.user_id == current_user.id)
    ).first()
    if row is None:
        abort(404)
    return row[0], row[1]


def workspace_blueprint(name: str, import_name: str, url_prefix: str = "") -> Blueprint:
    """A blueprint whose every URL lives under /w/<workspace>/ and needs a member."""
    bp = Blueprint(name, import_name, url_prefix=f"/w/<workspace>{url_prefix}")

    @bp.url_value_preprocessor
    def _pull_workspace(endpoint: str | None, values: dict[str, Any] | None) -> None:
        g.workspace_slug = (values or {}).pop("workspace", None)

    @bp.before_request
    def _resolve_membership() -> Any:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        g.workspace, g.membership = load_workspace_for_member(g.workspace_slug)
        return None

    @bp.url_defaults
    def _add_workspace(endpoint: str, values: dict[str, Any]) -> None:
        if "workspace" not in values and g.get("workspace") is not None:
            values["workspace"] = g.workspace.slug

    return bp


def redirect_to_home() -> Any:
    """Send a signed-in user to their first workspace, or to the picker."""
    memberships = current_user.memberships
    if len(memberships) == 1:
        return redirect(url_for("workspace.dashboard", workspace=memberships[0].workspace.slug))
    return redirect(url_for("auth.workspaces", next=safe_next(request.args.get("next"))))
