"""Signed webhooks: POST /hooks/<workspace>/<source>, the body of POST /api/v1/leads, with
X-Leadline-Timestamp: <Unix seconds> and X-Leadline-Signature: sha256=<HMAC-SHA256 of
"<timestamp>.<raw body>" with the source's secret>. A timestamp more than five minutes away
is refused, and a signature already delivered is remembered in Redis for the window in which
it would still be accepted: a replay stores nothing."""

from __future__ import annotations

import hashlib
import logging

from flask import Blueprint, request
from pydantic import ValidationError
from redis import RedisError
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from webapp.error_pages import json_error
from webapp.errors import UserError
from webapp.extensions import csrf
from webapp.models import WebhookSource
from webapp.operations import api_calls, webhooks
from webapp.operations.intake import IntakeInvalid
from webapp.redis_client import redis

from .blueprint import ApiError, api_error_response, endpoint, json_object, limit_body
from .leads import idempotency_key, intake_request, lead_in, receive
from .schemas import LeadIn, LeadOut

log = logging.getLogger(__name__)

bp = Blueprint("hooks", __name__, url_prefix="/hooks")
csrf.exempt(bp)  # authenticated by the body's signature, never by a cookie
bp.before_request(limit_body)

for _kind in (ApiError, ValidationError, IntakeInvalid, UserError, IntegrityError):
    bp.register_error_handler(_kind, api_error_response)

UNSIGNED = (
    f"missing or wrong {webhooks.SIGNATURE_HEADER} or {webhooks.TIMESTAMP_HEADER}, "
    "or no such webhook"
)
# A signature is accepted while its timestamp is within the tolerance of our clock, either
# way: remembered that long twice over, no replay of it can be accepted again.
SEEN_FOR = int(2 * webhooks.TOLERANCE.total_seconds())
NO_KEY = "-"


def _seen_key(source: WebhookSource, signature: str) -> str:
    digest = hashlib.sha256(signature.strip().encode()).hexdigest()
    return f"leadline:hook-seen:{source.id}:{digest}"


def _first_delivery(source: WebhookSource, signature: str, key: str | None) -> str | None:
    """Remember this signature (atomic SET NX with expiry); None when this is its first
    delivery, else the Idempotency-Key its first delivery carried ("-" for none)."""
    name = _seen_key(source, signature)
    connection = redis()
    if connection.set(name, key or NO_KEY, nx=True, ex=SEEN_FOR):
        return None
    earlier = connection.get(name)
    return earlier.decode() if isinstance(earlier, bytes) else (earlier or NO_KEY)


def _forget(source: WebhookSource, signature: str) -> None:
    """A delivery that was refused or failed stored nothing: the sender may retry it."""
    try:
        redis().delete(_seen_key(source, signature))
    except RedisError:
        log.warning("webhook signature not forgotten: Redis unavailable")


@endpoint(
    "POST",
    "/<workspace>/<source>",
    blueprint=bp,
    summary="Receive a lead by signed webhook",
    body=LeadIn,
    responses={201: LeadOut, 200: LeadOut},
    errors=(400, 401, 409, 422, 503),
    headers=(
        (webhooks.TIMESTAMP_HEADER, "The time of sending, in Unix seconds (±5 minutes)."),
        (
            webhooks.SIGNATURE_HEADER,
            'sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>" with the secret>',
        ),
        (
            "Idempotency-Key",
            "A retry with the same key returns the first lead; a replay of a delivered "
            "request with its key is answered with the first lead too.",
        ),
    ),
    public=True,
    tags=("webhooks",),
)
def receive_hook(workspace: str, source: str) -> Response:
    """The same body and answers as POST /api/v1/leads, for a webhook source created under
    Settings: the lead's source is the URL's unless the body names one. A missing, wrong or
    stale signature, and an unknown or revoked workspace or source, are the same 401, and
    nothing is stored. A signed request already delivered is a 409 (the first lead, 200, when
    it carries the first delivery's Idempotency-Key)."""
    hook = webhooks.find_active_source(workspace, source)
    raw = request.get_data(cache=True)
    stamp = request.headers.get(webhooks.TIMESTAMP_HEADER, "").strip()
    signature = request.headers.get(webhooks.SIGNATURE_HEADER, "")
    secret = hook.secret if hook is not None else webhooks.UNKNOWN_SOURCE_SECRET
    if not webhooks.signature_valid(secret, raw, stamp, signature) or hook is None:
        return json_error(401, UNSIGNED)
    if not webhooks.timestamp_fresh(stamp):
        return json_error(
            401, f"{webhooks.TIMESTAMP_HEADER} is more than 5 minutes from our clock; re-sign"
        )
    defaults = {"channel": "webhook", "source": hook.source_code}
    data = lead_in(hook.workspace, json_object(raw), **defaults)
    lead = intake_request(data, **defaults)
    key = idempotency_key()
    try:
        earlier_key = _first_delivery(hook, signature, key)
    except RedisError:
        log.warning("webhook refused: Redis unavailable, replays cannot be told apart")
        return json_error(503, "cannot check for replayed requests just now; retry later")
    if earlier_key is not None and (key is None or key != earlier_key):
        return json_error(409, "this signed request was already delivered; nothing was stored")
    try:
        via = api_calls.hook_reason(hook)
        response = receive(hook.workspace, lead, via=via, key=key, body=data)
    except Exception:
        if earlier_key is None:
            _forget(hook, signature)
        raise
    if response.status_code >= 300 and earlier_key is None:
        _forget(hook, signature)
    return response
