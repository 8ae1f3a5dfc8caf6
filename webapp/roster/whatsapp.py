"""The inbound WhatsApp webhook (Meta's Cloud API): advisors confirm the roster by replying.

GET /inbound/whatsapp/<workspace> answers Meta's subscription check: hub.mode=subscribe with
the workspace's verify token gets hub.challenge back, anything else a 403. POST carries
messages signed with X-Hub-Signature-256: sha256=<HMAC-SHA256 of the raw body with the app
secret>; a missing or wrong signature is a 401 and nothing changes. A signed delivery is a
200 even when nothing in it is for us (an unknown sender, a status update): Meta retries any
other answer for days. Both secrets are set under Settings → Channels → WhatsApp.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from typing import Any

from flask import current_app, jsonify, request
from sqlalchemy import select
from werkzeug.wrappers import Response

from tenants.decisions.matchkeys import normalise_phone
from webapp.error_pages import json_error
from webapp.extensions import csrf, db
from webapp.models import ChannelSettings, Workspace
from webapp.operations import roster
from webapp.tenancy import owned_by

from .blueprint import whatsapp_bp as bp

csrf.exempt(bp)  # authenticated by Meta's signature of the body, never by a cookie

SIGNATURE_HEADER = "X-Hub-Signature-256"


@dataclass(frozen=True)
class Reply:
    """One message an advisor sent: who (E.164), what it says, Meta's id for it."""

    sender: str
    text: str
    message_id: str


def sign(app_secret: str, body: bytes) -> str:
    """The header value Meta puts on `body`: sha256=<hex HMAC>."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def _signed(settings: ChannelSettings | None, body: bytes, header: str | None) -> bool:
    if settings is None or not settings.app_secret or not header:
        return False
    return hmac.compare_digest(sign(settings.app_secret, body).encode(), header.strip().encode())


def sender_e164(wa_id: Any) -> str | None:
    """E.164 of a WhatsApp id ("5215512345678" → "+525512345678").

    WhatsApp still reports Mexican mobiles with the "1" Mexico dropped from its numbering
    in 2019; without it the number matches the one people give.
    """
    digits = "".join(ch for ch in str(wa_id or "") if ch.isdigit())
    if digits.startswith("521") and len(digits) == 13:
        digits = "52" + digits[3:]
    return normalise_phone(f"+{digits}") if digits else None


def _items(value: Any) -> list[dict]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _text_of(message: dict) -> str:
    """A text's body, or a quick-reply button's payload and label."""
    button = message.get("button") or {}
    interactive = message.get("interactive") or {}
    reply = interactive.get("button_reply") or interactive.get("list_reply") or {}
    parts = [
        (message.get("text") or {}).get("body"),
        button.get("payload"),
        button.get("text"),
        reply.get("id"),
        reply.get("title"),
    ]
    return " ".join(str(part) for part in parts if part)


def replies(body: dict, phone_number_id: str | None) -> list[Reply]:
    """The messages of a Cloud API delivery sent to this workspace's number."""
    found = []
    for entry in _items(body.get("entry")):
        for change in _items(entry.get("changes")):
            value = change.get("value")
            if change.get("field") != "messages" or not isinstance(value, dict):
                continue
            number = (value.get("metadata") or {}).get("phone_number_id")
            if phone_number_id and number and str(number) != phone_number_id:
                continue  # another number of the same Meta app
            for message in _items(value.get("messages")):
                sender = sender_e164(message.get("from"))
                if sender:
                    found.append(Reply(sender, _text_of(message), str(message.get("id", ""))))
    return found


def _workspace_and_settings(slug: str) -> tuple[Workspace | None, ChannelSettings | None]:
    row = db.session.execute(
        select(Workspace, ChannelSettings)
        .outerjoin(
            ChannelSettings,
            owned_by(ChannelSettings, Workspace.id) & (ChannelSettings.channel == "whatsapp"),
        )
        .where(Workspace.slug == slug)
    ).first()
    return (row[0], row[1]) if row else (None, None)


def _masked(e164: str) -> str:
    return "*" * (len(e164) - 4) + e164[-4:]


@bp.get("/<workspace>")
def verify(workspace: str) -> Response:
    """Meta's subscription check: echo hub.challenge when the verify token matches."""
    found, settings = _workspace_and_settings(workspace)
    if found is None:
        return json_error(404, "no such workspace")
    expected = (settings.verify_token if settings else None) or ""
    given = request.args.get("hub.verify_token", "")
    if (
        request.args.get("hub.mode") != "subscribe"
        or not expected
        or not hmac.compare_digest(given.encode(), expected.encode())
    ):
        return json_error(403, "hub.mode must be subscribe, with this workspace's verify token")
    return Response(request.args.get("hub.challenge", ""), 200, mimetype="text/plain")


@bp.post("/<workspace>")
def receive(workspace: str) -> Response:
    """Replies from advisors: one that confirms confirms its sender's current roster."""
    found, settings = _workspace_and_settings(workspace)
    if found is None:
        return json_error(404, "no such workspace")
    raw = request.get_data(cache=True)
    if not _signed(settings, raw, request.headers.get(SIGNATURE_HEADER)):
        return json_error(401, f"missing or wrong {SIGNATURE_HEADER}")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict):
        return json_error(400, "send the Cloud API's JSON object")
    outcomes = []
    for reply in replies(body, settings.phone_number_id):
        outcome = roster.confirm_by_reply(found, reply.sender, reply.text)
        # An unknown sender is worth a look (a phone missing from a profile, or noise).
        level = logging.WARNING if outcome == roster.UNKNOWN_SENDER else logging.INFO
        current_app.logger.log(
            level,
            "whatsapp reply %s from %s in %s: %s",
            reply.message_id,
            _masked(reply.sender),
            found.slug,
            outcome,
        )
        outcomes.append(outcome)
    return jsonify(received=len(outcomes), outcomes=outcomes)
