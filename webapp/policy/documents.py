"""Policy documents as people edit them: YAML text in, validated document or errors by path out."""

from __future__ import annotations

import difflib
from typing import Any

import yaml

from tenants import PolicyInvalid, load_policy

MAX_DOCUMENT_BYTES = 256 * 1024


class DocumentErrors(ValueError):
    """The text is not a valid policy; `errors` lists (path, message) pairs."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{p}: {m}" for p, m in errors))
        self.errors = errors


def to_yaml(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def parse_yaml(text: str, *, path: str = "") -> Any:
    """YAML text to data; a syntax error is reported at `path` with its line."""
    if len(text.encode()) > MAX_DOCUMENT_BYTES:
        raise DocumentErrors([(path, f"larger than {MAX_DOCUMENT_BYTES // 1024} KiB")])
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise DocumentErrors([(path, f"not valid YAML{where}: {problem}")]) from None


def validate(document: Any) -> dict[str, Any]:
    """The canonical form of `document`, or DocumentErrors listing every problem by path."""
    try:
        return load_policy(document).dump()
    except PolicyInvalid as exc:
        raise DocumentErrors(exc.errors) from None


def with_section(document: dict[str, Any], section: str, section_text: str) -> dict[str, Any]:
    """`document` with `section` replaced by the YAML in `section_text`."""
    updated = dict(document)
    value = parse_yaml(section_text, path=section)
    if value is None:
        updated.pop(section, None)
    else:
        updated[section] = value
    return updated


def side_by_side(old: dict[str, Any], new: dict[str, Any], old_label: str, new_label: str) -> str:
    """An HTML table showing the two documents' YAML side by side, changes highlighted."""
    return difflib.HtmlDiff(wrapcolumn=70).make_table(
        to_yaml(old).splitlines(),
        to_yaml(new).splitlines(),
        old_label,
        new_label,
        context=True,
        numlines=3,
    )
