"""The workspace pages' blueprint: dashboard, leads list, lead page."""

from __future__ import annotations

from webapp.tenancy import workspace_blueprint

bp = workspace_blueprint("workspace", __name__)
