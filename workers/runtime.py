"""The one entry point every job runs through: ids in, an app context per job, rows reloaded."""

from __future__ import annotations

from typing import Any

from flask import Flask

from webapp import create_app
from webapp.extensions import db
from workers.registry import JOBS

_app: Flask | None = None


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
    try:
        func = JOBS[name]
    except KeyError:
        raise LookupError(f"unknown job {name!r}; known: {', '.join(sorted(JOBS))}") from None
    with _current_app().app_context():
        try:
            return func(*ids)
        finally:
            db.session.remove()
