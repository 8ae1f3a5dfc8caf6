"""CSV import jobs: a chunk of an uploaded file's rows through the intake operation, and the
sweep that resumes an import whose job was lost."""

from __future__ import annotations

from webapp.operations import lead_import_run as running
from webapp.operations import lead_imports


def run(import_id: int) -> bool:
    """Import the next chunk of rows and queue the one after; a no-op once it is done."""
    return running.execute(import_id)


def sweep() -> int:
    """Resume every import whose worker died mid-file; returns how many were queued again."""
    return lead_imports.resume_stalled()
