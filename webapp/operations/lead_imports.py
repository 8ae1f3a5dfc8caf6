"""CSV imports of leads: uploaded and mapped by a person, then claimed, advanced and finished
by the job (each row goes through the intake operation on its own)."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import update

from webapp import redis_client
from webapp.clock import now
from webapp.extensions import db
from webapp.leadimport import mapping as columns
from webapp.leadimport import parsing
from webapp.models import ImportState, LeadImport, User, Workspace

from . import audit, policies
from .unit import after_commit, operation
from .users import UserError

JOB_NAME = "lead_import.run"


def job_id_for(import_id: int) -> str:
    # One job per import: confirming twice replaces the queued job instead of adding one.
    return f"lead-import-{import_id}"


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
        raise UserError("mapping", "this import has already started")
    if set(mapping) != set(lead_import.mapping):
        raise UserError("mapping", "the mapping must name every column of the file")


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
    after_commit(
        lambda: redis_client.enqueue("default", JOB_NAME, import_id, job_id=job_id_for(import_id))
    )


def _set(import_id: int, *states: ImportState, **values: Any) -> bool:
    """Compare-and-set: update the import only while it is in one of `states`."""
    changed = db.session.execute(
        update(LeadImport)
        .where(LeadImport.id == import_id, LeadImport.state.in_(states))
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    return bool(changed)


@operation
def claim(import_id: int) -> bool:
    """Mark the import running; False once done or failed. A running import may be claimed
    again: its worker died and RQ retried the job (the rows' idempotency keys make it safe)."""
    return _set(import_id, ImportState.QUEUED, ImportState.RUNNING, state=ImportState.RUNNING)


@operation
def record_progress(import_id: int, percent: int, imported: int, skipped: int, failed: int) -> None:
    _set(
        import_id,
        ImportState.RUNNING,
        progress=max(0, min(99, percent)),
        imported_count=imported,
        skipped_count=skipped,
        failed_count=failed,
    )


@operation
def finish(
    import_id: int, imported: int, skipped: int, failed: int, errors: list[dict[str, Any]]
) -> bool:
    """Store the counts and the row errors; only the first run to finish writes them."""
    return _set(
        import_id,
        ImportState.RUNNING,
        state=ImportState.DONE,
        progress=100,
        imported_count=imported,
        skipped_count=skipped,
        failed_count=failed,
        row_errors=errors,
        finished_at=now(),
    )


@operation
def fail(import_id: int, error: str) -> None:
    _set(
        import_id,
        ImportState.QUEUED,
        ImportState.RUNNING,
        state=ImportState.FAILED,
        error=error[:2000],
        finished_at=now(),
    )
