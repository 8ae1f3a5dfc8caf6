"""URL rules of the interaction screen, the campaign pages and the offer-rate report."""

from __future__ import annotations

from webapp.tenancy import workspace_blueprint

bp = workspace_blueprint("interactions", __name__, url_prefix="/interactions")
campaigns_bp = workspace_blueprint("campaigns", __name__, url_prefix="/campaigns")
