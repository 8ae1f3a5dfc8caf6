"""Turn pydantic validation errors into (path, message) pairs that name document paths."""

from typing import Any

from pydantic import ValidationError

from tenants.errors import Refusal
from tenants.markers import N_


def _document_path(loc: tuple[Any, ...], data: Any) -> str:
    """Follow loc through the input, dropping the union-tag parts pydantic inserts."""
    parts: list[str] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and part not in node and _is_tag(part, node):
            continue
        parts.append(str(part))
        node = _child(node, part)
    return ".".join(parts)


def _child(node: Any, part: Any) -> Any:
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return None


def _is_tag(part: Any, node: dict) -> bool:
    """A discriminator value: it equals one of the node's own string values (kind, rule...)."""
    return isinstance(part, str) and part in {v for v in node.values() if isinstance(v, str)}


def _message(error: Any) -> Refusal:
    """The error's English text as a Refusal: the engine's own (raised as ValueError(Refusal)),
    the union and key refusals worded here, or pydantic's with its type code and ctx."""
    ctx = error.get("ctx") or {}
    raised = ctx.get("error")
    if isinstance(raised, ValueError) and raised.args and isinstance(raised.args[0], Refusal):
        return raised.args[0]
    if error["type"] == "union_tag_invalid":
        field = ctx["discriminator"].strip("'")
        return Refusal(
            N_("unknown %(field)s %(tag)r; allowed: %(expected_tags)s"),
            field=field,
            tag=ctx["tag"],
            expected_tags=ctx["expected_tags"],
        )
    if error["type"] == "union_tag_not_found":
        return Refusal(N_("missing %(discriminator)s"), discriminator=ctx["discriminator"])
    if error["type"] == "extra_forbidden":
        return Refusal(N_("unknown setting"))
    text = error["msg"].removeprefix("Value error, ")
    return Refusal.of_pydantic(error["type"], {k: v for k, v in ctx.items() if k != "error"}, text)


def error_pairs(exc: ValidationError, data: Any) -> list[tuple[str, str]]:
    """Every error of `exc` as (dotted path, message)."""
    return [(_document_path(e["loc"], data), _message(e)) for e in exc.errors()]
