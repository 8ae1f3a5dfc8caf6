"""REST API v1: JSON in and out, a workspace API key as the bearer token."""

from __future__ import annotations

from flask import Blueprint, g, jsonify, request
from werkzeug.wrappers import Response

from webapp.clock import now
from webapp.errors import json_error
from webapp.extensions import csrf, db
from webapp.models import Lead
from webapp.operations.api_keys import find_active_key
from webapp.tenancy import get_or_404

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # bearer-token requests carry no cookies, so CSRF does not apply


@bp.before_request
def authenticate() -> Response | None:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret:
        return json_error(401, "send 'Authorization: Bearer <API key>'")
    key = find_active_key(secret.strip())
    if key is None:
        return json_error(401, "unknown or revoked API key")
    key.last_used_at = now()
    db.session.commit()
    g.workspace = key.workspace
    g.api_key = key
    return None


@bp.get("/workspace")
def workspace() -> Response:
    """The workspace this key belongs to."""
    ws = g.workspace
    return jsonify(
        {"slug": ws.slug, "name": ws.name, "locale": ws.locale, "time_zone": ws.time_zone}
    )


@bp.get("/leads/<int:lead_id>")
def lead(lead_id: int) -> Response:
    """One lead of the key's workspace."""
    row = get_or_404(Lead, lead_id)
    return jsonify(
        {
            "id": row.id,
            "contact_name": row.contact_name,
            "status": row.status,
            "phone": row.phone_e164,
            "email": row.email_normalised,
            "owner": {"id": row.owner.id, "name": row.owner.name} if row.owner else None,
            "created_at": row.created_at.isoformat(),
        }
    )
