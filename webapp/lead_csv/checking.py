"""The dry run: every row validated against the workspace policy, nothing written."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tenants import Policy
from webapp.models import Workspace
from webapp.operations import intake

from .mapping import to_request
from .parsing import Row, Table

PREVIEW_ROWS = 20
WIDTH = "row"  # the `field` of an error about the line's number of values


def row_error(line: int, field_name: str, message: str, **details: Any) -> dict[str, Any]:
    """One bad row's problem as stored and shown: {line, field, message, ...}."""
    return {"line": line, "field": field_name, "message": message, **details}


def width_error(row: Row, table: Table) -> dict[str, Any] | None:
    if row.width == len(table.header):
        return None
    return row_error(row.line, WIDTH, "", width=row.width, columns=len(table.header))


@dataclass
class PreviewRow:
    line: int
    values: tuple[str, ...]
    errors: list[dict[str, Any]]


@dataclass
class DryRun:
    rows: int = 0
    good: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    preview: list[PreviewRow] = field(default_factory=list)

    @property
    def bad(self) -> int:
        return self.rows - self.good


def check_row(
    workspace: Workspace, policy: Policy, table: Table, row: Row, mapping: dict[str, str]
) -> list[dict[str, Any]]:
    """What is wrong with one row; empty when the intake would take it."""
    if (wrong_width := width_error(row, table)) is not None:
        return [wrong_width]
    request = to_request(row, table.header, mapping)
    return [
        row_error(row.line, name, message)
        for name, message in intake.validate(workspace, policy, request)
    ]


def dry_run(workspace: Workspace, policy: Policy, table: Table, mapping: dict[str, str]) -> DryRun:
    """Validate every row under `mapping`; the first rows are kept for the preview."""
    result = DryRun(rows=len(table.rows))
    for index, row in enumerate(table.rows):
        errors = check_row(workspace, policy, table, row, mapping)
        result.errors += errors
        result.good += not errors
        if index < PREVIEW_ROWS:
            result.preview.append(PreviewRow(row.line, row.values, errors))
    return result
