"""The policy pages' blueprints: the document and its replays."""

from __future__ import annotations

from webapp.tenancy import workspace_blueprint

bp = workspace_blueprint("policy", __name__, url_prefix="/policy")
replay_bp = workspace_blueprint("replay", __name__, url_prefix="/policy/replay")
