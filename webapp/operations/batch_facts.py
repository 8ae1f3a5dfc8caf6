"""Facts read once per batch of deadlines instead of once per deadline.

A batch fires many deadlines of one workspace in one transaction; their handlers ask the same
questions again and again (the manager of a team, the director, a member's row, the WhatsApp
settings). Inside `cached()` each answer is kept for the rest of the batch; outside it every
lookup goes to the database as before. Only facts a fire never changes are kept this way:
memberships, the members of a role and the channel settings (an assignment's loads, which
each reassignment changes, are always counted afresh).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from sqlalchemy import event

from webapp.extensions import db
from webapp.models import Membership
from webapp.tenancy import scoped

T = TypeVar("T")

_facts: ContextVar[dict[Hashable, Any] | None] = ContextVar("batch_facts", default=None)


@contextmanager
def cached() -> Iterator[None]:
    """Keep the facts looked up inside this block until it ends (one batch), and every row
    the session loads meanwhile: the session holds its rows weakly, so a row nothing else
    held (the previous owner, a workspace) was read again by each deadline that asked."""
    token = _facts.set({})
    session = db.session()
    held: list[Any] = []

    def hold(_session: Any, instance: Any) -> None:
        held.append(instance)

    event.listen(session, "loaded_as_persistent", hold)
    try:
        yield
    finally:
        event.remove(session, "loaded_as_persistent", hold)
        _facts.reset(token)


def lookup(key: Hashable, load: Callable[[], T]) -> T:
    """`load()`, or the answer it gave earlier in this batch under the same `key` (which
    names the workspace: a key is never shared by two)."""
    facts = _facts.get()
    if facts is None:
        return load()
    if key not in facts:
        facts[key] = load()
    return facts[key]


def membership(workspace_id: int, user_id: int) -> Membership | None:
    """The user's membership of the workspace."""
    return lookup(
        ("membership", workspace_id, user_id),
        lambda: db.session.scalar(
            scoped(Membership, workspace_id).where(Membership.user_id == user_id)
        ),
    )
