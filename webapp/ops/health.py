"""Liveness and readiness for load balancers, compose healthchecks and `leadline up`.

Neither needs a sign-in, a CSRF token or a session, and neither says anything about a
workspace: only which checks pass.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from webapp.extensions import csrf
from webapp.ops import checks

bp = Blueprint("health", __name__)
csrf.exempt(bp)


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
