"""CSV import job: every row of an uploaded file through the intake operation."""

from __future__ import annotations

from webapp.leadimport import running
from workers.runtime import job


@job("lead_import.run")
def run(import_id: int) -> bool:
    """Import the file's rows and store the result; a no-op once it is done (idempotent)."""
    return running.execute(import_id)
