"""Policy replays: requested by a person, then claimed, advanced and finished by the job
(a tracked run: `tracked_runs`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tenants.errors import Refusal
from tenants.markers import N_
from webapp import job_names, redis_client
from webapp.errors import UserError
from webapp.extensions import db
from webapp.models import PolicyReplay, PolicyVersion, User, Workspace

from . import audit, tracked_runs
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
        raise UserError("draft", Refusal(N_("the workspace has no active policy to compare with")))
    if draft.workspace_id != workspace.id:
        raise UserError("draft", Refusal(N_("the version belongs to another workspace")))
    if period_end <= period_start:
        raise UserError("period_end", Refusal(N_("the period must end after it starts")))
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


@operation
def claim(replay_id: int) -> bool:
    return tracked_runs.claim(PolicyReplay, replay_id)


@operation
def record_progress(replay_id: int, percent: int) -> None:
    tracked_runs.record_progress(PolicyReplay, replay_id, percent)


@operation
def finish(replay_id: int, result: dict[str, Any]) -> bool:
    """Store the result; only the first run to finish writes it."""
    return tracked_runs.finish(PolicyReplay, replay_id, result=result)


@operation
def fail(replay_id: int, error: str) -> None:
    tracked_runs.fail(PolicyReplay, replay_id, error)
