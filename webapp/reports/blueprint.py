"""The reports pages' blueprint."""

from __future__ import annotations

from webapp.tenancy import workspace_blueprint

bp = workspace_blueprint("reports", __name__, url_prefix="/reports")
