"""The operations console's blueprint (administrators and directors)."""

from __future__ import annotations

from webapp.tenancy import workspace_blueprint

bp = workspace_blueprint("console", __name__, url_prefix="/operations")
