"""The settings pages' blueprint and who may read and edit them (administrators edit,
directors read)."""

from __future__ import annotations

from flask import g

from webapp.models import Role
from webapp.tenancy import workspace_blueprint

bp = workspace_blueprint("settings", __name__, url_prefix="/settings")

READERS = (Role.ADMIN, Role.DIRECTOR)
ADMINS = (Role.ADMIN,)


def may_edit() -> bool:
    return g.membership.role == Role.ADMIN
