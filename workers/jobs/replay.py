"""Policy replay job: re-run a draft policy over a past period and store what would differ."""

from __future__ import annotations

from webapp.operations import replay_run as replay


def run(replay_id: int) -> bool:
    """Compute and store the replay's result; a no-op once it is done (idempotent)."""
    return replay.execute(replay_id)
