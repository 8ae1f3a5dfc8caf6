"""REST API v1: JSON in and out, a workspace API key as the bearer token."""

from __future__ import annotations

from flask import Blueprint, g, jsonify, request
from werkzeug.wrappers import Response

from tenants import PolicyInvalid
from tenants.policy import policy_json_schema
from webapp.clock import now
from webapp.errors import json_error
from webapp.extensions import csrf, db
from webapp.models import Lead, PolicyVersion
from webapp.operations import policies
from webapp.operations.api_keys import find_active_key
from webapp.tenancy import get_or_404, scoped

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


def _version_json(version: PolicyVersion) -> dict:
    return {
        "number": version.number,
        "comment": version.comment,
        "author": version.author.name if version.author else None,
        "created_at": version.created_at.isoformat(),
        "active": version.id == g.workspace.active_policy_version_id,
    }


@bp.get("/policy")
def policy() -> Response:
    """The active policy document and its version."""
    version = g.workspace.active_policy_version
    if version is None:
        return json_error(404, "this workspace has no active policy")
    return jsonify({**_version_json(version), "document": version.document})


@bp.put("/policy")
def replace_policy() -> Response:
    """Validate a whole document, store it as a new version, activate it unless ?activate=false."""
    document = request.get_json(silent=True)
    if not isinstance(document, dict):
        return json_error(400, "send the policy document as a JSON object")
    activate = request.args.get("activate", "true").lower() not in {"false", "0", "no"}
    comment = request.args.get("comment", "")[:500] or f"API key {g.api_key.name}"
    try:
        version = policies.save_version(
            g.workspace, document, author=None, comment=comment, activate=activate
        )
    except PolicyInvalid as exc:
        fields = [{"path": path, "message": message} for path, message in exc.errors]
        return json_error(422, "the policy document is invalid; nothing was saved", fields)
    response = jsonify({**_version_json(version), "document": version.document})
    response.status_code = 201
    return response


@bp.get("/policy/schema")
def policy_schema() -> Response:
    """The JSON Schema every policy document is validated against."""
    return jsonify(policy_json_schema())


@bp.get("/policy/versions")
def policy_versions() -> Response:
    """Every version of the workspace's policy, newest first."""
    rows = db.session.scalars(scoped(PolicyVersion).order_by(PolicyVersion.number.desc())).all()
    return jsonify({"versions": [_version_json(v) for v in rows]})
