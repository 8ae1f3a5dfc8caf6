"""The import job's work: a chunk of rows through the intake operation, a few rows to a
transaction together with the import's cursor (each row in a savepoint of its own).

A row's idempotency key is the file's sha256 and the row's line, so a second import of the
same file finds the leads the first one stored instead of adding duplicates. Within one
import the cursor does more: a row is handled by exactly one run, and a run that was killed
is continued from the first row it did not commit (`lead_imports.resume_stalled`).
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from rq.timeouts import JobTimeoutException
from sqlalchemy.exc import OperationalError

from webapp.errors import UserError
from webapp.extensions import db
from webapp.lead_csv.checking import row_error, width_error
from webapp.lead_csv.mapping import to_request
from webapp.lead_csv.parsing import Row, Table, parse
from webapp.models import LeadImport, User, Workspace
from webapp.operations import intake, lead_imports, tracked_runs
from webapp.operations.unit import transaction

# Rows committed together with the cursor: one commit per row made commits a fifth of the
# job's time; a batch holds the workspace's intake lock for a fraction of a second.
ROWS_PER_COMMIT = 20
# A database that was busy or away, or RQ's timeout: the import is not failed for it, and the
# sweep resumes it at its cursor once it has been quiet for the stale period.
RESUMABLE = (OperationalError, JobTimeoutException)
# The parsed file of the import a worker process is working through: each chunk's job would
# otherwise parse the whole file again.
_parsed: dict[tuple[int, str], Table] = {}


def idempotency_key(sha256: str, line: int) -> str:
    return f"import:{sha256}:{line}"


@dataclass(frozen=True)
class _Job:
    """What the loop needs, read once: plain values that survive each row's commit."""

    import_id: int
    workspace_id: int
    actor_id: int | None
    sha256: str
    mapping: dict[str, str]
    table: Table
    start: int  # the first row not handled yet (the cursor)

    @classmethod
    def of(cls, lead_import: LeadImport) -> _Job:
        key = (lead_import.id, lead_import.sha256)
        if key not in _parsed:
            _parsed.clear()
            _parsed[key] = parse(lead_import.content, lead_import.delimiter)
        return cls(
            lead_import.id,
            lead_import.workspace_id,
            lead_import.requested_by_id,
            lead_import.sha256,
            dict(lead_import.mapping),
            _parsed[key],
            lead_import.rows_done,
        )


def _receive(job: _Job, row: Row) -> str:
    """Store one row through intake: "imported", or "skipped" when an earlier import has it."""
    request = to_request(row, job.table.header, job.mapping)
    workspace = db.session.get(Workspace, job.workspace_id)
    actor = db.session.get(User, job.actor_id) if job.actor_id else None
    result = intake.receive_lead(
        workspace, request, actor=actor, idempotency_key=idempotency_key(job.sha256, row.line)
    )
    return "imported" if result.created else "skipped"


def _import_row(job: _Job, index: int) -> tuple[str, list[dict[str, Any]]]:
    """Row `index` through intake in a savepoint: its outcome, and its errors if refused."""
    row = job.table.rows[index]
    if (wrong := width_error(row, job.table)) is not None:
        return "failed", [wrong]
    try:
        with db.session.begin_nested():  # a refused row leaves nothing behind
            return _receive(job, row), []
    except intake.IntakeInvalid as error:
        return "failed", [row_error(row.line, f, m) for f, m in error.errors]
    except UserError as error:
        return "failed", [row_error(row.line, error.field, str(error))]


def _import_rows(job: _Job, start: int, end: int) -> None:
    """Rows `start` to `end` (exclusive) and the cursor past them, in one transaction."""
    counts: Counter[str] = Counter()
    errors: list[dict[str, Any]] = []
    with transaction():
        lead_imports.take_rows(job.import_id, start, end, len(job.table.rows))
        for index in range(start, end):
            outcome, refused = _import_row(job, index)
            counts[outcome] += 1
            errors += refused
        lead_imports.count_rows(job.import_id, counts, errors)


def run(job: _Job, rows: int, seconds: float) -> int:
    """Import up to `rows` rows from the cursor, ROWS_PER_COMMIT to a transaction, stopping
    early after `seconds`; returns the index of the first row left (the table's length once
    every row is handled)."""
    started = time.monotonic()
    end = min(job.start + rows, len(job.table.rows))
    for first in range(job.start, end, ROWS_PER_COMMIT):
        last = min(first + ROWS_PER_COMMIT, end)
        _import_rows(job, first, last)
        if time.monotonic() - started > seconds:
            return last
    return end


def _resumable(exc: BaseException) -> bool:
    """Whether `exc` is RESUMABLE, also when SQLAlchemy wraps it (a timeout mid-statement)."""
    return isinstance(exc, RESUMABLE) or isinstance(getattr(exc, "orig", None), RESUMABLE)


def _chunk(lead_import: LeadImport) -> tuple[_Job, int] | None:
    """The next chunk's rows: (the job, the first row left), None if another run has them."""
    job = _Job.of(lead_import)
    try:
        return job, run(job, lead_imports.chunk_rows(), lead_imports.CHUNK_SECONDS)
    except lead_imports.RowTaken:
        return None  # a second run (the sweep's, while this one was slow) goes on


def _after_chunk(done: tuple[_Job, int] | None) -> bool:
    """Queue the chunk after this one, or finish the import once no row is left."""
    if done is None:
        return False
    job, left = done
    if left < len(job.table.rows):
        lead_imports.enqueue_chunk(job.import_id, left)
        return False
    return lead_imports.finish(job.import_id)


def execute(import_id: int) -> bool:
    """Import the next chunk of a queued or running import and queue the one after it; True
    when this run finished the import, False if it is unknown, done or failed, if another run
    holds its rows, or if chunks remain. A resumable error keeps the rows so far, and the
    sweep goes on from the cursor later."""
    return tracked_runs.execute(LeadImport, import_id, _chunk, _after_chunk, resumable=_resumable)
