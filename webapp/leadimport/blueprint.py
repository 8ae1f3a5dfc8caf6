"""The CSV import pages' blueprint."""

from __future__ import annotations

from webapp.tenancy import workspace_blueprint

bp = workspace_blueprint("imports", __name__, url_prefix="/leads/import")
