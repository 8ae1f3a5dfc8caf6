"""The bell's and the notifications page's blueprint."""

from __future__ import annotations

from webapp.tenancy import workspace_blueprint

bp = workspace_blueprint("inbox", __name__, url_prefix="/notifications")
