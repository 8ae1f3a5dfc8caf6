"""What a policy timer does when it runs out, fired by a real worker (CCIMA-6)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from rq import Queue
from sqlalchemy import select

from tenants.profiles import load_profile
from tests.support import BurstWorker
from webapp.extensions import db
from webapp.models import Deadline, DeadlineState, Lead, Notification, Role
from webapp.operations import activities, workspaces
from webapp.operations.intake import IntakeRequest, receive_lead
from webapp.operations.users import put_on_roster

NOON = datetime(2026, 11, 18, 12, 0, tzinfo=ZoneInfo("America/Mexico_City")).astimezone(UTC)


def _contact_center(make_workspace, make_member, document=None):
    """CCIMA's workspace: a manager, a director and three confirmed advisors in the team."""
    workspace = make_workspace(
        slug="cc",
        time_zone="America/Mexico_City",
        country="MX",
        policy_document=document or load_profile("ccima_contact_center"),
    )
    team = workspaces.create_team(workspace, "Asesores", actor=None, code="contact_center")
    manager = make_member(workspace, Role.MANAGER, name="Gerente")
    director = make_member(workspace, Role.DIRECTOR, name="Directora")
    advisors = [make_member(workspace, Role.AGENT, name=f"Asesor {n}") for n in range(3)]
    for user in (manager, *advisors):
        membership = user.memberships[0]
        membership.team_id = team.id
        if user in advisors:
            put_on_roster(
                membership, NOON.date(), confirmed_at=NOON - timedelta(days=1), actor=None
            )
    db.session.commit()
    return workspace, manager, director, advisors


def _fire_due(redis_conn) -> None:
    from workers import runtime

    runtime.perform("deadline.sweep")
    BurstWorker([Queue("timers", connection=redis_conn)], connection=redis_conn).work(burst=True)


def test_ccima_6_no_contact_in_10_minutes_reassigns_and_tells_advisor_manager_director(
    make_workspace, make_member, redis_conn
):
    workspace, manager, director, _advisors = _contact_center(make_workspace, make_member)
    with time_machine.travel(NOON, tick=False):
        lead = receive_lead(
            workspace,
            IntakeRequest("Prospecto", phone="55 1234 5678", source="digital_marketing"),
            actor=None,
        ).lead
    first_owner = lead.owner_id
    with time_machine.travel(NOON + timedelta(minutes=10, seconds=1), tick=False):
        _fire_due(redis_conn)
    db.session.expire_all()
    lead = db.session.get(Lead, lead.id)
    assert lead.owner_id not in (None, first_owner)
    told = {  # on WhatsApp, which this workspace has not set up: in-app in its stead
        (n.recipient_user_id, n.fallback_from or n.channel, n.template)
        for n in db.session.scalars(select(Notification))
    }
    assert told == {
        (user_id, "whatsapp", "contact_sla_missed")
        for user_id in (first_owner, manager.id, director.id)
    }
    assert "contact_sla_breach" in lead.attributes["flags"]
    # The new advisor gets a fresh 10 minutes.
    fresh = db.session.scalars(
        select(Deadline).where(
            Deadline.lead_id == lead.id,
            Deadline.kind == "contact_sla",
            Deadline.state == DeadlineState.PENDING,
        )
    ).all()
    assert [d.due_at for d in fresh] == [NOON + timedelta(minutes=20, seconds=1)]


def test_ccima_6_a_call_within_10_minutes_keeps_the_lead_with_its_advisor(
    make_workspace, make_member, redis_conn
):
    workspace, _manager, _director, advisors = _contact_center(make_workspace, make_member)
    with time_machine.travel(NOON, tick=False):
        lead = receive_lead(
            workspace,
            IntakeRequest("Prospecto", phone="55 1234 5678", source="digital_marketing"),
            actor=None,
        ).lead
        owner = db.session.get(type(advisors[0]), lead.owner_id)
    with time_machine.travel(NOON + timedelta(minutes=6), tick=False):
        activities.log_activity(lead, "call", actor=owner)
    with time_machine.travel(NOON + timedelta(minutes=30), tick=False):
        _fire_due(redis_conn)
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).owner_id == owner.id
    assert db.session.scalars(select(Notification)).all() == []
