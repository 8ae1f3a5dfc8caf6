"""Prometheus metrics in `prometheus_client`'s conventions, safe under several processes.

With PROMETHEUS_MULTIPROC_DIR set (by `leadline up`, or the image) every process (each
gunicorn worker, each RQ worker) writes its samples to files there and /metrics adds them up.
Only counters and histograms are kept per process; gauges of what the database and Redis hold
are computed when scraped (webapp.ops.collector). Label values come from small fixed sets or
the app's own route rules and job names: never a lead id, an e-mail or anything a tenant types.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from prometheus_client import Counter, Histogram, values

from webapp.clock import now

P = ParamSpec("P")
R = TypeVar("R")

MULTIPROCESS_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if MULTIPROCESS_DIR:
    # Files are named by process; host and pid, so that the web and worker containers of one
    # host may share the directory (each container numbers its processes from 1).
    _host = socket.gethostname()
    values.ValueClass = values.MultiProcessValue(lambda: f"{_host}_{os.getpid()}")

CHANNELS = frozenset({"in_app", "email", "whatsapp", "telegram"})
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Seconds: a clock is expected to act within a sweep (30 s); hours late is an outage.
LATENESS_BUCKETS = (0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 4 * 3600)
JOB_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 900, 3600)

HTTP_REQUESTS = Counter(
    "leadline_http_requests", "HTTP requests answered, by route rule", ["route", "method", "status"]
)
HTTP_DURATION = Histogram(
    "leadline_http_request_duration_seconds", "Time to answer a request", ["route", "method"]
)
INTAKE = Counter("leadline_intake_leads", "Leads received, by outcome", ["outcome"])
INTAKE_DURATION = Histogram("leadline_intake_duration_seconds", "Time to receive one lead")
DEADLINES_FIRED = Counter("leadline_deadlines_fired", "Deadlines fired")
FIRE_LATENESS = Histogram(
    "leadline_deadline_fire_lateness_seconds",
    "From a deadline's due time to its action committed",
    buckets=LATENESS_BUCKETS,
)
DELIVERIES = Counter(
    "leadline_notification_deliveries",
    "Delivery attempts by channel and outcome (sent, failed: retried later, dead: given up)",
    ["channel", "outcome"],
)
DELIVERY_LATENESS = Histogram(
    "leadline_notification_delivery_lateness_seconds",
    "From a message written to the outbox to its delivery",
    ["channel"],
    buckets=LATENESS_BUCKETS,
)
JOB_DURATION = Histogram(
    "leadline_job_duration_seconds",
    "Time a job ran, by job name (policy.replay, lead_import.run, ...) and outcome",
    ["job", "outcome"],
    buckets=JOB_BUCKETS,
)


def channel_label(channel: str | None) -> str:
    return channel if channel in CHANNELS else "other"


def method_label(method: str) -> str:
    return method if method in METHODS else "other"


def request_done(route: str, method: str, status: int, seconds: float) -> None:
    HTTP_REQUESTS.labels(route, method_label(method), str(status)).inc()
    HTTP_DURATION.labels(route, method_label(method)).observe(seconds)


def deadline_fired(due_at: datetime) -> None:
    """Called once the firing has committed: its lateness is due time to action done."""
    DEADLINES_FIRED.inc()
    FIRE_LATENESS.observe(max(0.0, (now() - due_at).total_seconds()))


def delivery_done(channel: str | None, outcome: str, written_at: datetime | None) -> None:
    label = channel_label(channel)
    DELIVERIES.labels(label, outcome).inc()
    if outcome == "sent" and written_at is not None:
        DELIVERY_LATENESS.labels(label).observe(max(0.0, (now() - written_at).total_seconds()))


def job_done(name: str, outcome: str, seconds: float) -> None:
    JOB_DURATION.labels(name, outcome).observe(seconds)


def observed_intake(func: Callable[P, R]) -> Callable[P, R]:
    """Count and time each lead received: created, joined to an earlier one, or refused."""

    @wraps(func)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        started = time.perf_counter()
        outcome = "error"
        try:
            result: Any = func(*args, **kwargs)
            outcome = "created" if getattr(result, "created", False) else "existing"
            return result
        except Exception as error:
            outcome = "invalid" if type(error).__name__ == "IntakeInvalid" else "error"
            raise
        finally:
            INTAKE.labels(outcome).inc()
            INTAKE_DURATION.observe(time.perf_counter() - started)

    return wrapped
