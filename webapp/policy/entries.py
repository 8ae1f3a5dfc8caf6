"""The lists of entries of a policy section (issue 16 item 1): which they are, a new entry's
fields with the schema's defaults, and the document with an entry added or removed.

A list of entries is a setting whose type is a list of policy models (IntakeSettings.statuses,
OutcomeSettings.codes, Policy.timers...), read from the model's metadata as the form is.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from pydantic import BaseModel, TypeAdapter

from tenants.markers import N_

from . import fields, settings

# How each kind of entry is named on its "Add" button; any other reads "Add an entry".
ADD_WORDS = {
    "Outcome": N_("Add an outcome"),
    "Status": N_("Add a status"),
    "Source": N_("Add a lead source"),
    "Timer": N_("Add a timer"),
    "NotificationRule": N_("Add a notification rule"),
    "Announcement": N_("Add an announcement"),
    "LeadType": N_("Add a lead type"),
    "LeadField": N_("Add a lead field"),
    "IntakeChannel": N_("Add an intake channel"),
    "Gate": N_("Add a gate"),
    "Counter": N_("Add a counter"),
    "AnswerSet": N_("Add an answer set"),
    "AccountFact": N_("Add an account fact"),
    "HolidaySource": N_("Add a holiday source"),
    "LoggedChannel": N_("Add a contact channel"),
}
_CODE_KEYS = ("code", "name")


@dataclass
class EntryList:
    path: str  # "intake.statuses"
    label: str
    model: type[BaseModel] | None  # None: a list of several kinds (added as YAML)
    size: int

    @property
    def add_words(self) -> str:
        words = ADD_WORDS.get(self.model.__name__) if self.model else None
        return _(words) if words else _("Add an entry")

    @property
    def slug(self) -> str:
        return self.path.replace(".", "-")


def _list_setting(document: dict[str, Any], path: str) -> settings.Setting | None:
    setting = settings.resolve(document, path)
    if setting is None:
        return None
    item = settings.item_annotation(setting.annotation)
    return setting if item is not None and settings._models(item) else None


def lists(document: dict[str, Any], section: str) -> list[EntryList]:
    """The section's lists of entries (not those inside an entry), in document order."""
    found: list[EntryList] = []
    node = document.get(section)
    candidates = [section] if isinstance(node, list) else []
    if isinstance(node, dict):
        candidates = [f"{section}.{key}" for key in node]
    for path in candidates:
        setting = _list_setting(document, path)
        if setting is None:
            continue
        models = settings._models(settings.item_annotation(setting.annotation))
        value = _get(document, path) or []
        found.append(
            EntryList(path, _(setting.title), models[0] if len(models) == 1 else None, len(value))
        )
    return found


def find(document: dict[str, Any], section: str, path: str) -> EntryList | None:
    return next((e for e in lists(document, section) if e.path == path), None)


def _get(document: Any, path: str) -> Any:
    node = document
    for part in path.split("."):
        if isinstance(node, list):
            node = node[int(part)] if part.isdigit() and int(part) < len(node) else None
        elif isinstance(node, dict):
            node = node.get(part)
        else:
            return None
    return node


def _dumped(info: Any) -> Any:
    value = info.get_default(call_default_factory=True)
    try:
        return TypeAdapter(info.annotation).dump_python(value, mode="json")
    except Exception:  # a default the adapter cannot spell: its text
        return value if value is None or isinstance(value, bool | int | float) else str(value)


def _locales(document: dict[str, Any], path: str, reader: str) -> list[str]:
    """The languages the list's labels are written in, the reader's first."""
    seen = [reader]
    for entry in _get(document, path) or []:
        for code in (entry.get("labels") or {}) if isinstance(entry, dict) else ():
            if code not in seen:
                seen.append(code)
    return seen


def blank(document: dict[str, Any], entries: EntryList, reader: str) -> dict[str, Any]:
    """A new entry: the schema's defaults; what has none starts empty."""
    assert entries.model is not None
    entry: dict[str, Any] = {}
    for name, info in entries.model.model_fields.items():
        bare, _optional = settings.strip(info.annotation)
        if name == "labels":
            entry[name] = dict.fromkeys(_locales(document, entries.path, reader), "")
        elif not info.is_required():
            entry[name] = _dumped(info)
        elif settings.is_duration(bare):
            entry[name] = None  # the form asks for its number and unit
        elif values := settings.literal_values(bare):
            entry[name] = values[0]
        elif bare is bool:
            entry[name] = False
        elif settings.item_annotation(info.annotation) is not None:
            entry[name] = []
        else:
            entry[name] = ""
    return entry


def with_entry(document: dict[str, Any], path: str, entry: dict[str, Any]) -> dict[str, Any]:
    updated = copy.deepcopy(document)
    *parents, last = path.split(".")
    holder = _get(updated, ".".join(parents)) if parents else updated
    holder.setdefault(last, [])
    if holder[last] is None:
        holder[last] = []
    holder[last].append(entry)
    return updated


def without_entry(document: dict[str, Any], path: str, index: int) -> dict[str, Any]:
    updated = copy.deepcopy(document)
    del _get(updated, path)[index]
    return updated


def _is_entry_list(document: dict[str, Any], path: str) -> bool:
    return _list_setting(document, path) is not None


def new_fields(document: dict[str, Any], section: str, path: str) -> list[fields.Field]:
    """The fields of the last entry of `path` in `document` (the new one), as the form shows
    them; its own lists of entries (an outcome's effects) are left to YAML."""
    size = len(_get(document, path))
    prefix = f"{path}.{size - 1}."
    shown = []
    for group in fields.groups(document, section):
        for f in group.fields:
            if not f.path.startswith(prefix):
                continue
            rest = f.path[len(prefix) :]
            if "." not in rest and _is_entry_list(document, f.path):
                continue
            if rest.startswith("labels."):
                f.label = _("Label (%(language)s)", language=f.label)
            shown.append(f)
    return shown


def code_from(label: str) -> str:
    """A code for a label: 'Cita agendada' -> 'cita_agendada' (empty when nothing is left)."""
    ascii_text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    code = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")[:64]
    return code if code[:1].isalpha() else ""


def submitted(
    document: dict[str, Any], section: str, path: str, form: Any, reader: str
) -> dict[str, Any]:
    """The document with the new entry as submitted: empty labels left out, a code derived
    from the label when none was given, unset optional settings left to their default."""
    updated = copy.deepcopy(document)
    for f in new_fields(document, section, path):
        fields._set(updated, f.path, fields._submitted(f, form))
    entry = _get(updated, path)[-1]
    labels = entry.get("labels")
    if isinstance(labels, dict):
        entry["labels"] = {k: v.strip() for k, v in labels.items() if (v or "").strip()}
        words = entry["labels"].get(reader) or next(iter(entry["labels"].values()), "")
        for key in _CODE_KEYS:
            if key in entry and not entry[key] and words:
                entry[key] = code_from(words)
    for key in [k for k, v in entry.items() if v is None]:
        del entry[key]
    return updated


def named(document: dict[str, Any], path: str, index: int) -> str:
    """An entry as the form names it: 'Statuses / Contacted'."""
    return fields.group_label(document, f"{path}.{index}")
