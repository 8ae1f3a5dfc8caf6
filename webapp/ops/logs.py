"""Twelve-factor logs: one JSON object per line on stdout, for the web tier and the workers.

Each line carries the request id of the request it belongs to, or of the request that
enqueued the job it belongs to, so one `grep` follows a click through its jobs. What is
logged is chosen where it is logged: names, ids, outcomes; never a password, token, key or
message body (`REDACTED` keys are blanked should one be passed anyway).
"""

from __future__ import annotations

import json
import logging
import re
import sys
import traceback
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

_request_id: ContextVar[str | None] = ContextVar("leadline_request_id", default=None)
_job: ContextVar[str | None] = ContextVar("leadline_job", default=None)
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
REDACTED = frozenset({"password", "token", "secret", "authorization", "api_key", "body", "text"})
# Attributes every LogRecord has: whatever else `extra=` put on a record is a field.
_STANDARD = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}

log = logging.getLogger("leadline")


def request_id() -> str | None:
    return _request_id.get()


def accept_request_id(offered: str | None) -> str:
    """The caller's X-Request-ID when it is a sane token, else a new one."""
    if offered and SANE_REQUEST_ID.fullmatch(offered):
        return offered
    return uuid.uuid4().hex


def bind_request_id(value: str | None):
    return _request_id.set(value)


@contextmanager
def bound(*, request: str | None, job: str | None) -> Iterator[None]:
    """Log lines inside carry `request` as request id and `job` as the job's name."""
    request_token, job_token = _request_id.set(request), _job.set(job)
    try:
        yield
    finally:
        _request_id.reset(request_token)
        _job.reset(job_token)


class JsonFormatter(logging.Formatter):
    """A record as one line of JSON: time, level, logger, message, ids, its extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if (rid := _request_id.get()) is not None:
            entry["request_id"] = rid
        if (job := _job.get()) is not None:
            entry["job"] = job
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = "[redacted]" if key.lower() in REDACTED else value
        if record.exc_info:
            entry["error"] = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        return json.dumps(entry, default=str, ensure_ascii=False)


class StdoutHandler(logging.StreamHandler):
    """Writes to whatever sys.stdout is when a line is written (a test may have swapped it)."""

    def __init__(self) -> None:
        super().__init__(sys.stdout)

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stdout
        super().emit(record)


def configure(level: int = logging.INFO) -> None:
    """JSON lines on stdout from the root logger (ours, RQ's, gunicorn's); idempotent."""
    root = logging.getLogger()
    if any(isinstance(handler, StdoutHandler) for handler in root.handlers):
        return
    handler = StdoutHandler()
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    if root.level > level or root.level == logging.NOTSET:
        root.setLevel(level)
    log.setLevel(level)
