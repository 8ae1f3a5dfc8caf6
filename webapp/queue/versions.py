"""A per-user queue version in Redis: a poll compares numbers instead of re-running queries.

Operations bump the version of every queue they change, after their transaction commits, so
a poll never sees a version whose rows are not yet visible. Each bump also moves the
workspace's version, which the team views watch.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from flask import current_app
from redis import Redis, RedisError

from webapp.operations.unit import after_commit

log = logging.getLogger(__name__)

TEAM = "team"


def _key(workspace_id: int, who: int | str) -> str:
    return f"leadline:queue-version:{workspace_id}:{who}"


def _redis() -> Redis | None:
    # A command run without Redis (seeding the demo) has no live queues to tell.
    return current_app.extensions.get("leadline_redis")


def bump(workspace_id: int, *user_ids: int | None) -> None:
    """Mark these users' queues (and the workspace's team views) as changed, in one round
    trip."""
    connection = _redis()
    if connection is None:
        return
    pipe = connection.pipeline(transaction=False)
    for user_id in {u for u in user_ids if u is not None}:
        pipe.incr(_key(workspace_id, user_id))
    pipe.incr(_key(workspace_id, TEAM))
    try:
        pipe.execute()
    except RedisError:  # the change is committed; the queue refreshes on its next change
        log.warning("could not bump the queue version of workspace %s", workspace_id)


def current(workspace_id: int, who: int | str) -> int:
    """The version a queue is at now (0 before its first change)."""
    connection = _redis()
    return int(connection.get(_key(workspace_id, who)) or 0) if connection else 0


def bump_after_commit(workspace_id: int, user_ids: Iterable[int | None]) -> None:
    """Bump these users' queues once the current operation commits."""
    people = tuple(set(user_ids))
    after_commit(lambda: bump(workspace_id, *people))
