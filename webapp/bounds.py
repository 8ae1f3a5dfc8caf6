"""Bounds on what a caller may send: how deep a JSON or YAML document may nest, and JSON
parsed within them (no RecursionError, no NaN or Infinity, which JSON does not have)."""

from __future__ import annotations

import json
from typing import Any

# A policy document nests 7 levels deep, a lead body 2: 20 leaves room and refuses the
# thousand-level documents that would exhaust the interpreter's stack.
MAX_DEPTH = 20


class Unparseable(ValueError):
    """The body is not JSON, or nests deeper than MAX_DEPTH (the message says which)."""


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether `value` nests lists and mappings more than `limit` levels (iteratively)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def loads(raw: bytes | str) -> Any:
    """The JSON document in `raw`; Unparseable when it is not JSON or nests too deep."""
    try:
        value = json.loads(raw, parse_constant=_no_constant)
    except RecursionError:
        raise Unparseable(f"nested deeper than {MAX_DEPTH} levels") from None
    except (ValueError, UnicodeDecodeError):
        raise Unparseable("not JSON") from None
    if too_deep(value):
        raise Unparseable(f"nested deeper than {MAX_DEPTH} levels")
    return value
