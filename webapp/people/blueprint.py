"""URL rules of the people pages: a workspace's members, teams, partner organisations and
settings under /w/<workspace>/people, and a person's own account pages outside any workspace."""

from __future__ import annotations

from flask import Blueprint

from webapp.tenancy import workspace_blueprint

bp = workspace_blueprint("people", __name__, url_prefix="/people")
account_bp = Blueprint("account", __name__)
