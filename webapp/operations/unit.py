"""The transaction every operation runs in, and work deferred until after it commits."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from webapp.extensions import db
from webapp.ops.oplog import operation_logged

P = ParamSpec("P")
R = TypeVar("R")
C = TypeVar("C", bound=Callable[[], Any])

_depth: ContextVar[int] = ContextVar("operation_depth", default=0)
_operations: ContextVar[int] = ContextVar("operations_under_way", default=0)
_after_commit: ContextVar[list[Callable[[], None]] | None] = ContextVar(
    "after_commit", default=None
)
# The keyed ones among them (after_commit_once), by key.
_keyed: ContextVar[dict[Hashable, _Once] | None] = ContextVar("after_commit_keyed", default=None)


@contextmanager
def transaction() -> Iterator[None]:
    """Commit once at the outermost level, roll back everything on error."""
    depth = _depth.get()
    token = _depth.set(depth + 1)
    callbacks_token = _after_commit.set([]) if depth == 0 else None
    keyed_token = _keyed.set({}) if depth == 0 else None
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
        if keyed_token is not None:
            _keyed.reset(keyed_token)
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


class _Once:
    """An after-commit callback registered under a key: the transaction runs it once however
    many times its key is asked for (one job per due second, one bump per workspace)."""

    def __init__(self, key: Hashable, callback: Callable[[], Any]) -> None:
        self.key, self.callback = key, callback

    def __call__(self) -> Any:
        return self.callback()


def after_commit_once(key: Hashable, make: Callable[[], C]) -> C:
    """The after-commit callback of the current operation registered under `key`, registered
    now from `make()` when there is none: callers that ask for the same key share one, and
    may add to it (a callable object) until the operation commits."""
    pending, keyed = _after_commit.get(), _keyed.get()
    if pending is None or keyed is None:
        raise RuntimeError("after_commit_once() called outside an operation")
    if (registered := keyed.get(key)) is None:
        registered = keyed[key] = _Once(key, make())
        pending.append(registered)
    return registered.callback


class _Gathered:
    """The callback of after_commit_batched: runs once with every item gathered for it."""

    def __init__(self, callback: Callable[[list[Any]], Any]) -> None:
        self.items: list[Any] = []
        self.callback = callback

    def __call__(self) -> Any:
        return self.callback(self.items)


def after_commit_batched(key: str, item: Any, callback: Callable[[list[Any]], Any]) -> None:
    """Gather `item` under `key` in the current transaction; once it has committed,
    `callback` runs once with every item gathered under that key, in order (never if it rolls
    back). The delivery job of a transaction's messages is enqueued this way: one job, not one
    per message. (A savepoint rolled back keeps the items it added to a batch begun before it:
    their rows are gone, and the batch skips a row it cannot claim.)"""
    after_commit_once(("batched", key), lambda: _Gathered(callback)).items.append(item)


@contextmanager
def savepoint() -> Iterator[None]:
    """Run part of an operation that may fail on its own (one deadline of a batch): on error
    its writes and the after-commit work it registered are undone, and the error is raised
    for the caller to judge; the rest of the operation carries on and commits."""
    pending = _after_commit.get()
    if pending is None:
        raise RuntimeError("savepoint() called outside an operation")
    mark = len(pending)
    nested = db.session.begin_nested()
    try:
        yield
    except BaseException:
        nested.rollback()
        keyed = _keyed.get() or {}
        for callback in pending[mark:]:
            if isinstance(callback, _Once):
                keyed.pop(callback.key, None)
        del pending[mark:]
        raise
    nested.commit()
