"""The differences between two policy versions in the words of the form:
'Timers / Contact SLA / Duration: 10 minutes → 15 minutes', not characters of YAML."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import fields, words

_MISSING = object()


@dataclass(frozen=True)
class Change:
    setting: str  # 'Timers / Contact SLA / Duration'
    before: str | None  # None: added
    after: str | None  # None: removed


def _leaves(document: dict[str, Any]) -> dict[str, fields.Field]:
    """Every setting of the document by path, described as the form describes it."""
    found: dict[str, fields.Field] = {}
    for section in document:
        if section == "format_version":
            continue
        value = document[section]
        if not isinstance(value, dict | list) or fields._is_scalar_list(value):
            described = fields._describe(document, section, section, value)
            found[section] = described
            continue
        for group in fields.groups(document, section):
            for f in group.fields:
                found[f.path] = f
    return found


def _where(document: dict[str, Any], f: fields.Field) -> str:
    parent = f.path.rsplit(".", 1)[0] if "." in f.path else ""
    return f"{fields.group_label(document, parent)} / {f.label}" if parent else f.label


def _shown(f: fields.Field) -> str:
    return words.value(f.widget, f.kind, f.value, f.options)


def changes(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """What changed from `old` to `new`, setting by setting, in document order."""
    before, after = _leaves(old), _leaves(new)
    listed: list[Change] = []
    for path in [*after, *(p for p in before if p not in after)]:
        was, now = before.get(path), after.get(path)
        if was is not None and now is not None:
            if was.value != now.value:
                listed.append(Change(_where(new, now), _shown(was), _shown(now)))
        elif now is not None:
            listed.append(Change(_where(new, now), None, _shown(now)))
        elif was is not None:
            listed.append(Change(_where(old, was), _shown(was), None))
    return listed
