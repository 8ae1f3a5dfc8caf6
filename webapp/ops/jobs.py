"""What every job run says: its request id bound for its log lines, one line and a duration."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

from rq import get_current_job

from webapp.ops import logs, metrics

log = logging.getLogger("leadline.jobs")


@contextmanager
def running(name: str) -> Iterator[None]:
    """Around one job: the id of the request that enqueued it (RQ job meta) is bound, and
    the job's outcome and duration logged and measured; a failure is logged with its
    traceback and raised on to RQ (which records it and retries where told to)."""
    job = get_current_job()
    request_id = (job.meta or {}).get("request_id") if job is not None else None
    started = time.perf_counter()
    with logs.bound(request=request_id or (logs.request_id() if job is None else None), job=name):
        try:
            yield
        except Exception:
            seconds = time.perf_counter() - started
            metrics.job_done(name, "error", seconds)
            log.exception("job failed", extra={"what": name, "outcome": "error"})
            raise
        seconds = time.perf_counter() - started
        metrics.job_done(name, "ok", seconds)
        log.info(
            "job done",
            extra={
                "what": name,
                "outcome": "ok",
                "rq_job_id": job.id if job is not None else None,
                "duration_ms": round(seconds * 1000, 1),
            },
        )
