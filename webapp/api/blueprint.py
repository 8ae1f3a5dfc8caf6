"""The API blueprint: bearer-key authentication, the role each route needs (one table, filled
by the `endpoint` decorator), the per-key rate limit, JSON bodies checked against their
pydantic models, and every refusal as the one JSON error shape."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

from flask import Blueprint, current_app, g, jsonify, request
from pydantic import BaseModel, ValidationError
from redis import RedisError
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from webapp.bounds import Unparseable, loads
from webapp.clock import now
from webapp.error_pages import json_error
from webapp.errors import UserError
from webapp.extensions import csrf, db
from webapp.operations.api_keys import KEY_ROLES, find_active_key, key_may
from webapp.operations.intake import IntakeInvalid
from webapp.redis_client import redis
from webapp.validation_messages import pydantic_message

log = logging.getLogger(__name__)
B = TypeVar("B", bound=BaseModel)
MAX_ID = 2**31 - 1
LAST_USED_EVERY = timedelta(minutes=1)  # how stale a key's "last used" may get

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # bearer-token requests carry no cookies, so CSRF does not apply


class ApiError(Exception):
    """A refusal with its status and, for 422, the fields at fault."""

    def __init__(self, status: int, message: str, fields: list[tuple[str, str]] = ()) -> None:
        super().__init__(message)
        self.status, self.message, self.fields = status, message, list(fields)


@dataclass(frozen=True)
class Endpoint:
    """What the OpenAPI document says of one route."""

    method: str
    rule: str
    summary: str
    responses: dict[int, type[BaseModel] | None]
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    errors: tuple[int, ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    # The least key role that may call it (webapp.operations.api_keys.KEY_ROLES); None only
    # for public routes.
    role: str | None = None
    description: str = ""
    tags: tuple[str, ...] = field(default=())
    public: bool = False  # no bearer key (the document itself, signed webhooks)
    view: str = ""  # the Flask endpoint name, e.g. "api.replace_policy"
    # Whether a partner organisation's key may call it (CPB-10: the portal's routes only).
    partner: bool = False
    media_type: str = "application/json"  # of the success responses (an .ics: text/calendar)


# The one table of API routes: what the OpenAPI document shows and the role each needs.
ENDPOINTS: list[Endpoint] = []
_BY_VIEW: dict[str, Endpoint] = {}


def endpoint(method: str, rule: str, *, blueprint: Blueprint | None = None, **spec: Any):
    """Route `rule` on the API blueprint (or `blueprint`), with the key role it needs, and
    describe it for the OpenAPI document. A keyed route without a known role is refused at
    import time, so no route can be added without a declared scope."""
    blueprint = blueprint or bp
    if not spec.get("public") and spec.get("role") not in KEY_ROLES:
        raise ValueError(f"{method} {rule}: declare role= one of {', '.join(KEY_ROLES)}")

    def decorator(view: Callable) -> Callable:
        path = (blueprint.url_prefix or "") + rule
        name = f"{blueprint.name}.{view.__name__}"
        entry = Endpoint(method, path, description=(view.__doc__ or ""), view=name, **spec)
        ENDPOINTS.append(entry)
        _BY_VIEW[name] = entry
        blueprint.add_url_rule(rule, view.__name__, view, methods=[method])
        return view

    return decorator


def endpoint_of(view: str | None) -> Endpoint | None:
    """The table's entry for a Flask endpoint name, if it is an API route."""
    return _BY_VIEW.get(view or "")


# Authentication and the rate limit ----------------------------------------------------------


def limit_body() -> None:
    """Bodies of /api and /hooks are at most LEADLINE_API_MAX_BODY_BYTES (a JSON 413 beyond),
    well under the app's MAX_CONTENT_LENGTH, which CSV uploads need."""
    request.max_content_length = current_app.config.get("LEADLINE_API_MAX_BODY_BYTES")


bp.before_request(limit_body)


@bp.before_request
def authenticate() -> Response | None:
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return json_error(401, "send 'Authorization: Bearer <API key>'")
    key = find_active_key(secret.strip())
    if key is None:
        return json_error(401, "unknown or revoked API key")
    if key.last_used_at is None or now() - key.last_used_at > LAST_USED_EVERY:
        key.last_used_at = now()
        db.session.commit()
    g.workspace, g.api_key = key.workspace, key
    if key.workspace.archived_at is not None and request.method not in {"GET", "HEAD"}:
        return json_error(409, "this workspace is archived: it can only be read")
    return _rate_limited(key.id) or _out_of_scope(key) or _not_for_partners(key)


def _not_for_partners(key) -> Response | None:
    """A partner organisation's key calls only the routes made for partners' systems."""
    if key.partner_organisation_id is None or request.url_rule is None:
        return None
    entry = endpoint_of(request.endpoint)
    if entry is not None and entry.partner:
        return None
    return json_error(403, "a partner organisation's API key may not call this route")


def _out_of_scope(key) -> Response | None:
    """403 unless the key's role may call this route. A route missing from the table is
    refused too (fail closed); an unknown path falls through to its 404. A partner
    organisation's key on a route made for partners is bounded by its organisation (the
    tenancy cut), not by the route's role: the reports are a manager's, or a partner's own."""
    if request.url_rule is None:
        return None
    entry = endpoint_of(request.endpoint)
    if entry is None or entry.role is None:
        return json_error(403, "this route declares no key role; no key may call it")
    key_role = key.role
    if key_may(key_role, entry.role) or (key.partner_organisation_id is not None and entry.partner):
        return None
    return json_error(
        403, f"this API key's role is {key_role!r}; this needs a {entry.role!r} key or above"
    )


def _rate_limited(key_id: int) -> Response | None:
    """At most LEADLINE_API_RATE_LIMIT requests per key and clock minute, counted in Redis."""
    limit = current_app.config.get("LEADLINE_API_RATE_LIMIT", 600)
    if not limit or limit <= 0:
        return None
    moment = now().timestamp()
    counter = f"leadline:api-rate:{key_id}:{int(moment // 60)}"
    try:
        pipe = redis().pipeline()
        pipe.incr(counter)
        pipe.expire(counter, 120)
        count = pipe.execute()[0]
    except RedisError:  # the limit protects the service; an outage of Redis must not stop it
        log.warning("rate limit not counted: Redis unavailable")
        return None
    g.rate_remaining = (limit, max(limit - count, 0))
    if count <= limit:
        return None
    response = json_error(429, f"more than {limit} requests this minute; slow down")
    response.headers["Retry-After"] = str(60 - int(moment % 60))
    return response


@bp.after_request
def rate_headers(response: Response) -> Response:
    if "rate_remaining" in g:
        limit, remaining = g.rate_remaining
        response.headers["X-RateLimit-Limit"] = str(limit)
        response.headers["X-RateLimit-Remaining"] = str(remaining)
    return response


# Bodies and errors -----------------------------------------------------------------------------


def bad_text(value: Any, path: str = "") -> str | None:
    """The path of the first string the database cannot store (NUL, lone surrogates)."""
    if isinstance(value, str):
        if "\x00" in value:
            return path
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return path
        return None
    if not isinstance(value, dict | list):
        return None
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for name, item in items:
        where = f"{path}.{name}" if path else str(name)
        if (found := bad_text(name, where) if isinstance(name, str) else None) is not None:
            return found
        if (found := bad_text(item, where)) is not None:
            return found
    return None


def checked(model: type[B], data: Any) -> B:
    if (path := bad_text(data)) is not None:
        raise ApiError(422, "invalid input", [(path, "contains a character that cannot be stored")])
    return model.model_validate(data)


def json_object(raw: bytes, what: str = "a JSON object") -> dict[str, Any]:
    """`raw` as a JSON object: 400 when it is not one, or nests deeper than bounds.MAX_DEPTH
    (parsed without recursing past it: never a RecursionError)."""
    try:
        data = loads(raw)
    except Unparseable as refused:
        if "nested" in str(refused):
            raise ApiError(400, f"the JSON body is {refused}") from None
        data = None
    if not isinstance(data, dict):
        raise ApiError(400, f"send {what} (Content-Type: application/json)")
    return data


def raw_body() -> dict[str, Any]:
    """The request's JSON body (400 when it is not a JSON object or nests too deep)."""
    return json_object(request.get_data(cache=True))


def body(model: type[B]) -> B:
    """The request's JSON body as `model` (400 when it is not a JSON object, 422 when invalid)."""
    return checked(model, raw_body())


def query(model: type[B]) -> B:
    """The query string as `model`; a parameter given twice is invalid."""
    data = {k: v[0] if len(v) == 1 else v for k, v in request.args.lists()}
    return checked(model, {k: v for k, v in data.items() if v != ""})


def check_id(value: int) -> int:
    """A URL id beyond the database's integers names nothing: 404, not an overflow."""
    if value > MAX_ID:
        raise ApiError(404, "not found")
    return value


def respond(model: BaseModel, status: int = 200) -> Response:
    response = jsonify(model.model_dump(mode="json"))
    response.status_code = status
    return response


def _path(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc)


def validation_fields(error: ValidationError) -> list[tuple[str, str]]:
    """Each refusal by path, in the caller's language where its Accept-Language asks for one."""
    return [
        (_path(e["loc"]) or "body", pydantic_message(e)) for e in error.errors(include_url=False)
    ]


def api_error_response(error: Exception) -> Response:
    """The JSON answer to any refusal the API knows (used by the webhook blueprint too)."""
    if isinstance(error, ValidationError):
        error = ApiError(422, "invalid input", validation_fields(error))
    elif isinstance(error, IntakeInvalid):
        error = ApiError(422, "the lead was refused; nothing was stored", error.errors)
    elif isinstance(error, UserError):  # MemberInvalid names every bad field
        fields = getattr(error, "errors", None) or [(error.field, str(error))]
        error = ApiError(422, str(error), fields)
    elif isinstance(error, IntegrityError):
        db.session.rollback()
        error = ApiError(409, "a concurrent request changed the same row; retry")
    assert isinstance(error, ApiError)
    fields = [{"path": path, "message": message} for path, message in error.fields]
    return json_error(error.status, error.message, fields)


for _kind in (ApiError, ValidationError, IntakeInvalid, UserError, IntegrityError):
    bp.register_error_handler(_kind, api_error_response)


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException) -> Response:
    return json_error(error.code or 500, error.description or error.name)
