"""The OpenAPI document as JSON, and the same document as a readable page (no external JS)."""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from flask import Blueprint, jsonify
from werkzeug.wrappers import Response

from webapp.rendering import render

from .blueprint import endpoint
from .openapi import document

bp = Blueprint("api_docs", __name__, url_prefix="/api")


class FieldRow(NamedTuple):
    name: str
    type: str
    required: bool
    notes: str


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref", "")
    return document()["components"]["schemas"][ref.rsplit("/", 1)[-1]] if ref else schema


def type_of(schema: dict[str, Any]) -> str:
    """A schema's type in a few words: `string | null`, `array of Deadline`."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " | ".join(type_of(s) for s in schema["anyOf"])
    if "enum" in schema:
        return "one of " + ", ".join(json.dumps(v) for v in schema["enum"])
    if "const" in schema:
        return json.dumps(schema["const"])
    if schema.get("type") == "array":
        return f"array of {type_of(schema.get('items', {}))}"
    kind = schema.get("type", "any")
    return f"{kind} ({schema['format']})" if "format" in schema else str(kind)


def _notes(schema: dict[str, Any]) -> str:
    limits = [
        f"{label} {schema[key]}"
        for key, label in (
            ("minLength", "min length"),
            ("maxLength", "max length"),
            ("minimum", "≥"),
            ("maximum", "≤"),
            ("maxItems", "max items"),
            ("default", "default"),
        )
        if key in schema and schema[key] is not None
    ]
    for option in schema.get("anyOf", ()):
        limits += [n for n in [_notes(option)] if n]
    return "; ".join(filter(None, [schema.get("description", ""), *limits]))


def fields_of(schema: dict[str, Any]) -> list[FieldRow]:
    """The properties of an object schema as rows of a table."""
    schema = _resolve(schema)
    required = set(schema.get("required", ()))
    return [
        FieldRow(name, type_of(prop), name in required, _notes(prop))
        for name, prop in schema.get("properties", {}).items()
    ]


def schema_name(schema: dict[str, Any]) -> str:
    return type_of(schema)


@endpoint(
    "GET",
    "/v1/openapi.json",
    blueprint=bp,
    summary="This API's OpenAPI document",
    responses={200: None},
    public=True,
    tags=("documentation",),
)
def openapi_json() -> Response:
    """The OpenAPI 3.1 document of every endpoint, as the docs page shows it."""
    return jsonify(document())


@bp.get("/docs")
def docs() -> Response:
    """The API's documentation page, rendered from the OpenAPI document."""
    spec = document()
    used = {
        ref["$ref"].rsplit("/", 1)[-1]
        for path in spec["paths"].values()
        for op in path.values()
        for ref in _refs(op)
    }
    return render(
        "api/docs.html",
        spec=spec,
        fields_of=fields_of,
        schema_name=schema_name,
        type_of=type_of,
        models=sorted(used | _nested(used)),
        dumps=lambda value: json.dumps(value, indent=2, ensure_ascii=False),
    )


def _refs(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        own = [value] if "$ref" in value else []
        return own + [r for v in value.values() for r in _refs(v)]
    if isinstance(value, list):
        return [r for v in value for r in _refs(v)]
    return []


def _nested(names: set[str]) -> set[str]:
    schemas, found, todo = document()["components"]["schemas"], set(), list(names)
    while todo:
        for ref in _refs(schemas.get(todo.pop(), {})):
            name = ref["$ref"].rsplit("/", 1)[-1]
            if name not in found and name not in names:
                found.add(name)
                todo.append(name)
    return found
