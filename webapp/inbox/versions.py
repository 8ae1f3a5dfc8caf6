"""A per-user bell version in Redis: the bell's poll compares numbers instead of counting rows.

Bumped when an in-app notification is delivered to the user or the user reads some, after
the change is committed, so a poll never sees a version whose rows are not yet visible.
"""

from __future__ import annotations

import logging

from flask import current_app
from redis import Redis, RedisError

from webapp.operations.unit import after_commit

log = logging.getLogger(__name__)


def _key(workspace_id: int, user_id: int) -> str:
    return f"leadline:inbox-version:{workspace_id}:{user_id}"


def _redis() -> Redis | None:
    # Commands run without Redis (seeding the demo) have no open bells to tell.
    return current_app.extensions.get("leadline_redis")


def bump(workspace_id: int, user_id: int | None) -> None:
    """Mark `user_id`'s bell in this workspace as changed."""
    connection = _redis()
    if connection is None or user_id is None:
        return
    try:
        connection.incr(_key(workspace_id, user_id))
    except RedisError:  # the change is committed; the bell catches up on the next page load
        log.warning("could not bump the inbox version of user %s", user_id)


def bump_after_commit(workspace_id: int, user_id: int) -> None:
    after_commit(lambda: bump(workspace_id, user_id))


def current(workspace_id: int, user_id: int) -> str:
    """The version the user's bell is at now ("0" before its first change)."""
    connection = _redis()
    raw = connection.get(_key(workspace_id, user_id)) if connection else None
    return raw.decode() if raw else "0"
