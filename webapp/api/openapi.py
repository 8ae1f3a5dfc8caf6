"""The OpenAPI 3.1 document of the whole API, generated from the routes' pydantic models."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from webapp.operations.api_keys import KEY_ROLES, roles_at_least

from .blueprint import ENDPOINTS, Endpoint
from .schemas import ErrorOut

REF = "#/components/schemas/{model}"
ERRORS = {
    400: "Malformed request: the body is not a JSON object, or nests more than 20 levels.",
    401: "No API key, an unknown or revoked one, or (webhooks) a missing, wrong or stale "
    "signature or an unknown source (the same answer).",
    403: "The key's role may not do this: see the operation's `x-required-role`.",
    404: "Nothing with this id in the key's workspace (another workspace's row included).",
    409: "A concurrent request changed the same row (retry), the lead's state refuses the"
    " change (an outcome its callback already has, a gate that blocks the offer), or (webhooks)"
    " a replay of a request already delivered.",
    413: "The body is larger than the API accepts (1 MiB).",
    422: "Invalid input: `fields` names each path at fault; nothing was stored.",
    429: "Too many requests for this key this minute; see Retry-After.",
    503: "Replayed requests cannot be told apart just now (Redis is unavailable); retry.",
}
SUCCESS = {200: "OK", 201: "Created"}
_ARGUMENT = re.compile(r"<(?:(\w+):)?(\w+)>")


def _models() -> list[tuple[type[BaseModel], str]]:
    pairs = {(ErrorOut, "serialization")}
    for e in ENDPOINTS:
        pairs |= {(m, "validation") for m in (e.body, e.query) if m is not None}
        pairs |= {(m, "serialization") for m in e.responses.values() if m is not None}
    return sorted(pairs, key=lambda pair: (pair[0].__name__, pair[1]))


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _path_parameters(rule: str) -> tuple[str, list[dict[str, Any]]]:
    parameters = []
    for converter, name in _ARGUMENT.findall(rule):
        schema = {"type": "integer", "minimum": 1} if converter == "int" else {"type": "string"}
        parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
    return _ARGUMENT.sub(r"{\2}", rule), parameters


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(ref_template=REF)
    required = set(schema.get("required", ()))
    return [
        {
            "name": name,
            "in": "query",
            "required": name in required,
            "schema": {k: v for k, v in prop.items() if k not in {"title", "description"}},
            **({"description": prop["description"]} if "description" in prop else {}),
        }
        for name, prop in schema["properties"].items()
    ]


def _operation(e: Endpoint, refs: dict, parameters: list[dict[str, Any]]) -> dict[str, Any]:
    summary, _, rest = (e.description or e.summary).partition("\n")
    description = " ".join(line.strip() for line in (summary + "\n" + rest).split())
    operation: dict[str, Any] = {
        "operationId": re.sub(r"\W+", "_", f"{e.method} {e.rule}").strip("_").lower(),
        "summary": e.summary,
        "description": description,
        "tags": list(e.tags),
        "parameters": parameters
        + [
            {
                "name": n,
                "in": "header",
                "required": e.public and n.startswith("X-"),
                "description": d,
                "schema": {"type": "string", "maxLength": 100},
            }
            for n, d in e.headers
        ]
        + (_query_parameters(e.query) if e.query else []),
        "responses": {},
    }
    if e.public:
        operation["security"] = []
    else:
        # The roles that may call it, as OpenAPI 3.1 allows for any scheme, and the least one.
        allowed = roles_at_least(e.role)
        operation["security"] = [{"bearer": allowed}]
        operation["x-required-role"] = e.role
        if e.role != KEY_ROLES[0]:
            operation["description"] += (
                f" Needs an API key with the `{e.role}` role or above ({', '.join(allowed)})."
            )
    if e.partner:
        operation["x-partner-keys"] = True
        operation["description"] += (
            " A partner organisation's key may call it, for that organisation's leads only."
        )
    if e.body is not None:
        schema = refs[(e.body, "validation")]
        examples = e.body.model_config.get("json_schema_extra", {}) or {}
        content = _json(schema)
        if examples.get("examples"):
            content["application/json"]["example"] = examples["examples"][0]
        operation["requestBody"] = {"required": True, "content": content}
    for status, model in sorted(e.responses.items()):
        schema = refs[(model, "serialization")] if model else {"type": "object"}
        if e.media_type != "application/json":
            content = {e.media_type: {"schema": {"type": "string"}}}
        else:
            content = _json(schema)
        operation["responses"][str(status)] = {
            "description": SUCCESS.get(status, "OK"),
            "content": content,
        }
    errors = set(e.errors) | ({403} if not e.public and e.role != KEY_ROLES[0] else set())
    errors |= {413} if e.body is not None else set()
    for status in sorted(errors):
        response = {
            "description": ERRORS[status],
            "content": _json(refs[(ErrorOut, "serialization")]),
        }
        if status == 429:
            response["headers"] = {"Retry-After": {"schema": {"type": "integer"}}}
        operation["responses"][str(status)] = response
    return operation


@lru_cache(maxsize=1)
def document() -> dict[str, Any]:
    """The OpenAPI 3.1 document (built once: the routes do not change while the app runs)."""
    refs, definitions = models_json_schema(_models(), ref_template=REF)
    paths: dict[str, dict[str, Any]] = {}
    for e in sorted(ENDPOINTS, key=lambda e: (e.rule, e.method)):
        path, parameters = _path_parameters(e.rule)
        paths.setdefault(path, {})[e.method.lower()] = _operation(e, refs, parameters)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Leadline API",
            "version": "1",
            "description": (
                "Leads, accounts and the policy of one workspace, for other systems. "
                "Authenticate with `Authorization: Bearer <API key>` (Settings → API keys, or "
                "`leadline api-key create --role`). A key has a role, "
                + ", ".join(f"`{role}`" for role in KEY_ROLES)
                + ", each allowed what the ones before it are; every operation names the least "
                "it needs in `x-required-role` (and lists the roles allowed in its `security`); "
                "a key below it gets a 403. Every error is "
                '`{"error": {"code", "message", "fields": [{"path", "message"}]}}`.'
            ),
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "schemas": definitions.get("$defs", {}),
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "A workspace API key"}
            },
        },
    }
