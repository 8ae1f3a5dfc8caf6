"""Leadline's Flask application.

Importing the package (or a light module of it, such as `webapp.ops.logs` for gunicorn's
master, or `webapp.catalogues`) does not build the application's module graph: `create_app`
and `MIGRATIONS_DIR` load `webapp.factory`, and with it every blueprint, on first use. That
keeps processes which never serve a request small (issue 17 item 5).
"""

from __future__ import annotations

from typing import Any

_FACTORY_NAMES = ("create_app", "MIGRATIONS_DIR")


def __getattr__(name: str) -> Any:
    if name in _FACTORY_NAMES:
        from webapp import factory

        return getattr(factory, name)
    raise AttributeError(f"module 'webapp' has no attribute {name!r}")
