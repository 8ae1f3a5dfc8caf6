"""A policy section as typed form fields: one field per setting, named by its document path.

Each field's label, help, unit and widget come from the policy model's metadata (see
settings.py): fixed lists are selects, lists of them multi-selects, durations a number and
a unit, booleans switches;
each validation error is shown beside the field whose path it names. Entries of the lists are
added and removed through entries.py (issue 16 item 1).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tenants.durations import Duration
from tenants.policy.common import label_for
from webapp import report_fields

from . import choices, settings
from .references import reference_options

# Keys whose value names a list entry, so a group reads "Timers / contact_sla", not "timers.0".
_NAMING_KEYS = ("name", "code", "key", "kind", "strategy", "rule", "condition")
DURATION_UNITS = (
    ("m", _l("minutes")),
    ("h", _l("hours")),
    ("d", _l("days")),
    ("w", _l("weeks")),
    ("s", _l("seconds")),
)
_WHOLE = re.compile(r"^\d+$")
UNIT_SUFFIX = ":unit"


@dataclass
class Field:
    path: str  # "timers.0.duration", the path validation errors name
    key: str  # "duration"
    value: Any
    kind: str  # how the form carries it: bool, tristate, list, multi, duration, scalar
    widget: str = "text"  # switch, tristate, select, multiselect, duration, number, text
    label: str = ""
    help: str = ""
    unit: str | None = None
    options: list[tuple[str, str]] = field(default_factory=list)
    optional: bool = False

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


def _walk(value: Any, path: str, key: str) -> Iterator[tuple[str, str, Any]]:
    if isinstance(value, Mapping):
        for child_key, child in value.items():
            yield from _walk(child, f"{path}.{child_key}", str(child_key))
    elif isinstance(value, list) and not _is_scalar_list(value):
        for index, child in enumerate(value):
            yield from _walk(child, f"{path}.{index}", str(index))
    else:
        yield path, key, value


def readable_code(code: str) -> str:
    """A code as words where the policy gives none: contact_sla -> 'Contact SLA'."""
    words = str(code).replace("_", " ").replace("-", " ").split()
    shown = [w.upper() if w.lower() in ("sla", "id", "mkt", "ae", "ctn") else w for w in words]
    text = " ".join(shown)
    return text[:1].upper() + text[1:]


def _key_label(document: dict[str, Any], path: str, key: str) -> str:
    setting = settings.resolve(document, path)
    if setting is not None:
        return _(setting.title)
    if key in choices.VALUE_WORDS:
        return choices.value_words(key)
    if key in report_fields.FIELD_LABELS:  # reporting.stage_statuses is keyed by report field
        return report_fields.field_label(key)
    return readable_code(key)


def group_label(document: dict[str, Any], group_path: str) -> str:
    """'Timers / Contact SLA' for timers.0 when that entry is named contact_sla."""
    parts, node, shown, walked = group_path.split("."), document, [], []
    for part in parts:
        node = node[int(part)] if isinstance(node, list) else node[part]
        walked.append(part)
        if part.isdigit() and isinstance(node, Mapping):
            shown.append(_entry_name(node) or f"#{int(part) + 1}")
        else:
            shown.append(_key_label(document, ".".join(walked), part))
    return " / ".join(shown)


def _entry_name(node: Mapping[str, Any]) -> str | None:
    """An entry as the policy names it to the reader: its own label in the reader's language
    ("Campaña de marketing digital"), else the words for its code."""
    labels = node.get("labels")
    readable = isinstance(labels, Mapping) and all(isinstance(v, str) for v in labels.values())
    if readable and (shown := label_for(dict(labels), str(get_locale() or "en"))):
        return shown
    naming = next((node[k] for k in _NAMING_KEYS if isinstance(node.get(k), str)), None)
    return _named(naming) if naming else None


def _named(code: str) -> str:
    return choices.value_words(code) if code in choices.VALUE_WORDS else readable_code(code)


def _describe(document: dict[str, Any], path: str, key: str, value: Any) -> Field:
    setting = settings.resolve(document, path)
    if setting is None:  # a weekday's hours, a label in one language: the key says it
        kind = "list" if isinstance(value, list) else "bool" if isinstance(value, bool) else ""
        widget = "switch" if kind == "bool" else "text"
        parent = settings.resolve(document, path.rsplit(".", 1)[0])
        return Field(
            path,
            key,
            value,
            kind or "scalar",
            widget,
            _key_label(document, path, key),
            _(parent.help) if parent and parent.help else "",
        )
    described = Field(
        path,
        key,
        value,
        "scalar",
        label=_(setting.title),
        help=_(setting.help) if setting.help else "",
        unit=_(setting.unit) if setting.unit else None,
    )
    _choose_widget(described, setting, document)
    return described


def _choose_widget(f: Field, setting: settings.Setting, document: dict[str, Any]) -> None:
    bare, f.optional = settings.strip(setting.annotation)
    item = settings.item_annotation(setting.annotation)
    references = reference_options(setting, document, f.value)
    if bare is bool:
        f.kind, f.widget = ("tristate", "tristate") if f.optional else ("bool", "switch")
    elif settings.is_duration(bare):
        f.kind, f.widget = "duration", "duration"
    elif values := settings.literal_values(bare):
        f.widget = "select"
        f.options = [(str(v), choices.value_words(v)) for v in values]
    elif item is not None and (values := settings.literal_values(item)):
        f.kind, f.widget = "multi", "multiselect"
        f.options = [(str(v), choices.value_words(v)) for v in values]
    elif references is not None:
        f.options = references
        f.kind, f.widget = ("multi", "multiselect") if item is not None else ("scalar", "select")
    elif isinstance(f.value, list):
        f.kind = "list"
    elif bare in (int, float) or isinstance(f.value, int | float):
        f.widget = "number"


def groups(document: dict[str, Any], section: str) -> list[Group]:
    """The section's settings, grouped by the object that holds them."""
    by_path: dict[str, Group] = {}
    for path, key, value in _walk(document.get(section), section, section):
        parent = path.rsplit(".", 1)[0] if "." in path else path
        if parent not in by_path:
            by_path[parent] = Group(parent, group_label(document, parent), [])
        by_path[parent].fields.append(_describe(document, path, key, value))
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


def _submitted(f: Field, form: Any) -> Any:
    """The value a field's inputs carry, as the policy reads it (text it converts itself)."""
    if f.kind == "bool":
        return f.path in form
    if f.kind == "tristate":
        return {"true": True, "false": False}.get(form.get(f.path, ""))
    if f.kind == "multi":
        return [v for v in form.getlist(f.path) if v]
    if f.kind == "list":
        raw = form.get(f.path, "")
        return [item.strip() for item in raw.split(",") if item.strip()]
    raw = form.get(f.path, "").strip()
    if f.kind == "duration":
        if raw == "" and f.optional:
            return None
        return f"{raw}{form.get(f.path + UNIT_SUFFIX, '')}"
    if raw == "" and (f.value is None or f.optional):
        return None
    return raw


def apply_form(document: dict[str, Any], section: str, form: Any) -> dict[str, Any]:
    """A copy of `document` with the section's values taken from submitted form data.

    Values go in as text; the policy's own validation converts and checks them, so a wrong
    value is reported by path like any other error.
    """
    updated = copy.deepcopy(document)
    for group in groups(document, section):
        for f in group.fields:
            _set(updated, f.path, _submitted(f, form))
    return updated


def input_errors(document: dict[str, Any], section: str, form: Any) -> list[tuple[str, str]]:
    """What the inputs themselves get wrong, in the reader's words (a duration's number)."""
    errors = []
    for group in groups(document, section):
        for f in group.fields:
            raw = form.get(f.path, "").strip()
            if f.kind == "duration" and not (raw == "" and f.optional):
                if not _WHOLE.match(raw) or int(raw) == 0:
                    errors.append((f.path, _("Enter a whole number greater than zero.")))
            elif f.widget == "number" and raw and not _is_number(raw):
                errors.append((f.path, _("Enter a number.")))
    return errors


def _is_number(raw: str) -> bool:
    try:
        float(raw)
    except ValueError:
        return False
    return True


def errors_by_field(
    errors: list[tuple[str, str]], document: dict[str, Any], section: str
) -> tuple[dict[str, list[str]], list[tuple[str, str]]]:
    """Split errors into those shown beside a field (by path) and the rest."""
    paths = {f.path for group in groups(document, section) for f in group.fields}
    beside: dict[str, list[str]] = {}
    elsewhere = []
    for path, message in errors:
        if path in paths:
            if message not in beside.get(path, []):
                beside.setdefault(path, []).append(message)
        else:
            elsewhere.append((path, message))
    return beside, elsewhere


@dataclass
class Shown:
    """What the inputs of one field show."""

    text: str = ""
    ticked: bool = False
    selected: set[str] = field(default_factory=set)
    unit: str = "m"


def _stored(f: Field) -> Shown:
    if f.kind == "duration" and f.value is not None:
        duration = Duration.parse(str(f.value))
        return Shown(text=str(duration.amount), unit=duration.unit)
    if f.kind == "multi":
        return Shown(selected={str(v) for v in f.value or []})
    if f.kind == "tristate":
        return Shown(selected={"" if f.value is None else str(f.value).lower()})
    if f.widget == "select":
        return Shown(text=f.text, selected={f.text})
    return Shown(text=f.text, ticked=f.kind == "bool" and bool(f.value))


def _resubmitted(f: Field, form: Any) -> Shown:
    text = form.get(f.path, "")
    if f.kind == "multi":
        return Shown(selected=set(form.getlist(f.path)))
    return Shown(
        text=text,
        ticked=f.kind == "bool" and f.path in form,
        selected={text},
        unit=form.get(f.path + UNIT_SUFFIX, "m"),
    )


def displayed(setting_groups: list[Group], submitted: Any | None) -> dict[str, Shown]:
    """What each field shows: what was submitted (to correct it), else the stored value."""
    all_fields = [f for group in setting_groups for f in group.fields]
    if submitted is None:
        return {f.path: _stored(f) for f in all_fields}
    return {f.path: _resubmitted(f, submitted) for f in all_fields}
