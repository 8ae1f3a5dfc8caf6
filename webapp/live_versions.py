"""Per-user versions in Redis that live views poll: a poll compares numbers instead of
re-running queries.

Two views are kept live this way: the queue (`QUEUES`; each bump also moves the workspace's
`TEAM` version, which the team views watch) and the bell (`BELLS`). Operations bump the
versions of what they change after their transaction commits, so a poll never sees a version
whose rows are not yet visible. This is domain code: operations import it, and the queue and
inbox blueprints only read it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from flask import current_app
from redis import Redis, RedisError

from webapp.operations.unit import after_commit_once

log = logging.getLogger(__name__)

TEAM = "team"


def _redis() -> Redis | None:
    # A command run without Redis (seeding the demo) has no live views to tell.
    return current_app.extensions.get("leadline_redis")


class LiveVersions:
    """The versions of one kind of live view, one counter per workspace and user."""

    def __init__(self, kind: str, *, with_team: bool) -> None:
        self.kind = kind
        self.with_team = with_team  # every bump also moves the workspace's TEAM version

    def _key(self, workspace_id: int, who: int | str) -> str:
        return f"leadline:{self.kind}-version:{workspace_id}:{who}"

    def bump(self, workspace_id: int, *user_ids: int | None) -> None:
        """Mark these users' views as changed, in one round trip."""
        connection = _redis()
        people = {u for u in user_ids if u is not None}
        if connection is None or not (people or self.with_team):
            return
        pipe = connection.pipeline(transaction=False)
        for user_id in people:
            pipe.incr(self._key(workspace_id, user_id))
        if self.with_team:
            pipe.incr(self._key(workspace_id, TEAM))
        try:
            pipe.execute()
        except RedisError:  # the change is committed; the view catches up on its next change
            log.warning("could not bump the %s version of workspace %s", self.kind, workspace_id)

    def bump_after_commit(self, workspace_id: int, user_ids: Iterable[int | None]) -> None:
        """Bump these users' views once the current operation commits: one round trip per
        workspace however many changes the operation makes there (a batch of deadlines)."""
        key = (self.kind, workspace_id)
        after_commit_once(key, lambda: _Bump(self, workspace_id)).people.update(user_ids)

    def current(self, workspace_id: int, who: int | str) -> int:
        """The version a view is at now (0 before its first change)."""
        connection = _redis()
        return int(connection.get(self._key(workspace_id, who)) or 0) if connection else 0


class _Bump:
    """The bump an operation owes one workspace's views, run once it commits."""

    def __init__(self, versions: LiveVersions, workspace_id: int) -> None:
        self.versions, self.workspace_id = versions, workspace_id
        self.people: set[int | None] = set()

    def __call__(self) -> None:
        self.versions.bump(self.workspace_id, *self.people)


QUEUES = LiveVersions("queue", with_team=True)
BELLS = LiveVersions("inbox", with_team=False)
