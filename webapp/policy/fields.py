"""A policy section as typed form fields: one field per setting, named by its document path.

Structure (adding or removing list entries) is edited as YAML; values are edited here, and
each validation error is shown beside the field whose path it names.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

# Keys whose value names a list entry, so a group reads "timers / contact_sla", not "timers.0".
_NAMING_KEYS = ("name", "code", "key", "kind", "strategy", "rule", "condition")


@dataclass(frozen=True)
class Field:
    path: str  # "timers.0.duration", the path validation errors name
    key: str  # "duration"
    value: Any
    kind: str  # "bool", "list" (of scalars) or "scalar"

    @property
    def dom_id(self) -> str:
        return "f-" + self.path.replace(".", "-")

    @property
    def text(self) -> str:
        if self.kind == "list":
            return ", ".join(str(item) for item in self.value)
        return "" if self.value is None else str(self.value)


@dataclass
class Group:
    path: str
    label: str
    fields: list[Field]


def _is_scalar_list(value: Any) -> bool:
    return isinstance(value, list) and all(not isinstance(v, dict | list) for v in value)


def _walk(value: Any, path: str, key: str) -> Iterator[Field]:
    if isinstance(value, Mapping):
        for child_key, child in value.items():
            yield from _walk(child, f"{path}.{child_key}", str(child_key))
    elif isinstance(value, list) and not _is_scalar_list(value):
        for index, child in enumerate(value):
            yield from _walk(child, f"{path}.{index}", str(index))
    elif isinstance(value, bool):
        yield Field(path, key, value, "bool")
    elif isinstance(value, list):
        yield Field(path, key, value, "list")
    else:
        yield Field(path, key, value, "scalar")


def _label(document: dict[str, Any], group_path: str) -> str:
    """'timers / contact_sla' for timers.0 when that entry has a name."""
    parts, node, shown = group_path.split("."), document, []
    for part in parts:
        node = node[int(part)] if isinstance(node, list) else node[part]
        if part.isdigit() and isinstance(node, Mapping):
            naming = next((node[k] for k in _NAMING_KEYS if isinstance(node.get(k), str)), None)
            shown.append(naming or f"#{int(part) + 1}")
        else:
            shown.append(part)
    return " / ".join(shown)


def groups(document: dict[str, Any], section: str) -> list[Group]:
    """The section's settings, grouped by the object that holds them."""
    by_path: dict[str, Group] = {}
    for field in _walk(document.get(section), section, section):
        parent = field.path.rsplit(".", 1)[0] if "." in field.path else field.path
        if parent not in by_path:
            by_path[parent] = Group(parent, _label(document, parent), [])
        by_path[parent].fields.append(field)
    return list(by_path.values())


def _set(document: Any, path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node = document
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


def apply_form(document: dict[str, Any], section: str, form: Mapping[str, str]) -> dict[str, Any]:
    """A copy of `document` with the section's values taken from submitted form data.

    Values go in as text; the policy's own validation converts and checks them, so a wrong
    value is reported by path like any other error.
    """
    updated = copy.deepcopy(document)
    for group in groups(document, section):
        for field in group.fields:
            if field.kind == "bool":
                value: Any = field.path in form
            elif field.kind == "list":
                raw = form.get(field.path, "")
                value = [item.strip() for item in raw.split(",") if item.strip()]
            else:
                raw = form.get(field.path, "").strip()
                value = None if raw == "" and field.value is None else raw
            _set(updated, field.path, value)
    return updated


def errors_by_field(
    errors: list[tuple[str, str]], document: dict[str, Any], section: str
) -> tuple[dict[str, list[str]], list[tuple[str, str]]]:
    """Split errors into those shown beside a field (by path) and the rest."""
    paths = {field.path for group in groups(document, section) for field in group.fields}
    beside: dict[str, list[str]] = {}
    elsewhere = []
    for path, message in errors:
        if path in paths:
            beside.setdefault(path, []).append(message)
        else:
            elsewhere.append((path, message))
    return beside, elsewhere


def displayed(
    setting_groups: list[Group], submitted: Mapping[str, str] | None
) -> tuple[dict[str, str], set[str]]:
    """What each field shows: what was submitted (to correct it), else the stored value."""
    all_fields = [field for group in setting_groups for field in group.fields]
    if submitted is None:
        shown = {f.path: f.text for f in all_fields}
        ticked = {f.path for f in all_fields if f.kind == "bool" and f.value}
    else:
        shown = {f.path: submitted.get(f.path, "") for f in all_fields}
        ticked = {f.path for f in all_fields if f.kind == "bool" and f.path in submitted}
    return shown, ticked
