"""The transaction every operation runs in, and work deferred until after it commits."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from webapp.extensions import db
from webapp.ops.oplog import operation_logged

P = ParamSpec("P")
R = TypeVar("R")

_depth: ContextVar[int] = ContextVar("operation_depth", default=0)
_operations: ContextVar[int] = ContextVar("operations_under_way", default=0)
_after_commit: ContextVar[list[Callable[[], None]] | None] = ContextVar(
    "after_commit", default=None
)
# Items gathered per key in the outermost transaction, for after_commit_batched.
_batches: ContextVar[dict[str, list[Any]] | None] = ContextVar("after_commit_batches", default=None)


@contextmanager
def transaction() -> Iterator[None]:
    """Commit once at the outermost level, roll back everything on error."""
    depth = _depth.get()
    token = _depth.set(depth + 1)
    callbacks_token = _after_commit.set([]) if depth == 0 else None
    batches_token = _batches.set({}) if depth == 0 else None
    try:
        yield
        if depth == 0:
            db.session.commit()
    except BaseException:
        if depth == 0:
            db.session.rollback()
        raise
    finally:
        _depth.reset(token)
        if callbacks_token is not None:
            callbacks = _after_commit.get() or []
            _after_commit.reset(callbacks_token)
        if batches_token is not None:
            _batches.reset(batches_token)
    if depth == 0:
        for callback in callbacks:
            callback()


def operation(func: Callable[P, R]) -> Callable[P, R]:
    """Run `func` as one transaction (nested operations join the outer one)."""

    what = f"{func.__module__.rpartition('.')[2]}.{func.__name__}"

    @wraps(func)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        if _operations.get():  # part of an outer operation: that one says what happened
            with transaction():
                return func(*args, **kwargs)
        token = _operations.set(1)
        # Inside a caller's own transaction() the line waits for that commit.
        said_after = after_commit if _depth.get() else None
        try:
            with operation_logged(what, args, kwargs, said_after), transaction():
                return func(*args, **kwargs)
        finally:
            _operations.reset(token)

    return wrapped


def after_commit(callback: Callable[[], Any]) -> None:
    """Run `callback` once the current operation has committed (never if it rolls back)."""
    pending = _after_commit.get()
    if pending is None:
        raise RuntimeError("after_commit() called outside an operation")
    pending.append(callback)


def after_commit_batched(key: str, item: Any, callback: Callable[[list[Any]], Any]) -> None:
    """Gather `item` under `key` in the current transaction; once it has committed,
    `callback` runs once with every item gathered under that key, in order (never if it rolls
    back). The delivery job of a transaction's messages is enqueued this way: one job, not one
    per message."""
    batches = _batches.get()
    if batches is None:
        raise RuntimeError("after_commit_batched() called outside an operation")
    if key not in batches:
        items = batches[key] = []
        after_commit(lambda: callback(items))
    batches[key].append(item)
