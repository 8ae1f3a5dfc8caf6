"""One log line per state-changing operation: which, in which workspace, and how it ended."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from flask import g, has_request_context
from sqlalchemy import inspect, select
from sqlalchemy.exc import SQLAlchemyError

from webapp.extensions import db

log = logging.getLogger("leadline.operations")


_SLUGS: dict[int, str] = {}  # workspace id -> slug, for lines about expired rows
_SLUGS_KEPT = 10_000


@contextmanager
def operation_logged(
    what: str,
    args: Sequence[Any],
    kwargs: Mapping[str, Any],
    said_after: Callable[[Callable[[], None]], None] | None = None,
) -> Iterator[None]:
    """Around an outermost operation, after its commit (or rollback): `what` and its outcome.

    Arguments are never logged (they hold names, phone numbers, passwords); only the
    workspace's slug. Its id is found among them before the operation runs (a commit expires
    the rows), its slug without a query when it was loaded.
    """
    workspace_id = _workspace_id([*args, *kwargs.values()])
    started = time.perf_counter()
    try:
        yield
    except Exception as error:
        _say(what, workspace_id, started, "error", type(error).__name__)
        raise
    if said_after is None:
        _say(what, workspace_id, started, "ok", None)
    else:  # done, but only once the caller's transaction commits
        said_after(lambda: _say(what, workspace_id, started, "ok", None))


def _say(
    what: str, workspace_id: int | None, started: float, outcome: str, error_type: str | None
) -> None:
    if not log.isEnabledFor(logging.INFO):
        return
    fields: dict[str, Any] = {
        "what": what,
        "outcome": outcome,
        "workspace": _slug(workspace_id),
        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
    }
    if error_type:
        fields["error_type"] = error_type  # the class only: a message may quote the input
    log.info("operation", extra=fields)


def _workspace_id(values: Sequence[Any]) -> int | None:
    from webapp.models import Workspace

    candidates = [v for v in values if isinstance(v, Workspace)]
    if has_request_context() and isinstance(getattr(g, "workspace", None), Workspace):
        candidates.append(g.workspace)
    for workspace in candidates:
        identity = inspect(workspace).identity
        if identity:
            if slug := workspace.__dict__.get("slug"):
                _remember(identity[0], slug)
            return identity[0]
    for value in values:
        # Only what is loaded: no lazy load here (after a rollback it would raise).
        workspace_id = getattr(value, "__dict__", {}).get("workspace_id")
        if isinstance(workspace_id, int):
            return workspace_id
    return None


def _remember(workspace_id: int, slug: str) -> None:
    if len(_SLUGS) >= _SLUGS_KEPT:
        _SLUGS.clear()
    _SLUGS[workspace_id] = slug


def _slug(workspace_id: int | None) -> str | None:
    if workspace_id is None:
        return None
    if workspace_id not in _SLUGS:
        from webapp.models import Workspace

        try:
            slug = db.session.scalar(select(Workspace.slug).where(Workspace.id == workspace_id))
        except SQLAlchemyError:  # the log line goes without it rather than failing the caller
            return None
        if slug:
            _remember(workspace_id, slug)
    return _SLUGS.get(workspace_id)
