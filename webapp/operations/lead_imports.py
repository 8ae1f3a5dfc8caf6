"""CSV imports of leads: uploaded and mapped by a person, then claimed, advanced and finished
by the job (each row goes through the intake operation on its own).

The job works in chunks: each job imports up to a chunk of rows (or a minute's worth) and
queues the next, so no job comes near RQ's timeout whatever the file's size. Each row is
committed together with the import's cursor, so a job killed anywhere is resumed by the
sweep at the first row not committed, and no row is handled twice.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import and_, or_, select, update

from tenants.errors import Refusal
from tenants.markers import N_
from webapp import job_names, redis_client
from webapp.clock import now
from webapp.errors import UserError
from webapp.extensions import db
from webapp.lead_csv import mapping as columns
from webapp.lead_csv import parsing
from webapp.models import ImportState, LeadImport, User, Workspace

from . import audit, policies, tracked_runs
from .unit import after_commit, operation

# A chunk ends after this many seconds even with rows left (a slow database, a busy
# workspace lock); its job's timeout leaves room for the last row.
CHUNK_SECONDS = 60
JOB_TIMEOUT_SECONDS = 10 * CHUNK_SECONDS
# Row errors kept with the result; the failed count still counts every bad row.
ERRORS_KEPT = 1000
COUNTS = {
    "imported": LeadImport.imported_count,
    "skipped": LeadImport.skipped_count,
    "failed": LeadImport.failed_count,
}


def job_id_for(import_id: int, row: int = 0) -> str:
    # One job per chunk: confirming twice, or a sweep, replaces a waiting job instead of adding one.
    return f"lead-import-{import_id}-{row}"


def chunk_rows() -> int:
    return current_app.config["LEADLINE_IMPORT_CHUNKS"].rows


def enqueue_chunk(import_id: int, row: int) -> None:
    """Queue the job that imports the chunk starting at `row` (0: the file's first row)."""
    redis_client.enqueue(
        "default",
        job_names.LEAD_IMPORT_RUN,
        import_id,
        job_id=job_id_for(import_id, row),
        timeout=JOB_TIMEOUT_SECONDS,
    )


@operation
def upload(workspace: Workspace, filename: str, data: bytes, *, actor: User | None) -> LeadImport:
    """Store an uploaded CSV file with a proposed mapping; refuses a file that is not a table
    (`parsing.CsvRefused`), storing nothing."""
    table, text, encoding, delimiter = parsing.read(data)
    lead_import = LeadImport(
        workspace_id=workspace.id,
        filename=(filename or "leads.csv")[:255],
        content=text,
        sha256=hashlib.sha256(data).hexdigest(),
        encoding=encoding,
        delimiter=delimiter,
        mapping=columns.propose(table.header, policies.active_policy(workspace)),
        row_count=len(table.rows),
        requested_by_id=actor.id if actor else None,
    )
    db.session.add(lead_import)
    audit.record(
        workspace.id,
        "lead_import.uploaded",
        lead_import,
        actor=actor,
        after={"filename": lead_import.filename, "sha256": lead_import.sha256},
    )
    return lead_import


def _check_mapping(lead_import: LeadImport, mapping: dict[str, str]) -> None:
    if lead_import.state != ImportState.UPLOADED:
        raise UserError("mapping", Refusal(N_("this import has already started")))
    if set(mapping) != set(lead_import.mapping):
        raise UserError("mapping", Refusal(N_("the mapping must name every column of the file")))


@operation
def start(lead_import: LeadImport, mapping: dict[str, str], *, actor: User | None) -> None:
    """Confirm the mapping and queue the import job after commit."""
    _check_mapping(lead_import, mapping)
    if found := columns.problems(mapping):
        raise UserError("mapping", found[0])
    lead_import.mapping = dict(mapping)
    lead_import.state = ImportState.QUEUED
    audit.record(
        lead_import.workspace_id, "lead_import.started", lead_import, actor=actor, after=mapping
    )
    import_id = lead_import.id
    after_commit(lambda: enqueue_chunk(import_id, 0))


@operation
def claim(import_id: int) -> bool:
    """Mark the import running; False once done or failed. A running import may be claimed
    again: the next chunk's job, or one the sweep queued after its worker died."""
    return tracked_runs.claim(LeadImport, import_id)


class RowTaken(Exception):
    """Another run of the same import has already handled this row: this run stops."""


@operation
def take_rows(import_id: int, start: int, end: int, total: int) -> None:
    """Move the cursor from `start` past rows up to `end` (0-based, exclusive), in the same
    transaction as those rows' leads, if it still points at `start`: of two runs of one
    import, exactly one handles each row (the other gets RowTaken and stops)."""
    if not tracked_runs.record_progress(
        LeadImport,
        import_id,
        end * 100 // max(total, 1),
        extra=LeadImport.rows_done == start,
        rows_done=end,
    ):
        raise RowTaken(start)


@operation
def count_rows(import_id: int, counts: dict[str, int], errors: list[dict[str, Any]]) -> None:
    """Add the rows just taken to the counts (imported, skipped as already imported, failed)
    and keep their errors, up to ERRORS_KEPT."""
    values: dict[str, Any] = {COUNTS[k].key: COUNTS[k] + n for k, n in counts.items() if n}
    if errors:
        kept = db.session.scalar(select(LeadImport.row_errors).where(LeadImport.id == import_id))
        if len(kept or []) < ERRORS_KEPT:
            values["row_errors"] = [*(kept or []), *errors][:ERRORS_KEPT]
    if values:
        db.session.execute(
            update(LeadImport)
            .where(LeadImport.id == import_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )


@operation
def finish(import_id: int) -> bool:
    """Mark the import done once every row is handled; only the first run to finish does."""
    done = tracked_runs.finish(
        LeadImport, import_id, extra=LeadImport.rows_done >= LeadImport.row_count
    )
    if done:
        lead_import = db.session.get(LeadImport, import_id)
        audit.record(
            lead_import.workspace_id,
            "lead_import.finished",
            lead_import,
            actor=None,
            after={
                "imported": lead_import.imported_count,
                "skipped": lead_import.skipped_count,
                "failed": lead_import.failed_count,
            },
        )
    return done


def resume_stalled() -> int:
    """Queue the next chunk of every import whose job is lost (the sweep): queued or running,
    no row committed for the stale period, and no job waiting for it. Its worker died, timed
    out or lost Redis; a run that was only slow is harmless, the cursor stops one of the two.
    Returns how many it queued."""
    stale = now() - timedelta(seconds=current_app.config["LEADLINE_IMPORT_CHUNKS"].stale_seconds)
    rows = db.session.execute(
        select(LeadImport.id, LeadImport.rows_done).where(
            LeadImport.state.in_((ImportState.QUEUED, ImportState.RUNNING)),
            or_(
                LeadImport.progressed_at <= stale,
                and_(LeadImport.progressed_at.is_(None), LeadImport.created_at <= stale),
            ),
        )
    ).all()
    waiting = redis_client.jobs_under_way("default", (job_id_for(*row) for row in rows))
    lost = [row for row in rows if job_id_for(*row) not in waiting]
    for import_id, row in lost:
        enqueue_chunk(import_id, row)
    return len(lost)


@operation
def fail(import_id: int, error: str) -> None:
    tracked_runs.fail(LeadImport, import_id, error)
