"""URL rules of the people pages: a workspace's members, teams, partner organisations and
settings under /w/<workspace>/people, and a person's own account pages outside any workspace."""

from __future__ import annotations

from flask import Blueprint, current_app
from flask_login import current_user

from webapp.tenancy import workspace_blueprint

bp = workspace_blueprint("people", __name__, url_prefix="/people")
account_bp = Blueprint("account", __name__)


def may_create_workspaces() -> bool:
    """Open to every signed-in user, unless LEADLINE_WORKSPACE_CREATION=operators keeps it to
    the users LEADLINE_OPERATORS names."""
    if current_app.config.get("LEADLINE_WORKSPACE_CREATION", "anyone") == "anyone":
        return True
    return current_user.email.lower() in (current_app.config.get("LEADLINE_OPERATORS") or ())
