"""Deadlines fire in batches (issue 17 item 1): the job of a due second drains every due row,
a workspace per transaction, and keeps the promises of one job per deadline (ALL-4): each
fires once, never early, an archived workspace's not at all, and one that fails is left
pending for later without costing the others theirs."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import time_machine
from rq import Queue
from rq.registry import ScheduledJobRegistry
from sqlalchemy import func, select

from tenants.profiles import load_profile
from tests.support import BurstWorker
from webapp.clock import now
from webapp.extensions import db
from webapp.live_versions import QUEUES, TEAM
from webapp.models import AuditEvent, Deadline, DeadlineState, Lead, Notification, Role
from webapp.operations import audit, deadlines, leads, workspaces
from workers import runtime

TIMER = "follow_up_sla"
# Deadline kinds these tests give a handler of their own (as tests/test_clock_faults.py does).
FLAKY = "deadline_batches.flaky"
BUMPS = "deadline_batches.bumps"
calls: Counter[int] = Counter()  # deadline id → how often FLAKY's handler ran
broken: set[int] = set()  # the FLAKY deadlines whose handler raises


@deadlines.on_fire(FLAKY)
def _flaky(deadline: Deadline) -> None:
    """Writes (an audit row, a new deadline and its job) and then fails, if it is broken."""
    calls[deadline.id] += 1
    audit.record(deadline.workspace_id, "flaky.ran", deadline, actor=None)
    deadlines.schedule(deadline.workspace_id, "flaky.next", now() + timedelta(days=3))
    if deadline.id in broken:
        raise RuntimeError("this deadline's handler is broken")


@deadlines.on_fire(BUMPS)
def _bumps(deadline: Deadline) -> None:
    QUEUES.bump_after_commit(deadline.workspace_id, (deadline.payload["user_id"],))


def _policy() -> dict:
    """A blank policy whose 1 h timer tells the assignee in-app and flags the breach."""
    document = load_profile("blank")
    document["timers"] = [
        {
            "name": TIMER,
            "starts_on": "lead.assigned",
            "duration": "1h",
            "clock": "wall",
            "actions": [
                {
                    "kind": "notify",
                    "roles": ["assignee", "manager"],
                    "channels": ["in_app"],
                    "template": "contact_sla_missed",
                },
                {"kind": "flag_breach", "flag": "follow_up_breach"},
            ],
        }
    ]
    return document


def _drain(redis_conn) -> None:
    """Run every queued job with a real worker, in this process, until the queues are empty."""
    queues = [Queue(name, connection=redis_conn) for name in ("timers", "notify", "default")]
    BurstWorker(queues, connection=redis_conn).work(burst=True)


def _fired_events(ids: list[int]) -> Counter[int]:
    rows = db.session.scalars(
        select(AuditEvent.subject_id).where(
            AuditEvent.action == "deadline.fired",
            AuditEvent.subject_type == Deadline.__tablename__,
            AuditEvent.subject_id.in_(ids),
        )
    )
    return Counter(rows)


def _states(ids: list[int]) -> dict[int, DeadlineState]:
    db.session.expire_all()
    return dict(
        db.session.execute(select(Deadline.id, Deadline.state).where(Deadline.id.in_(ids))).all()
    )


def test_a_batch_of_due_timers_over_three_workspaces_fires_each_once(
    make_workspace, make_member, redis_conn
):
    """ALL-4: 3 workspaces' 60 policy timers due in one second, drained by its one job in
    batches (of DRAIN_BATCH, one workspace each): each fired once with its actions (messages,
    flag), the leads' queue positions moved on."""
    received = now()
    timer_ids, lead_ids = [], []
    for _ in range(3):
        workspace = make_workspace(policy_document=_policy())
        agent = make_member(workspace, Role.AGENT)
        make_member(workspace, Role.MANAGER)
        with time_machine.travel(received, tick=False):
            made = [
                leads.create_lead(workspace, contact_name=f"C{n}", actor=None, owner=agent).id
                for n in range(60)
            ]
        lead_ids += made
        timer_ids += db.session.scalars(
            select(Deadline.id).where(Deadline.lead_id.in_(made), Deadline.kind == TIMER)
        ).all()
    assert len(timer_ids) == 180
    # They are all due in the same second: one job, not 180.
    assert ScheduledJobRegistry("timers", connection=redis_conn).count == 1
    with time_machine.travel(received + timedelta(hours=1, seconds=1), tick=False):
        assert deadlines.enqueue_due() == 1  # its job (no scheduler runs here), queued at once
        _drain(redis_conn)
        assert runtime.perform("deadline.drain", 0) == 0  # a second job finds nothing left
    assert set(_states(timer_ids).values()) == {DeadlineState.FIRED}
    assert set(_fired_events(timer_ids).values()) == {1} and len(_fired_events(timer_ids)) == 180
    told = db.session.scalar(
        select(func.count(Notification.id)).where(Notification.template == "contact_sla_missed")
    )
    assert told == 180 * 2  # the assignee and the workspace's manager, each once
    flagged = db.session.scalars(select(Lead).where(Lead.id.in_(lead_ids))).all()
    assert all(lead.attributes.get("flags") == ["follow_up_breach"] for lead in flagged)
    assert all(lead.next_due_at is None for lead in flagged)  # nothing pending any more


def test_a_failing_deadline_is_left_pending_and_the_rest_of_its_batch_fires(
    make_workspace, redis_conn
):
    """One handler raises: its writes and its after-commit work are undone, it stays pending
    and is tried again only later (not by every due second's job); the others fire once."""
    workspace = make_workspace()
    due = now() + timedelta(minutes=5)
    ids = [deadlines.schedule(workspace.id, FLAKY, due).id for _ in range(5)]
    bad = ids[2]
    broken.add(bad)
    calls.clear()
    try:
        with time_machine.travel(due, tick=False):
            assert runtime.perform("deadline.drain", 0) == 4
            assert runtime.perform("deadline.drain", 0) == 0  # not tried again straight away
        assert calls == Counter(dict.fromkeys(ids, 1))
        states = _states(ids)
        assert states.pop(bad) == DeadlineState.PENDING
        assert set(states.values()) == {DeadlineState.FIRED}
        assert bad not in _fired_events(ids)
        ran = db.session.scalars(
            select(AuditEvent.subject_id).where(AuditEvent.action == "flaky.ran")
        )
        assert sorted(ran) == sorted(set(ids) - {bad})  # the failed one's audit row undone
        made = db.session.scalar(select(func.count()).where(Deadline.kind == "flaky.next"))
        assert made == 4
        next_jobs = ScheduledJobRegistry("timers", connection=redis_conn).get_job_ids()
        assert len(next_jobs) == 2  # the five's own second, and the four new ones' second
    finally:
        broken.discard(bad)

    # Mended, it fires at the first sweep after the retry delay, once.
    with time_machine.travel(due + deadlines.RETRY_FAILED_AFTER + timedelta(seconds=1)):
        assert runtime.perform("deadline.sweep") == 1
        _drain(redis_conn)
    assert _states([bad]) == {bad: DeadlineState.FIRED}
    assert _fired_events(ids) == Counter(dict.fromkeys(ids, 1))
    assert calls[bad] == 2


def test_a_batch_fires_nothing_before_it_is_due(make_workspace):
    """ALL-4: a drain run a moment early (RQ may release a job early) fires only what is due."""
    workspace = make_workspace()
    due = now().replace(microsecond=0) + timedelta(minutes=10)
    just_before = deadlines.schedule(workspace.id, "sla", due - timedelta(microseconds=1)).id
    on_time = deadlines.schedule(workspace.id, "sla", due).id
    late = deadlines.schedule(workspace.id, "sla", due + timedelta(milliseconds=300)).id
    assert deadlines.job_id_for_due(due + timedelta(milliseconds=300)) == deadlines.drain_job_id(
        int(due.timestamp()) + 1
    )  # rounded up: its second's job is never released before it is due
    with time_machine.travel(due - timedelta(microseconds=2), tick=False):
        assert runtime.perform("deadline.drain", 0) == 0
    with time_machine.travel(due, tick=False):
        assert runtime.perform("deadline.drain", 0) == 2
    assert _states([just_before, on_time, late]) == {
        just_before: DeadlineState.FIRED,
        on_time: DeadlineState.FIRED,
        late: DeadlineState.PENDING,
    }


def test_an_archived_workspaces_deadlines_do_not_fire_in_a_batch(make_workspace):
    """An archived workspace's clocks stand still; the live one's due beside it fire."""
    archived, live = make_workspace(), make_workspace()
    due = now() + timedelta(minutes=5)
    still = [deadlines.schedule(archived.id, "sla", due).id for _ in range(3)]
    fired = [deadlines.schedule(live.id, "sla", due).id for _ in range(3)]
    workspaces.set_archived(archived, True, actor=None)
    with time_machine.travel(due + timedelta(minutes=1), tick=False):
        assert deadlines.enqueue_due() == 1  # the live workspace's second only
        assert runtime.perform("deadline.drain", 0) == 3
        assert runtime.perform("deadline.drain", 0) == 0
    states = _states(still + fired)
    assert {states[i] for i in still} == {DeadlineState.PENDING}
    assert {states[i] for i in fired} == {DeadlineState.FIRED}


def test_a_batch_bumps_each_workspaces_live_queue_once(make_workspace, make_user):
    """The queue versions a batch moves are bumped in one round trip per workspace."""
    workspace = make_workspace()
    people = [make_user().id for _ in range(3)]
    due = now() + timedelta(minutes=5)
    for n in range(9):
        deadlines.schedule(workspace.id, BUMPS, due, payload={"user_id": people[n % 3]})
    with time_machine.travel(due, tick=False):
        assert runtime.perform("deadline.drain", 0) == 9
    assert QUEUES.current(workspace.id, TEAM) == 1
    assert [QUEUES.current(workspace.id, person) for person in people] == [1, 1, 1]
