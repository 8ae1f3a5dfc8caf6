"""Deadline jobs: drain the due ones in batches (the fast path, one job per due second), fire
one by id (jobs enqueued before batches existed), and sweep for due ones (the safety net)."""

from __future__ import annotations

from webapp.operations import deadlines, recurring


def drain(second: int) -> int:
    """Fire every deadline due by now, in batches; `second` is the due second the job was
    scheduled for (a log's clue: it fires whatever is due, of that second or earlier)."""
    return deadlines.drain()


def fire(deadline_id: int) -> bool:
    """Fire the deadline if it is still pending and due; a no-op otherwise."""
    return deadlines.fire(deadline_id)


def sweep() -> int:
    """Enqueue the drain job of every due second with a pending deadline whose job is not
    under way, and give every workspace its recurring clocks (roster, cut-off, rounds) if a
    row is missing; returns how many jobs it enqueued."""
    recurring.ensure_all()
    return deadlines.enqueue_due()
