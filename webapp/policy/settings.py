"""Which pydantic field of the policy model a document path names, and what it holds.

The form, the section summaries and the diff all read a setting's label, help, unit and
type from the model's own metadata (tenants/policy: `Field(title=..., description=...)`),
so there is no second list of settings to keep in step with it.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from tenants.durations import Duration
from tenants.policy.document import Policy


@dataclass(frozen=True)
class Setting:
    """One field of one policy model, as it occurs at a document path."""

    model: type[BaseModel]
    name: str
    info: FieldInfo

    @property
    def key(self) -> str:
        return f"{self.model.__name__}.{self.name}"

    @property
    def title(self) -> str:
        return self.info.title or self.name

    @property
    def help(self) -> str:
        return self.info.description or ""

    @property
    def unit(self) -> str | None:
        extra = self.info.json_schema_extra
        return extra.get("unit") if isinstance(extra, dict) else None  # type: ignore[return-value]

    @property
    def annotation(self) -> Any:
        return self.info.annotation


def strip(annotation: Any) -> tuple[Any, bool]:
    """The annotation without Annotated and None; whether None was allowed."""
    optional = False
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            optional = optional or len(args) < len(typing.get_args(annotation))
            if len(args) != 1:
                return typing.Union[tuple(args)], optional  # noqa: UP007 (a union of models)
            annotation = args[0]
        else:
            return annotation, optional


def literal_values(annotation: Any) -> tuple[Any, ...]:
    """The values a Literal allows (through Annotated / Optional), else ()."""
    bare, _ = strip(annotation)
    return typing.get_args(bare) if typing.get_origin(bare) is typing.Literal else ()


def item_annotation(annotation: Any) -> Any | None:
    """The item type of a list annotation, else None."""
    bare, _ = strip(annotation)
    return typing.get_args(bare)[0] if typing.get_origin(bare) is list else None


def is_duration(annotation: Any) -> bool:
    return strip(annotation)[0] is Duration


def _models(annotation: Any) -> list[type[BaseModel]]:
    bare, _ = strip(annotation)
    if isinstance(bare, type) and issubclass(bare, BaseModel):
        return [bare]
    return [a for a in typing.get_args(bare) if isinstance(a, type) and issubclass(a, BaseModel)]


def _pick_model(annotation: Any, node: Any) -> type[BaseModel] | None:
    """The model a mapping is validated as: the union member its discriminator names."""
    candidates = _models(annotation)
    if len(candidates) <= 1:
        return candidates[0] if candidates else None
    for model in candidates:
        for name, field in model.model_fields.items():
            values = literal_values(field.annotation)
            if len(values) == 1 and isinstance(node, dict) and node.get(name) == values[0]:
                return model
    return None


def _inner(annotation: Any) -> Any:
    bare, _ = strip(annotation)
    origin = typing.get_origin(bare)
    if origin is list:
        return typing.get_args(bare)[0]
    if origin is dict:
        return typing.get_args(bare)[1]
    return None


def resolve(document: dict[str, Any], path: str) -> Setting | None:
    """The setting a dotted document path ends on (`timers.0.duration` -> Timer.duration)."""
    model: type[BaseModel] | None = Policy
    annotation: Any = None
    node: Any = document
    setting = None
    for part in path.split("."):
        if model is not None:
            info = model.model_fields.get(part)
            if info is None:
                return None
            setting = Setting(model, part, info)
            annotation, model = info.annotation, None
        else:
            annotation = _inner(annotation)
            if annotation is None:
                return None
            setting = None
        node = _child(node, part)
        # A mapping keyed by name (records.kinds) holds models; it is not one itself.
        if isinstance(node, dict) and typing.get_origin(strip(annotation)[0]) is not dict:
            model = _pick_model(annotation, node)
    return setting


def _child(node: Any, part: str) -> Any:
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list) and part.isdigit() and int(part) < len(node):
        return node[int(part)]
    return None


def every_setting() -> list[Setting]:
    """Every (model, field) of the policy document, each once."""
    seen: dict[str, Setting] = {}
    queue: list[type[BaseModel]] = [Policy]
    while queue:
        model = queue.pop(0)
        for name, info in model.model_fields.items():
            setting = Setting(model, name, info)
            if setting.key in seen:
                continue
            seen[setting.key] = setting
            queue += _nested_models(info.annotation)
    return list(seen.values())


def _nested_models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        found += _nested_models(arg)
    return found
