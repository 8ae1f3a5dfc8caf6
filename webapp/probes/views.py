"""Liveness and readiness for load balancers, compose healthchecks and `leadline up`;
metrics for Prometheus.

Neither needs a sign-in, a CSRF token or a session, and neither says anything about a
workspace: only which checks pass.
"""

from __future__ import annotations

import hmac

from flask import Response, abort, current_app, jsonify, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)

from webapp.ops import checks, metrics
from webapp.ops.collector import InstallationCollector
from webapp.probes.blueprint import bp

LOOPBACK = frozenset({"127.0.0.1", "::1"})


@bp.get("/healthz")
def healthz() -> Response:
    """The process answers: nothing else is asked (a restart would not fix a database)."""
    return _no_store(jsonify(status="ok"))


@bp.get("/readyz")
def readyz() -> Response:
    results = checks.readiness()
    ready = all(check.ok for check in results)
    body = {
        "status": "ok" if ready else "fail",
        "checks": {c.name: {"state": c.state, "detail": c.detail} for c in results},
    }
    response = _no_store(jsonify(body))
    response.status_code = 200 if ready else 503
    return response


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


def _allowed() -> bool:
    token = current_app.config.get("LEADLINE_METRICS_TOKEN")
    if token:
        offered = request.headers.get("Authorization", "")
        return hmac.compare_digest(offered.encode(), f"Bearer {token}".encode())
    return request.remote_addr in LOOPBACK


@bp.get("/metrics")
def scrape() -> Response:
    if not _allowed():
        abort(404)  # nothing to see here for the public, not even that it exists
    scraped = CollectorRegistry(auto_describe=False)
    scraped.register(InstallationCollector(current_app._get_current_object()))
    if metrics.MULTIPROCESS_DIR:
        processes = CollectorRegistry()
        multiprocess.MultiProcessCollector(processes)
        body = generate_latest(processes)
    else:
        body = generate_latest(REGISTRY)
    response = Response(body + generate_latest(scraped), mimetype=CONTENT_TYPE_LATEST)
    response.headers["Cache-Control"] = "no-store"
    return response
