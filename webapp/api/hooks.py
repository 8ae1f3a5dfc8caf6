"""Signed webhooks: POST /hooks/<workspace>/<source>, the body of POST /api/v1/leads, signed
with X-Leadline-Signature: sha256=<HMAC-SHA256 of the raw body with the source's secret>."""

from __future__ import annotations

import json

from flask import Blueprint, request
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from webapp.errors import json_error
from webapp.extensions import csrf
from webapp.operations import api_calls, webhooks
from webapp.operations.intake import IntakeInvalid
from webapp.operations.users import UserError

from .blueprint import ApiError, api_error_response, endpoint
from .leads import idempotency_key, intake_request, lead_in, receive
from .schemas import LeadIn, LeadOut

bp = Blueprint("hooks", __name__, url_prefix="/hooks")
csrf.exempt(bp)  # authenticated by the body's signature, never by a cookie

for _kind in (ApiError, ValidationError, IntakeInvalid, UserError, IntegrityError):
    bp.register_error_handler(_kind, api_error_response)


@endpoint(
    "POST",
    "/<workspace>/<source>",
    blueprint=bp,
    summary="Receive a lead by signed webhook",
    body=LeadIn,
    responses={201: LeadOut, 200: LeadOut},
    errors=(400, 401, 404, 409, 422),
    headers=(
        (webhooks.SIGNATURE_HEADER, "sha256=<hex HMAC-SHA256 of the raw body with the secret>"),
        ("Idempotency-Key", "A retry with the same key returns the first lead."),
    ),
    public=True,
    tags=("webhooks",),
)
def receive_hook(workspace: str, source: str) -> Response:
    """The same body and answers as POST /api/v1/leads, for a webhook source created under
    Settings: the lead's source is the URL's unless the body names one. A missing or wrong
    signature is a 401 and nothing is stored; an unknown workspace or source a 404."""
    hook = webhooks.find_active_source(workspace, source)
    if hook is None:
        return json_error(404, "no such webhook")
    raw = request.get_data(cache=True)
    if not webhooks.signature_valid(hook, raw, request.headers.get(webhooks.SIGNATURE_HEADER)):
        return json_error(401, f"missing or wrong {webhooks.SIGNATURE_HEADER}")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict):
        raise ApiError(400, "send a JSON object (Content-Type: application/json)")
    defaults = {"channel": "webhook", "source": hook.source_code}
    lead = intake_request(lead_in(hook.workspace, data, **defaults), **defaults)
    return receive(hook.workspace, lead, via=api_calls.hook_reason(hook), key=idempotency_key())
