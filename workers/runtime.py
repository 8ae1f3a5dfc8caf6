"""The one entry point every job runs through: ids in, an app context per job, rows reloaded."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

from webapp import create_app
from webapp.extensions import db
from webapp.ops import jobs as ops_jobs

JOBS: dict[str, Callable[..., Any]] = {}
_app: Flask | None = None


def job(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a job function under `name`; it receives ids only, never ORM objects."""

    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        if name in JOBS:
            raise ValueError(f"job {name!r} registered twice")
        JOBS[name] = func
        return func

    return register


def use_app(app: Flask) -> None:
    """Run jobs in `app` (tests and the worker command set it; otherwise built on first use)."""
    global _app
    _app = app


def _current_app() -> Flask:
    global _app
    if _app is None:
        _app = create_app()
    return _app


def perform(name: str, *ids: Any) -> Any:
    """Run registered job `name` with `ids` inside a fresh app context."""
    from workers import jobs  # noqa: F401  (registers the jobs)

    try:
        func = JOBS[name]
    except KeyError:
        raise LookupError(f"unknown job {name!r}; known: {', '.join(sorted(JOBS))}") from None
    with _current_app().app_context(), ops_jobs.running(name):
        try:
            return func(*ids)
        finally:
            db.session.remove()
