"""Contact cadences fired by a real worker: daily rounds (BDC-5), lost after 7 days (BDC-6),
nurture touches (CPB-9)."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from rq import Queue
from sqlalchemy import select, update

from tenants.durations import Duration
from tenants.profiles import load_profile
from tests.support import BurstWorker
from webapp import policy_versions
from webapp.extensions import db
from webapp.models import (
    AuditEvent,
    Deadline,
    DeadlineState,
    Lead,
    PolicyVersion,
    Role,
    Task,
    TaskState,
)
from webapp.operations import activities, deadlines, outcomes, policies
from webapp.operations.cadences import NURTURE_CLOCK, ROUND_TASK, ROUNDS_CLOCK, TOUCH_TASK
from webapp.operations.lost_proposals import LOST_PROPOSAL
from workers import runtime

TORONTO = ZoneInfo("America/Toronto")
LONDON = ZoneInfo("Europe/London")
MONDAY = date(2026, 11, 16)  # an ordinary week in Quebec: no holiday


def toronto(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TORONTO).astimezone(UTC)


def london(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON).astimezone(UTC)


def _fire_due(redis_conn) -> None:
    runtime.perform("deadline.sweep")
    BurstWorker([Queue("timers", connection=redis_conn)], connection=redis_conn).work(burst=True)


def _pending_clock(workspace, kind: str) -> Deadline | None:
    db.session.expire_all()
    return db.session.scalar(
        select(Deadline).where(
            Deadline.workspace_id == workspace.id,
            Deadline.kind == kind,
            Deadline.state == DeadlineState.PENDING,
        )
    )


def _run_clock(redis_conn, workspace, kind: str, until: datetime) -> list[datetime]:
    """Let the worker fire the workspace's `kind` clock at each of its times up to `until`."""
    fired = []
    while (row := _pending_clock(workspace, kind)) is not None and row.due_at <= until:
        with time_machine.travel(row.due_at + timedelta(seconds=1), tick=False):
            _fire_due(redis_conn)
        fired.append(row.due_at)
    return fired


def _tasks(lead: Lead, kind: str = ROUND_TASK) -> list[Task]:
    db.session.expire_all()
    return db.session.scalars(
        select(Task).where(Task.lead_id == lead.id, Task.kind == kind).order_by(Task.due_at)
    ).all()


@pytest.fixture
def bdc(make_workspace, make_member):
    """A dealership BDC in Toronto (country CA) with one agent, under its profile or `document`."""

    def make(document=None, locale="en"):
        workspace = make_workspace(
            slug="bdc",
            locale=locale,
            time_zone="America/Toronto",
            country="CA",
            policy_document=document or load_profile("dealer_bdc"),
        )
        agent = make_member(workspace, Role.AGENT, name="Agathe Agent")
        return workspace, agent

    return make


def _started(redis_conn, make_lead, workspace, agent, names, at):
    with time_machine.travel(at, tick=False):
        leads = [make_lead(workspace, contact_name=n, owner=agent) for n in names]
        _fire_due(redis_conn)  # the sweep gives the workspace its rounds clock
    return leads


def test_bdc_5_three_rounds_at_09_13_17_toronto_each_for_the_owner(bdc, make_lead, redis_conn):
    workspace, agent = bdc()
    (lead,) = _started(redis_conn, make_lead, workspace, agent, ["Chloé"], toronto(MONDAY, 8))

    fired = _run_clock(redis_conn, workspace, ROUNDS_CLOCK, toronto(MONDAY, 23, 59))

    assert fired == [toronto(MONDAY, 9), toronto(MONDAY, 13), toronto(MONDAY, 17)]
    tasks = _tasks(lead)
    assert [t.due_at for t in tasks] == fired
    assert [t.details["round"] for t in tasks] == [1, 2, 3]
    assert {t.assignee_id for t in tasks} == {agent.id}
    assert tasks[0].details["channels"] == ["call", "sms"]
    # Each round supersedes the last: the agent never has two rounds of one customer.
    assert [(t.state, t.details.get("closed")) for t in tasks] == [
        (TaskState.CANCELLED, "missed"),
        (TaskState.CANCELLED, "missed"),
        (TaskState.OPEN, None),
    ]
    assert _pending_clock(workspace, ROUNDS_CLOCK).due_at == toronto(date(2026, 11, 17), 9)


def test_bdc_5_no_round_on_sunday_nor_on_quebec_holidays(bdc, make_lead, redis_conn):
    workspace, agent = bdc()
    saturday = date(2026, 10, 10)  # then Sunday, then Thanksgiving Monday
    (lead,) = _started(redis_conn, make_lead, workspace, agent, ["Hugo"], toronto(saturday, 8))

    fired = _run_clock(redis_conn, workspace, ROUNDS_CLOCK, toronto(date(2026, 10, 13), 12))

    assert [t.astimezone(TORONTO).strftime("%a %d %H:%M") for t in fired] == [
        "Sat 10 09:00",
        "Sat 10 11:20",
        "Sat 10 13:40",
        "Tue 13 09:00",
    ]
    assert [t.due_at for t in _tasks(lead)] == fired


def test_bdc_5_fete_nationale_has_no_round(bdc, make_lead, redis_conn):
    workspace, agent = bdc()
    eve = date(2026, 6, 23)
    _started(redis_conn, make_lead, workspace, agent, ["Léa"], toronto(eve, 16))

    fired = _run_clock(redis_conn, workspace, ROUNDS_CLOCK, toronto(date(2026, 6, 25), 10))

    assert fired == [toronto(eve, 17), toronto(date(2026, 6, 25), 9)]


def test_bdc_5_reaching_the_customer_after_round_1_stops_rounds_2_and_3(bdc, make_lead, redis_conn):
    workspace, agent = bdc()
    reached, unreached = _started(
        redis_conn, make_lead, workspace, agent, ["Reached Rémi", "Silent Sam"], toronto(MONDAY, 8)
    )
    _run_clock(redis_conn, workspace, ROUNDS_CLOCK, toronto(MONDAY, 9))
    with time_machine.travel(toronto(MONDAY, 10), tick=False):
        outcomes.record_outcome(reached, "reached", actor=agent, channel="call")

    _run_clock(redis_conn, workspace, ROUNDS_CLOCK, toronto(MONDAY, 23))

    assert [t.details["round"] for t in _tasks(unreached)] == [1, 2, 3]
    (only,) = _tasks(reached)
    assert (only.details["round"], only.state, only.details["closed"]) == (
        1,
        TaskState.DONE,
        "done",
    )
    # A new day: every open customer is contacted again.
    _run_clock(redis_conn, workspace, ROUNDS_CLOCK, toronto(MONDAY + timedelta(days=1), 9))
    assert [t.details["day"] for t in _tasks(reached)] == ["2026-11-16", "2026-11-17"]


def test_bdc_5_a_refired_or_overlapping_round_creates_no_duplicate_task(bdc, make_lead, redis_conn):
    workspace, agent = bdc()
    (lead,) = _started(redis_conn, make_lead, workspace, agent, ["Once Only"], toronto(MONDAY, 8))
    _run_clock(redis_conn, workspace, ROUNDS_CLOCK, toronto(MONDAY, 9))
    # A second row of the clock for the same round (an overlap), fired by the worker.
    with time_machine.travel(toronto(MONDAY, 9, 5), tick=False):
        deadlines.schedule(
            workspace.id, ROUNDS_CLOCK, toronto(MONDAY, 9), payload={"handler": ROUNDS_CLOCK}
        )
        _fire_due(redis_conn)
        _fire_due(redis_conn)

    assert [t.details["round"] for t in _tasks(lead)] == [1]
    assert _tasks(lead)[0].state == TaskState.OPEN


def _queue(client, workspace) -> str:
    response = client.get(f"/w/{workspace.slug}/queue/", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _row(page: str, lead: Lead) -> str:
    start = page.index(f'id="q-lead-{lead.id}"')
    return page[start : page.index("</tr>", start)]


def test_bdc_5_the_queue_shows_the_round_due_until_called_and_texted(
    client, bdc, make_lead, redis_conn, login
):
    workspace, agent = bdc()
    (lead,) = _started(
        redis_conn, make_lead, workspace, agent, ["Queued Quinn"], toronto(MONDAY, 8)
    )
    _run_clock(redis_conn, workspace, ROUNDS_CLOCK, toronto(MONDAY, 13))

    with time_machine.travel(toronto(MONDAY, 13, 30), tick=False):
        login(agent)
        page = _queue(client, workspace)
        assert 'data-round="2"' in _row(page, lead) and 'data-round="1"' not in page
        assert "Contact round" in page and "Call, Text message" in page
        activities.log_activity(lead, "call", actor=agent)
        assert 'data-round="2"' in _row(_queue(client, workspace), lead)  # still to text
        activities.log_activity(lead, "sms", actor=agent)
        page = _queue(client, workspace)

    assert 'data-round="2"' not in page and "Contact round" not in page
    _run_clock(redis_conn, workspace, ROUNDS_CLOCK, toronto(MONDAY, 17))
    round_2 = _tasks(lead)[1]
    assert (round_2.state, round_2.details["closed"]) == (TaskState.DONE, "done")


def _walk_to(redis_conn, workspace, day: date, hour: int = 9) -> None:
    _run_clock(redis_conn, workspace, ROUNDS_CLOCK, toronto(day, hour))


def test_bdc_6_seven_days_without_reaching_proposes_perdu_bdc_and_confirm_closes(
    client, bdc, make_lead, redis_conn, login
):
    workspace, agent = bdc(locale="fr")
    (lead,) = _started(redis_conn, make_lead, workspace, agent, ["Gaston"], toronto(MONDAY, 8))
    _walk_to(redis_conn, workspace, MONDAY + timedelta(days=6), hour=23)  # Sunday night
    assert _tasks(lead, LOST_PROPOSAL) == []

    _walk_to(redis_conn, workspace, MONDAY + timedelta(days=7))  # Monday 09:00: day 7

    (proposal,) = _tasks(lead, LOST_PROPOSAL)
    assert (proposal.assignee_id, proposal.details["status"], proposal.details["days"]) == (
        agent.id,
        "lost_bdc",
        7,
    )
    with time_machine.travel(toronto(MONDAY + timedelta(days=7), 10), tick=False):
        login(agent)
        page = client.get(f"/w/bdc/leads/{lead.id}").get_data(as_text=True)
        assert 'data-testid="lost-proposal"' in page and "Perdu BDC" in page  # the policy's label
        response = client.post(f"/w/bdc/leads/{lead.id}/lost-proposal/confirm")
    assert response.status_code == 302

    db.session.expire_all()
    assert db.session.get(Lead, lead.id).status == "lost_bdc"
    assert db.session.get(Task, proposal.id).state == TaskState.DONE
    event = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "lead.status", AuditEvent.subject_id == lead.id
        )
    ).one()
    assert (event.actor_id, event.before, event.after) == (
        agent.id,
        {"status": "new"},
        {"status": "lost_bdc"},
    )
    assert "lost proposal confirmed" in event.reason
    # A closed file gets no more rounds, and its last round leaves the queue.
    _walk_to(redis_conn, workspace, MONDAY + timedelta(days=7), hour=13)
    assert _tasks(lead)[-1].details["closed"] == "left the cadence"
    assert _tasks(lead)[-1].due_at == toronto(MONDAY + timedelta(days=7), 9)


def test_bdc_6_a_customer_reached_on_day_5_restarts_the_count(bdc, make_lead, redis_conn):
    workspace, agent = bdc()
    (lead,) = _started(redis_conn, make_lead, workspace, agent, ["Rita"], toronto(MONDAY, 8))
    day_5 = MONDAY + timedelta(days=5)
    _walk_to(redis_conn, workspace, day_5)
    with time_machine.travel(toronto(day_5, 10), tick=False):
        outcomes.record_outcome(lead, "reached", actor=agent)

    _walk_to(redis_conn, workspace, day_5 + timedelta(days=6), hour=23)
    assert _tasks(lead, LOST_PROPOSAL) == []
    _walk_to(redis_conn, workspace, day_5 + timedelta(days=7))
    assert [p.details["days"] for p in _tasks(lead, LOST_PROPOSAL)] == [7]


def test_bdc_6_dismissing_keeps_the_lead_and_proposes_again_after_7_more_days(
    client, bdc, make_lead, redis_conn, login
):
    workspace, agent = bdc()
    (lead,) = _started(redis_conn, make_lead, workspace, agent, ["Denis"], toronto(MONDAY, 8))
    day_7 = MONDAY + timedelta(days=7)
    _walk_to(redis_conn, workspace, day_7)
    with time_machine.travel(toronto(day_7, 10), tick=False):
        login(agent)
        response = client.post(
            f"/w/bdc/leads/{lead.id}/lost-proposal/dismiss", headers={"HX-Request": "true"}
        )
        assert response.status_code == 200
        assert 'data-testid="lost-proposal"' not in response.get_data(as_text=True)
        again = client.post(
            f"/w/bdc/leads/{lead.id}/lost-proposal/confirm", headers={"HX-Request": "true"}
        )
        assert again.status_code == 409  # nothing left to confirm
    assert db.session.get(Lead, lead.id).status == "new"

    _walk_to(redis_conn, workspace, day_7 + timedelta(days=6), hour=23)
    assert [p.state for p in _tasks(lead, LOST_PROPOSAL)] == [TaskState.CANCELLED]
    _walk_to(redis_conn, workspace, day_7 + timedelta(days=7))
    assert [p.state for p in _tasks(lead, LOST_PROPOSAL)] == [TaskState.CANCELLED, TaskState.OPEN]


def test_bdc_6_only_the_owner_or_a_manager_settles_a_proposal(
    client, bdc, make_lead, make_member, redis_conn, login
):
    workspace, agent = bdc()
    other = make_member(workspace, Role.AGENT, name="Other Agent")
    (lead,) = _started(redis_conn, make_lead, workspace, agent, ["Mine"], toronto(MONDAY, 8))
    _walk_to(redis_conn, workspace, MONDAY + timedelta(days=7))

    login(other)
    assert client.post(f"/w/bdc/leads/{lead.id}/lost-proposal/confirm").status_code == 403
    assert db.session.get(Lead, lead.id).status == "new"


def test_bdc_6_without_confirmation_the_lead_is_lost_on_day_7(bdc, make_lead, redis_conn):
    document = load_profile("dealer_bdc")
    document["cadences"][0]["lost_requires_confirmation"] = False
    workspace, agent = bdc(document=document)
    (lead,) = _started(redis_conn, make_lead, workspace, agent, ["Auto"], toronto(MONDAY, 8))

    _walk_to(redis_conn, workspace, MONDAY + timedelta(days=7))

    db.session.expire_all()
    assert db.session.get(Lead, lead.id).status == "lost_bdc"
    assert _tasks(lead, LOST_PROPOSAL) == []
    event = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "lead.status", AuditEvent.subject_id == lead.id
        )
    ).one()
    assert event.actor_id is None and "7 days without reaching" in event.reason
    assert [t.due_at for t in _tasks(lead)][-1] < toronto(MONDAY + timedelta(days=7), 9)


@pytest.fixture
def partner_leads(make_workspace, make_member, make_lead, redis_conn):
    workspace = make_workspace(
        slug="partners",
        time_zone="Europe/London",
        country="GB",
        policy_document=load_profile("cpb_partner_leads"),
    )
    partner = make_member(workspace, Role.AGENT, name="Pat Partner")
    with time_machine.travel(london(date(2026, 11, 2), 10), tick=False):  # a Monday
        renewal = make_lead(workspace, contact_name="Renewal Rae", owner=partner, lead_type="RQL")
        meeting = make_lead(workspace, contact_name="Meeting Max", owner=partner, lead_type="AQL")
        _fire_due(redis_conn)
    return workspace, partner, renewal, meeting


def test_cpb_9_rql_gets_a_touch_every_14_days_since_the_last_and_aql_none(
    partner_leads, redis_conn
):
    workspace, partner, renewal, meeting = partner_leads
    _run_clock(redis_conn, workspace, NURTURE_CLOCK, london(date(2026, 11, 13), 18))
    assert _tasks(renewal, TOUCH_TASK) == []

    fired = _run_clock(redis_conn, workspace, NURTURE_CLOCK, london(date(2026, 11, 16), 9))

    assert fired[-1] == london(date(2026, 11, 16), 9)  # each open day's opening
    (touch,) = _tasks(renewal, TOUCH_TASK)
    assert (touch.assignee_id, touch.due_at, touch.details["channels"]) == (
        partner.id,
        london(date(2026, 11, 16), 9),
        ["email", "call"],
    )
    assert _tasks(meeting, TOUCH_TASK) == []
    # Touched on the 17th: that touch is done, the next one is due 14 days later.
    with time_machine.travel(london(date(2026, 11, 17), 11), tick=False):
        activities.log_activity(renewal, "email", actor=partner)
    _run_clock(redis_conn, workspace, NURTURE_CLOCK, london(date(2026, 11, 30), 18))
    (done,) = _tasks(renewal, TOUCH_TASK)
    assert (done.state, done.details["closed"]) == (TaskState.DONE, "touched")
    _run_clock(redis_conn, workspace, NURTURE_CLOCK, london(date(2026, 12, 1), 9))
    assert [t.due_at for t in _tasks(renewal, TOUCH_TASK)] == [
        london(date(2026, 11, 16), 9),
        london(date(2026, 12, 1), 9),
    ]
    assert _tasks(meeting, TOUCH_TASK) == []


def test_cpb_9_an_untouched_lead_keeps_one_touch_not_one_a_day(partner_leads, redis_conn):
    workspace, _partner, renewal, _meeting = partner_leads

    _run_clock(redis_conn, workspace, NURTURE_CLOCK, london(date(2026, 11, 20), 9))

    assert [t.state for t in _tasks(renewal, TOUCH_TASK)] == [TaskState.OPEN]


def test_bdc_6_a_stored_policy_version_with_lost_after_days_still_loads_and_loses(
    bdc, make_lead, redis_conn
):
    """BDC-6, issue 9 item 20: policy_versions rows written before `lost_after` was a typed
    duration hold `lost_after_days: 7`; such a database keeps working (lost on day 7)."""
    document = load_profile("dealer_bdc")
    document["cadences"][0]["lost_requires_confirmation"] = False
    workspace, agent = bdc(document=document)
    version = db.session.get(PolicyVersion, workspace.active_policy_version_id)
    old = copy.deepcopy(version.document)
    del old["cadences"][0]["lost_after"]
    old["cadences"][0]["lost_after_days"] = 7
    db.session.execute(
        update(PolicyVersion).where(PolicyVersion.id == version.id).values(document=old)
    )
    db.session.commit()
    policy_versions._validated.clear()  # as a worker that starts on the old database
    assert policies.active_policy(workspace).cadences[0].lost_after == Duration.parse("7d")

    (lead,) = _started(redis_conn, make_lead, workspace, agent, ["Ancien"], toronto(MONDAY, 8))
    _walk_to(redis_conn, workspace, MONDAY + timedelta(days=6), hour=23)
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).status != "lost_bdc"
    _walk_to(redis_conn, workspace, MONDAY + timedelta(days=7))
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).status == "lost_bdc"


def test_bdc_6_a_lost_after_of_hours_loses_the_lead_the_same_day(bdc, make_lead, redis_conn):
    """BDC-6, issue 9 item 20: `lost_after` takes any duration ("4h" here, as a test would),
    counted in elapsed time since the lead came in without reaching the customer."""
    document = load_profile("dealer_bdc")
    document["cadences"][0].update(lost_after="4h", lost_requires_confirmation=False)
    workspace, agent = bdc(document=document)
    (lead,) = _started(redis_conn, make_lead, workspace, agent, ["Pressé"], toronto(MONDAY, 8))

    _walk_to(redis_conn, workspace, MONDAY, hour=9)  # round 1, an hour in: still open
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).status != "lost_bdc"
    _walk_to(redis_conn, workspace, MONDAY, hour=13)  # round 2, five hours in: lost
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).status == "lost_bdc"
