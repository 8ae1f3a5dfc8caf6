"""Every job function under its name from `webapp.job_names`.

Imports the job modules and nothing that imports `workers.runtime`, so that the runtime can
import this at the top (no cycle, no import inside a function).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from webapp import job_names as names
from workers.jobs import deadlines, lead_import, notify, replay

JOBS: dict[str, Callable[..., Any]] = {
    names.DEADLINE_FIRE: deadlines.fire,
    names.DEADLINE_DRAIN: deadlines.drain,
    names.DEADLINE_SWEEP: deadlines.sweep,
    names.NOTIFICATION_DELIVER: notify.deliver,
    names.NOTIFICATION_DELIVER_BATCH: notify.deliver_batch,
    names.NOTIFICATION_SWEEP: notify.sweep,
    names.LEAD_IMPORT_RUN: lead_import.run,
    names.LEAD_IMPORT_SWEEP: lead_import.sweep,
    names.POLICY_REPLAY: replay.run,
}
