"""The queue pages' blueprint."""

from __future__ import annotations

from webapp.tenancy import workspace_blueprint

bp = workspace_blueprint("queue", __name__, url_prefix="/queue")
