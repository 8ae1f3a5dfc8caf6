"""Policy replays: requested by a person, then claimed, advanced and finished by the job."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update

from webapp import job_names, redis_client
from webapp.clock import now
from webapp.errors import UserError
from webapp.extensions import db
from webapp.models import PolicyReplay, PolicyVersion, ReplayState, User, Workspace

from . import audit
from .unit import after_commit, operation


def job_id_for(replay_id: int) -> str:
    # One job per replay: asking twice replaces the queued job instead of adding one.
    return f"policy-replay-{replay_id}"


@operation
def start_replay(
    workspace: Workspace,
    draft: PolicyVersion,
    period_start: datetime,
    period_end: datetime,
    *,
    actor: User | None,
) -> PolicyReplay:
    """Record a replay of `draft` against the active version and queue its job after commit."""
    baseline_id = workspace.active_policy_version_id
    if baseline_id is None:
        raise UserError("draft", "the workspace has no active policy to compare with")
    if draft.workspace_id != workspace.id:
        raise UserError("draft", "the version belongs to another workspace")
    if period_end <= period_start:
        raise UserError("period_end", "the period must end after it starts")
    replay = PolicyReplay(
        workspace_id=workspace.id,
        draft_version_id=draft.id,
        baseline_version_id=baseline_id,
        period_start=period_start,
        period_end=period_end,
        requested_by_id=actor.id if actor else None,
    )
    db.session.add(replay)
    audit.record(
        workspace.id,
        "policy.replay_requested",
        replay,
        actor=actor,
        after={
            "draft_version_id": draft.id,
            "baseline_version_id": baseline_id,
            "period_start": period_start.isoformat(),
            "period_end": period_end.isoformat(),
        },
    )
    replay_id = replay.id
    after_commit(
        lambda: redis_client.enqueue(
            "default", job_names.POLICY_REPLAY, replay_id, job_id=job_id_for(replay_id)
        )
    )
    return replay


def _set(replay_id: int, *states: ReplayState, **values: Any) -> bool:
    """Compare-and-set: update the replay only while it is in one of `states`."""
    changed = db.session.execute(
        update(PolicyReplay)
        .where(PolicyReplay.id == replay_id, PolicyReplay.state.in_(states))
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    return bool(changed)


@operation
def claim(replay_id: int) -> bool:
    """Mark the replay running; False once it is done or failed, so it is not recomputed.

    A running replay may be claimed again: its worker died and RQ retried the job.
    """
    return _set(replay_id, ReplayState.QUEUED, ReplayState.RUNNING, state=ReplayState.RUNNING)


@operation
def record_progress(replay_id: int, percent: int) -> None:
    _set(replay_id, ReplayState.RUNNING, progress=max(0, min(99, percent)))


@operation
def finish(replay_id: int, result: dict[str, Any]) -> bool:
    """Store the result; only the first run to finish writes it."""
    return _set(
        replay_id,
        ReplayState.RUNNING,
        state=ReplayState.DONE,
        progress=100,
        result=result,
        finished_at=now(),
    )


@operation
def fail(replay_id: int, error: str) -> None:
    _set(
        replay_id,
        ReplayState.QUEUED,
        ReplayState.RUNNING,
        state=ReplayState.FAILED,
        error=error[:2000],
        finished_at=now(),
    )
