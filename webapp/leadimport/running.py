"""The import job's work: every row through the intake operation, each in its own transaction.

A row's idempotency key is the file's sha256 and the row's line, so a second run of the same
file (or of the same job) finds the leads the first one stored instead of adding duplicates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import g

from webapp.extensions import db
from webapp.models import LeadImport, User, Workspace
from webapp.operations import intake, lead_imports
from webapp.operations.users import UserError

from .checking import row_error, width_error
from .mapping import to_request
from .parsing import Row, Table, parse

# Progress (and the counts so far) is committed every this many rows.
PROGRESS_EVERY = 50
# Row errors kept with the result; the failed count still counts every bad row.
ERRORS_KEPT = 1000


@dataclass
class Tally:
    imported: int = 0
    skipped: int = 0
    failed: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def done(self) -> int:
        return self.imported + self.skipped + self.failed

    def fail(self, errors: list[dict[str, Any]]) -> None:
        self.failed += 1
        self.errors += errors[: max(0, ERRORS_KEPT - len(self.errors))]


def idempotency_key(sha256: str, line: int) -> str:
    return f"import:{sha256}:{line}"


def _import_row(job: _Job, row: Row, tally: Tally) -> None:
    if (wrong_width := width_error(row, job.table)) is not None:
        tally.fail([wrong_width])
        return
    request = to_request(row, job.table.header, job.mapping)
    workspace = db.session.get(Workspace, job.workspace_id)
    actor = db.session.get(User, job.actor_id) if job.actor_id else None
    try:
        result = intake.receive_lead(
            workspace, request, actor=actor, idempotency_key=idempotency_key(job.sha256, row.line)
        )
    except intake.IntakeInvalid as error:
        tally.fail([row_error(row.line, f, m) for f, m in error.errors])
    except UserError as error:
        tally.fail([row_error(row.line, error.field, str(error))])
    else:
        if result.created:
            tally.imported += 1
        else:
            tally.skipped += 1


@dataclass(frozen=True)
class _Job:
    """What the loop needs, read once: plain values that survive each row's commit."""

    import_id: int
    workspace_id: int
    actor_id: int | None
    sha256: str
    mapping: dict[str, str]
    table: Table

    @classmethod
    def of(cls, lead_import: LeadImport) -> _Job:
        return cls(
            lead_import.id,
            lead_import.workspace_id,
            lead_import.requested_by_id,
            lead_import.sha256,
            dict(lead_import.mapping),
            parse(lead_import.content, lead_import.delimiter),
        )


def run(job: _Job) -> Tally:
    tally = Tally()
    total = max(len(job.table.rows), 1)
    for row in job.table.rows:
        _import_row(job, row, tally)
        if tally.done % PROGRESS_EVERY == 0 and tally.done < total:
            lead_imports.record_progress(
                job.import_id,
                tally.done * 100 // total,
                tally.imported,
                tally.skipped,
                tally.failed,
            )
    return tally


def execute(import_id: int) -> bool:
    """Run a queued import to its result; False if it is unknown, done or failed already."""
    lead_import = db.session.get(LeadImport, import_id)
    if lead_import is None or not lead_imports.claim(import_id):
        return False
    job = _Job.of(lead_import)
    g.workspace = db.session.get(Workspace, job.workspace_id)
    try:
        tally = run(job)
    except Exception as exc:
        db.session.rollback()
        lead_imports.fail(import_id, f"{type(exc).__name__}: {exc}")
        raise
    return lead_imports.finish(import_id, tally.imported, tally.skipped, tally.failed, tally.errors)
