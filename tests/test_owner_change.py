"""A change of owner by any path ends the previous owner's clocks and starts the new owner's.

CCIMA-6 (issue 9 item 1): a manager reassigned a lead from advisor A to advisor B and the lead
kept A's 10-minute contact SLA beside B's; A's fired first and took the lead from B. Every
path that gives a lead to someone (the manager's Reassign, a claim, the API's /assign, the
SLA's own reassignment) goes through one operation, and a lead has at most one pending
deadline per timer. A real RQ worker fires the deadlines while time_machine moves the clock.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tenants.profiles import load_profile
from tests.api_helpers import key_headers
from tests.test_partner_clocks import T0, _allocate, cpb  # noqa: F401 (cpb: a fixture)
from tests.test_timer_actions import NOON, _contact_center, _fire_due
from webapp.extensions import db
from webapp.models import AuditEvent, Deadline, DeadlineState, Lead, Notification, Role, User
from webapp.operations import activities, assignment, users, workspaces
from webapp.operations.intake import IntakeRequest, receive_lead

SLA = timedelta(minutes=10)


def _received(workspace) -> Lead:
    with time_machine.travel(NOON, tick=False):
        return receive_lead(
            workspace,
            IntakeRequest("Prospecto", phone="55 1234 5678", source="digital_marketing"),
            actor=None,
        ).lead


def _pending(lead_id: int, kind: str = "contact_sla") -> list[Deadline]:
    return list(
        db.session.scalars(
            select(Deadline).where(
                Deadline.lead_id == lead_id,
                Deadline.kind == kind,
                Deadline.state == DeadlineState.PENDING,
            )
        )
    )


def _fired(lead_id: int, kind: str = "contact_sla") -> int:
    return db.session.scalar(
        select(func.count(Deadline.id)).where(
            Deadline.lead_id == lead_id,
            Deadline.kind == kind,
            Deadline.state == DeadlineState.FIRED,
        )
    )


def _sla_reassignments(lead_id: int) -> int:
    """How many times a timer's reassign action took the lead (top performer, CCIMA-6)."""
    return db.session.scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "lead.assigned",
            AuditEvent.subject_id == lead_id,
            AuditEvent.reason.like("top_performer%"),
        )
    )


def _other(advisors: list[User], *not_these: int) -> User:
    return next(a for a in advisors if a.id not in not_these)


def _signed_in(app, user):
    client = app.test_client()
    response = client.post(
        "/login", data={"email": user.email, "password": "correct horse battery"}
    )
    assert response.status_code == 302
    return client


def _reassign_on_the_web(app, manager, lead, to) -> None:
    response = _signed_in(app, manager).post(
        f"/w/cc/queue/leads/{lead.id}/reassign",
        data={"to": to.id},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200, response.get_data(as_text=True)


def _reassign_over_the_api(client, workspace, lead, to) -> None:
    response = client.post(
        f"/api/v1/leads/{lead.id}/assign",
        json={"owner_id": to.id},
        headers=key_headers(workspace, role="manager"),
    )
    assert response.status_code == 200, response.json
    assert response.json["owner"]["id"] == to.id


@pytest.mark.parametrize("path", ["web", "api"])
def test_ccima_6_after_a_reassignment_only_the_new_advisors_contact_sla_runs_and_fires_once(
    app, client, make_workspace, make_member, redis_conn, path
):
    """CCIMA-6, issue 9 item 1: reassigned from A to B four minutes in (by a manager on the
    web, or a manager's API key), the lead has B's 10 minutes only; moved past both due
    times, exactly one reassignment happens (at B's), with one set of three messages."""
    workspace, manager, _director, advisors = _contact_center(make_workspace, make_member)
    lead = _received(workspace)
    first = lead.owner_id
    second = _other(advisors, first)
    with time_machine.travel(NOON + timedelta(minutes=4), tick=False):
        if path == "web":
            _reassign_on_the_web(app, manager, lead, second)
        else:
            _reassign_over_the_api(client, workspace, lead, second)
    db.session.expire_all()
    assert [d.due_at for d in _pending(lead.id)] == [NOON + timedelta(minutes=4) + SLA]

    with time_machine.travel(NOON + SLA + timedelta(seconds=30), tick=False):
        _fire_due(redis_conn)  # A's old due time: nothing of A's is left to fire
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).owner_id == second.id

    with time_machine.travel(NOON + timedelta(minutes=14, seconds=30), tick=False):
        _fire_due(redis_conn)  # past both due times
    db.session.expire_all()
    assert _fired(lead.id) == 1
    assert _sla_reassignments(lead.id) == 1
    assert db.session.get(Lead, lead.id).owner_id not in (None, second.id)
    assert db.session.scalar(select(func.count(Notification.id))) == 3
    assert len(_pending(lead.id)) == 1  # the third advisor's fresh 10 minutes


@pytest.mark.parametrize("path", ["web", "api"])
def test_ccima_6_a_call_by_the_new_advisor_in_time_means_no_reassignment_at_all(
    app, client, make_workspace, make_member, redis_conn, path
):
    """CCIMA-6, issue 9 item 1: B, given the lead four minutes in, calls 12 minutes in, after
    A's 10 minutes would have run out but within B's own: past both due times nothing
    fires, B keeps the lead, nobody is told."""
    workspace, manager, _director, advisors = _contact_center(make_workspace, make_member)
    lead = _received(workspace)
    second = _other(advisors, lead.owner_id)
    with time_machine.travel(NOON + timedelta(minutes=4), tick=False):
        if path == "web":
            _reassign_on_the_web(app, manager, lead, second)
        else:
            _reassign_over_the_api(client, workspace, lead, second)
    with time_machine.travel(NOON + timedelta(minutes=12), tick=False):
        activities.log_activity(db.session.get(Lead, lead.id), "call", actor=second)
    with time_machine.travel(NOON + timedelta(minutes=30), tick=False):
        _fire_due(redis_conn)
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).owner_id == second.id
    assert _fired(lead.id) == 0 and _sla_reassignments(lead.id) == 0
    assert db.session.scalars(select(Notification)).all() == []


def test_ccima_6_a_claimed_lead_gets_the_claimers_clock_once_and_one_reassignment(
    app, make_workspace, make_member, make_lead, redis_conn
):
    """CCIMA-6, issue 9 item 1: a claim is a change of owner like any other: the claimer's
    10 minutes start (one pending contact SLA), and past them one reassignment happens."""
    workspace, _manager, _director, advisors = _contact_center(make_workspace, make_member)
    with time_machine.travel(NOON, tick=False):
        lead = make_lead(workspace, contact_name="Sin asesor", source="digital_marketing")
        assert _pending(lead.id) == []
        response = _signed_in(app, advisors[1]).post(
            f"/w/cc/queue/leads/{lead.id}/claim", headers={"HX-Request": "true"}
        )
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).owner_id == advisors[1].id
    assert [d.due_at for d in _pending(lead.id)] == [NOON + SLA]
    with time_machine.travel(NOON + timedelta(minutes=25), tick=False):
        _fire_due(redis_conn)
    db.session.expire_all()
    assert _fired(lead.id) == 1 and _sla_reassignments(lead.id) == 1
    assert db.session.get(Lead, lead.id).owner_id != advisors[1].id


def test_ccima_6_the_slas_own_reassignment_ends_every_clock_of_the_advisor_it_takes_from(
    make_workspace, make_member, redis_conn
):
    """CCIMA-6, issue 9 item 1: when the contact SLA reassigns the lead, the previous
    advisor's other clocks (here a one-hour follow-up, also started by lead.assigned) end
    with it, and the new advisor's start: one pending deadline per timer."""
    document = load_profile("ccima_contact_center")
    document["timers"].append(
        {
            "name": "follow_up",
            "starts_on": "lead.assigned",
            "duration": "1h",
            "clock": "business",
            "actions": [{"kind": "flag_breach", "flag": "follow_up_late"}],
        }
    )
    workspace, _manager, _director, _advisors = _contact_center(
        make_workspace, make_member, document
    )
    lead = _received(workspace)
    first = lead.owner_id
    with time_machine.travel(NOON + SLA + timedelta(seconds=1), tick=False):
        _fire_due(redis_conn)
    db.session.expire_all()
    lead = db.session.get(Lead, lead.id)
    assert lead.owner_id not in (None, first)
    moved = NOON + SLA + timedelta(seconds=1)
    assert [d.due_at for d in _pending(lead.id, "follow_up")] == [moved + timedelta(hours=1)]
    assert [d.due_at for d in _pending(lead.id)] == [moved + SLA]
    with time_machine.travel(NOON + timedelta(hours=1, minutes=5), tick=False):
        _fire_due(redis_conn)  # the first advisor's hour is over: nothing of theirs fires
    db.session.expire_all()
    assert _fired(lead.id, "follow_up") == 0


def test_ccima_6_a_timer_the_policy_does_not_tie_to_the_owner_keeps_running_through_a_handover(
    make_workspace, make_member
):
    """CCIMA-6, issue 9 item 1 (`timers.*.follows_owner`): a lead.assigned timer set not to
    follow the owner is the lead's, not the advisor's: a reassignment neither ends nor
    restarts it, and a lead.created timer set to follow the owner restarts for the new one."""
    document = load_profile("ccima_contact_center")
    document["timers"] += [
        {
            "name": "first_answer",
            "starts_on": "lead.assigned",
            "follows_owner": False,
            "duration": "2h",
            "clock": "wall",
            "actions": [{"kind": "flag_breach", "flag": "slow_first_answer"}],
        },
        {
            "name": "qualify",
            "starts_on": "lead.created",
            "follows_owner": True,
            "duration": "3h",
            "clock": "wall",
            "actions": [{"kind": "flag_breach", "flag": "unqualified"}],
        },
    ]
    workspace, manager, _director, advisors = _contact_center(make_workspace, make_member, document)
    lead = _received(workspace)
    later = NOON + timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        assignment.reassign(lead, _other(advisors, lead.owner_id), actor=manager)
    assert [d.due_at for d in _pending(lead.id, "first_answer")] == [NOON + timedelta(hours=2)]
    assert [d.due_at for d in _pending(lead.id, "qualify")] == [later + timedelta(hours=3)]
    assert [d.due_at for d in _pending(lead.id)] == [later + SLA]


def test_ccima_6_the_database_refuses_a_second_pending_deadline_of_one_timer(
    make_workspace, make_member
):
    """CCIMA-6, issue 9 item 1: one pending deadline per lead and timer is also the
    database's rule (a partial unique index), not only the code's."""
    workspace, _manager, _director, _advisors = _contact_center(make_workspace, make_member)
    lead = _received(workspace)
    (running,) = _pending(lead.id)
    db.session.add(
        Deadline(
            workspace_id=workspace.id,
            lead_id=lead.id,
            kind="contact_sla",
            due_at=running.due_at + SLA,
            payload={},
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_cpb_2_a_lead_reallocated_by_hand_to_another_partner_keeps_only_the_new_partners_clocks(
    cpb,  # noqa: F811
    make_user,
    redis_conn,
):
    """CPB-2..4, issue 9 item 1: partner allocation is a change of owner too. The manager
    hands an allocated lead to another organisation's partner a few hours in: the first
    partner's review, follow-up and feedback clocks (and their reminders) end, the second's
    start in full, one pending deadline per timer; the first partner's 24 hours pass
    without a breach."""
    cpb_ = cpb
    lead = _allocate(cpb_)
    first_partner = lead.owner_id
    contoso = workspaces.create_partner_organisation(cpb_.workspace, "Contoso", actor=None)
    other = make_user(name="Pat Partner")
    users.add_member(cpb_.workspace, other, Role.PARTNER, actor=None, partner_organisation=contoso)
    later = T0 + timedelta(hours=3)
    with time_machine.travel(later, tick=False):
        assignment.reassign(lead, other, actor=cpb_.manager)
    db.session.expire_all()
    lead = db.session.get(Lead, lead.id)
    assert (lead.owner_id, lead.partner_organisation_id) == (other.id, contoso.id)
    assert first_partner != other.id
    for kind, length in (
        ("partner_review", timedelta(hours=24)),
        ("partner_follow_up", timedelta(hours=48)),
        ("feedback_window", timedelta(weeks=1)),
    ):
        assert [d.due_at for d in _pending(lead.id, kind)] == [later + length]
    reminders = _pending(lead.id, "timer.reminder")
    assert sorted(d.due_at for d in reminders) == [
        later + timedelta(hours=20),
        later + timedelta(hours=24),
    ]
    with time_machine.travel(T0 + timedelta(hours=25), tick=False):
        _fire_due(redis_conn)
    db.session.expire_all()
    assert "review_sla_breach" not in db.session.get(Lead, lead.id).attributes.get("flags", [])


def test_ccima_6_the_migration_keeps_the_newest_of_a_leads_duplicate_pending_deadlines(
    app, make_workspace, make_lead
):
    """CCIMA-6, issue 9 item 1: a database that already holds two pending contact SLAs for
    one lead (the defect's rows) is upgraded: the newest (the current owner's) stays
    pending, the older is cancelled, reminders and other timers are left as they were."""
    from alembic.script import ScriptDirectory
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    lead = make_lead(make_workspace())
    ids = {"workspace": lead.workspace_id, "lead": lead.id}
    db.session.commit()
    db.session.remove()
    config = app.extensions["migrate"].migrate.get_config()
    before = ScriptDirectory.from_config(config).get_revision("0014_a").down_revision
    downgrade(revision=before)
    try:
        with db.engine.begin() as connection:
            for n, kind in enumerate(
                ["contact_sla", "contact_sla", "timer.reminder", "timer.reminder", "other"]
            ):
                connection.execute(
                    text(
                        "INSERT INTO deadlines (id, workspace_id, lead_id, kind, due_at, state,"
                        " payload, created_at, updated_at) VALUES (:id, :workspace, :lead,"
                        " :kind, :due, 'pending', '{}', :due, :due)"
                    ),
                    {**ids, "id": 1000 + n, "kind": kind, "due": NOON + timedelta(minutes=n)},
                )
    finally:
        upgrade()
    states = dict(db.session.execute(select(Deadline.id, Deadline.state)).all())
    assert states == {
        1000: DeadlineState.CANCELLED,
        1001: DeadlineState.PENDING,
        1002: DeadlineState.PENDING,
        1003: DeadlineState.PENDING,
        1004: DeadlineState.PENDING,
    }
