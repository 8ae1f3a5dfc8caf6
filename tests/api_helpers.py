"""Helpers of the API tests: a workspace key and its Authorization header."""

from __future__ import annotations

from sqlalchemy import func, select

from webapp.extensions import db
from webapp.operations.api_keys import create_api_key


def key_headers(workspace, role: str = "agent", **extra: str) -> dict[str, str]:
    """Headers of a request made with a new key of `workspace`."""
    _key, secret = create_api_key(workspace, f"{role} key", actor=None, role=role)
    return {"Authorization": f"Bearer {secret}", **extra}


def count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))
