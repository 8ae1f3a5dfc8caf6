"""The Audit page's blueprint and who may use it: administrators and directors (ALL-3)."""

from __future__ import annotations

from webapp.models import Role
from webapp.tenancy import workspace_blueprint

bp = workspace_blueprint("audit", __name__, url_prefix="/audit")
AUDITORS = (Role.ADMIN, Role.DIRECTOR)
