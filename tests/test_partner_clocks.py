"""CPB's partner clocks: review, follow-up and feedback timers with their reminders (CPB-2..4).

The clocks start when the partner_allocation strategy gives the lead to a partner
(`lead.allocated`); a real RQ worker fires them while time_machine moves the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from rq import Queue
from sqlalchemy import select

from tenants.profiles import load_profile
from tests.api_helpers import key_headers
from tests.support import BurstWorker
from tests.test_notification_delivery import smtp_inbox  # noqa: F401 (a fixture)
from tests.test_timer_actions import _fire_due
from webapp.channels.messages import render_message
from webapp.extensions import db
from webapp.models import (
    Deadline,
    DeadlineState,
    Lead,
    Notification,
    NotificationState,
    PartnerOrganisation,
    Role,
    User,
    Workspace,
)
from webapp.operations import activities, assignment, deadlines, leads, users, workspaces
from webapp.operations.intake import IntakeRequest, receive_lead
from workers import runtime

LONDON = ZoneInfo("Europe/London")
# Tuesday 17 November 2026, 10:00 in London: the lead is allocated.
T0 = datetime(2026, 11, 17, 10, 0, tzinfo=LONDON).astimezone(UTC)
BANT_A = {
    "budget": "£40k",
    "authority": "CIO",
    "need": "fleet tracking",
    "timescale": "Q1",
    "action": "demo booked",
    "meeting_at": "2026-11-24 14:00",
    "invite_accepted": "yes",
}
REVIEW_REMINDER = "review_overdue.reminder"
FOLLOW_UP_REMINDER = "follow_up_overdue.reminder"


@dataclass
class Cpb:
    workspace: Workspace
    northwind: PartnerOrganisation
    partner: User
    manager: User


def _member(make_user, workspace, role, name, **membership) -> User:
    user = make_user(name=name)
    users.add_member(workspace, user, role, actor=None, **membership)
    return user


@pytest.fixture
def cpb(make_workspace, make_user) -> Cpb:
    """CPB's workspace as the demo seeds it: an agency manager and a partner organisation."""
    workspace = make_workspace(
        slug="cpb",
        time_zone="Europe/London",
        country="GB",
        policy_document=load_profile("cpb_partner_leads"),
    )
    northwind = workspaces.create_partner_organisation(workspace, "Northwind Resellers", actor=None)
    qualification = workspaces.create_team(workspace, "Qualification", actor=None)
    manager = _member(make_user, workspace, Role.MANAGER, "Tom Reeves", team=qualification)
    partner = _member(
        make_user, workspace, Role.PARTNER, "Daniel Brooks", partner_organisation=northwind
    )
    return Cpb(workspace, northwind, partner, manager)


def _allocate(cpb: Cpb, lead_type: str = "AQL", organisation=None) -> Lead:
    """CPB qualifies a lead for a partner organisation; the strategy gives it to a partner."""
    with time_machine.travel(T0, tick=False):
        return receive_lead(
            cpb.workspace,
            IntakeRequest(
                "Ian Fletcher",
                channel="api",
                source="cpb_qualified",
                email="ian.fletcher@acme-logistics.test",
                company="Acme Logistics",
                lead_type=lead_type,
                attributes={"partner": str((organisation or cpb.northwind).id), **BANT_A},
            ),
            actor=None,
        ).lead


def _at(hours: float, redis_conn) -> None:
    """Move to T0 + `hours` and let a real worker fire whatever is due."""
    with time_machine.travel(T0 + timedelta(hours=hours), tick=False):
        _fire_due(redis_conn)


def _told(*templates: str) -> set[tuple[int, str, str]]:
    db.session.expire_all()
    rows = db.session.scalars(select(Notification).where(Notification.template.in_(templates)))
    return {(n.recipient_user_id, n.channel, n.template) for n in rows}


def _everyone(cpb: Cpb, template: str) -> set[tuple[int, str, str]]:
    """The partner and the agency manager, by e-mail and in the app (the timer's notify)."""
    return {
        (person.id, channel, template)
        for person in (cpb.partner, cpb.manager)
        for channel in ("email", "in_app")
    }


def _flags(lead: Lead) -> list[str]:
    db.session.expire_all()
    return db.session.get(Lead, lead.id).attributes.get("flags", [])


def _deadline(lead: Lead, kind: str) -> Deadline:
    db.session.expire_all()
    return db.session.scalar(
        select(Deadline).where(Deadline.lead_id == lead.id, Deadline.kind == kind)
    )


def _reminder_of(timer: Deadline) -> Deadline:
    reminders = db.session.scalars(
        select(Deadline).where(
            Deadline.lead_id == timer.lead_id, Deadline.kind == deadlines.REMINDER
        )
    )
    (reminder,) = [r for r in reminders if r.payload["parent_id"] == timer.id]
    return reminder


def test_allocation_to_a_partner_starts_the_review_follow_up_and_feedback_clocks(cpb):
    lead = _allocate(cpb)

    assert lead.owner_id == cpb.partner.id
    due = {
        d.kind: d.due_at
        for d in db.session.scalars(select(Deadline).where(Deadline.lead_id == lead.id))
        if d.kind != deadlines.REMINDER
    }
    assert due == {
        "partner_review": T0 + timedelta(hours=24),
        "partner_follow_up": T0 + timedelta(hours=48),
        "feedback_window": T0 + timedelta(weeks=1),
    }
    review = _reminder_of(_deadline(lead, "partner_review"))
    follow_up = _reminder_of(_deadline(lead, "partner_follow_up"))
    assert (review.due_at, follow_up.due_at) == (T0 + timedelta(hours=20), T0 + timedelta(hours=24))
    # The queue counts down to the review itself, not to its reminder.
    assert db.session.get(Lead, lead.id).next_due_at == T0 + timedelta(hours=24)


def test_cpb_2_reminder_at_20_hours_tells_the_partner_and_the_agency_manager(
    cpb,
    redis_conn,
    smtp_inbox,  # noqa: F811
):
    cpb.partner.preferred_locale = "es"
    db.session.commit()
    lead = _allocate(cpb)

    _at(19.99, redis_conn)
    assert _told(REVIEW_REMINDER) == set()

    _at(20, redis_conn)
    assert _told(REVIEW_REMINDER) == _everyone(cpb, REVIEW_REMINDER)
    with time_machine.travel(T0 + timedelta(hours=20), tick=False):
        BurstWorker([Queue("notify", connection=redis_conn)], connection=redis_conn).work(
            burst=True
        )
    sent = db.session.scalars(
        select(Notification).where(Notification.template == REVIEW_REMINDER)
    ).all()
    assert {n.state for n in sent} == {NotificationState.SENT}
    # Each e-mail in its reader's language, the deadline in the workspace's zone (London).
    by_reader = {m["To"]: m.get_body(("plain",)).get_content() for m in smtp_inbox.messages}
    spanish, english = by_reader[cpb.partner.email], by_reader[cpb.manager.email]
    assert "Ian Fletcher" in spanish and "dentro de 4 horas" in spanish
    assert "18 nov 2026, 10:00" in spanish
    assert "by Nov 18, 2026, 10:00\u202fAM (in 4 hours)" in english  # CLDR: a narrow space
    assert f"/w/cpb/leads/{lead.id}" in english


def test_cpb_2_no_review_within_24_hours_flags_the_breach_and_tells_them(cpb, redis_conn):
    lead = _allocate(cpb)
    _at(20, redis_conn)

    _at(23.99, redis_conn)
    assert "review_sla_breach" not in _flags(lead)

    _at(24, redis_conn)
    assert "review_sla_breach" in _flags(lead)
    assert _told("review_overdue") == _everyone(cpb, "review_overdue")
    assert _deadline(lead, "partner_review").state == DeadlineState.FIRED
    english = render_message("review_overdue", {"contact_name": "Ian Fletcher"}, "en", None)
    assert english.subject == "Lead not reviewed in time" and "Ian Fletcher" in english.text


def test_cpb_2_acknowledging_at_10_hours_stops_the_review_clock_and_its_reminder(
    cpb, client, login, redis_conn
):
    lead = _allocate(cpb)

    with time_machine.travel(T0 + timedelta(hours=10), tick=False):
        login(cpb.partner)
        response = client.post(f"/w/cpb/leads/{lead.id}/acknowledge")
    assert response.status_code == 302 and response.headers["Location"] == f"/w/cpb/leads/{lead.id}"

    review = _deadline(lead, "partner_review")
    assert review.state == DeadlineState.CANCELLED
    assert _reminder_of(review).state == DeadlineState.CANCELLED
    for hours in (20, 24, 30):
        _at(hours, redis_conn)
    assert _told(REVIEW_REMINDER, "review_overdue") == set()
    assert "review_sla_breach" not in _flags(lead)
    # Acknowledging is not following up: that clock still reminds at 24 hours.
    assert _told(FOLLOW_UP_REMINDER) == _everyone(cpb, FOLLOW_UP_REMINDER)
    with time_machine.travel(T0 + timedelta(hours=30), tick=False):
        page = client.get(f"/w/cpb/leads/{lead.id}").get_data(as_text=True)
    assert "Acknowledged by Daniel Brooks" in page and "/acknowledge" not in page


def test_cpb_3_aql_lead_is_reminded_at_24_hours_and_breached_at_48(cpb, redis_conn):
    lead = _allocate(cpb, "AQL")

    _at(23.99, redis_conn)
    assert _told(FOLLOW_UP_REMINDER) == set()
    _at(24, redis_conn)
    assert _told(FOLLOW_UP_REMINDER) == _everyone(cpb, FOLLOW_UP_REMINDER)

    _at(47.99, redis_conn)
    assert "follow_up_sla_breach" not in _flags(lead)
    _at(48, redis_conn)
    assert "follow_up_sla_breach" in _flags(lead)
    assert _told("follow_up_overdue") == _everyone(cpb, "follow_up_overdue")


def test_cpb_3_a_logged_call_stops_the_follow_up_clock_and_its_reminder(cpb, redis_conn):
    lead = _allocate(cpb, "OQL")
    with time_machine.travel(T0 + timedelta(hours=6), tick=False):
        activities.log_activity(lead, "call", actor=cpb.partner)

    follow_up = _deadline(lead, "partner_follow_up")
    assert follow_up.state == DeadlineState.CANCELLED
    assert _reminder_of(follow_up).state == DeadlineState.CANCELLED
    _at(48, redis_conn)
    assert _told(FOLLOW_UP_REMINDER, "follow_up_overdue") == set()
    assert "follow_up_sla_breach" not in _flags(lead)


def test_cpb_3_rql_lead_has_no_follow_up_sla(cpb, redis_conn):
    lead = _allocate(cpb, "RQL")

    assert _deadline(lead, "partner_follow_up") is None
    _at(24, redis_conn)
    _at(48, redis_conn)
    assert _told(FOLLOW_UP_REMINDER, "follow_up_overdue") == set()
    assert "follow_up_sla_breach" not in _flags(lead)
    assert "review_sla_breach" in _flags(lead)  # the review clock runs for every type


def test_cpb_4_feedback_window_closes_after_a_week(cpb, redis_conn):
    lead = _allocate(cpb, "RQL")

    _at(7 * 24 - 0.01, redis_conn)
    assert "feedback_window_closed" not in _flags(lead)
    _at(7 * 24, redis_conn)
    assert "feedback_window_closed" in _flags(lead)


def test_a_reminder_never_fires_early_or_twice(cpb, redis_conn):
    lead = _allocate(cpb)
    reminder = _reminder_of(_deadline(lead, "partner_review"))

    with time_machine.travel(T0 + timedelta(hours=20) - timedelta(seconds=1), tick=False):
        assert runtime.perform("deadline.fire", reminder.id) is False
    with time_machine.travel(T0 + timedelta(hours=20), tick=False):
        # Two workers, each with the job (a retry, or the sweep racing the scheduled job).
        timers = Queue("timers", connection=redis_conn)
        for _ in range(2):
            timers.enqueue("workers.runtime.perform", "deadline.fire", reminder.id)
        for _ in range(2):
            BurstWorker([timers], connection=redis_conn).work(burst=True)
        assert runtime.perform("deadline.fire", reminder.id) is False
    assert len(_told(REVIEW_REMINDER)) == 4
    rows = db.session.scalars(select(Notification).where(Notification.template == REVIEW_REMINDER))
    assert len(rows.all()) == 4


def test_a_reminder_never_fires_once_its_lead_is_closed(cpb, redis_conn):
    lead = _allocate(cpb)
    reminder = _reminder_of(_deadline(lead, "partner_review"))
    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        leads.set_status(lead, "lost", actor=cpb.partner)

    assert _deadline(lead, "partner_review").state == DeadlineState.CANCELLED
    with time_machine.travel(T0 + timedelta(hours=21), tick=False):
        assert runtime.perform("deadline.fire", reminder.id) is False
    _at(25, redis_conn)
    assert _told(REVIEW_REMINDER, "review_overdue") == set()


def test_a_reminder_late_past_its_timer_says_nothing_the_breach_does(cpb, redis_conn):
    lead = _allocate(cpb)
    reminder = _reminder_of(_deadline(lead, "partner_review"))

    _at(25, redis_conn)  # the worker was down from before the reminder until after the timer

    assert _told(REVIEW_REMINDER) == set()
    assert _told("review_overdue") == _everyone(cpb, "review_overdue")
    db.session.expire_all()
    assert db.session.get(Deadline, reminder.id).state != DeadlineState.PENDING


def test_only_the_partner_holding_the_lead_may_acknowledge_it(cpb, client, login, make_user):
    lead = _allocate(cpb)
    colleague = _member(
        make_user, cpb.workspace, Role.PARTNER, "Grace Lee", partner_organisation=cpb.northwind
    )
    login(colleague)
    assert "/acknowledge" not in client.get(f"/w/cpb/leads/{lead.id}").get_data(as_text=True)
    refused = client.post(f"/w/cpb/leads/{lead.id}/acknowledge", headers={"HX-Request": "true"})
    assert refused.status_code == 403
    assert "Only the partner holding this lead" in refused.get_data(as_text=True)
    assert _deadline(lead, "partner_review").state == DeadlineState.PENDING

    client.post("/logout")
    login(cpb.partner)
    page = client.get(f"/w/cpb/leads/{lead.id}").get_data(as_text=True)
    assert f'action="/w/cpb/leads/{lead.id}/acknowledge"' in page
    done = client.post(f"/w/cpb/leads/{lead.id}/acknowledge", headers={"HX-Request": "true"})
    assert done.status_code == 200 and "Acknowledged by Daniel Brooks" in done.get_data(
        as_text=True
    )
    again = client.post(f"/w/cpb/leads/{lead.id}/acknowledge", headers={"HX-Request": "true"})
    assert again.status_code == 409
    assert "already been acknowledged" in again.get_data(as_text=True)


def test_cpb_10_a_partner_of_another_organisation_is_not_reminded(cpb, make_user, redis_conn):
    contoso = workspaces.create_partner_organisation(cpb.workspace, "Contoso", actor=None)
    outsider = _member(make_user, cpb.workspace, Role.PARTNER, "Ola", partner_organisation=contoso)
    _allocate(cpb)

    _at(20, redis_conn)

    assert outsider.id not in {user_id for user_id, _c, _t in _told(REVIEW_REMINDER)}


def test_partner_allocation_shares_an_organisations_leads_by_load(cpb, make_user):
    second = _member(
        make_user, cpb.workspace, Role.PARTNER, "Mia Holt", partner_organisation=cpb.northwind
    )
    owners = []
    for n in range(4):
        with time_machine.travel(T0, tick=False):
            lead = receive_lead(
                cpb.workspace,
                IntakeRequest(
                    f"Buyer {n}",
                    channel="api",
                    source="cpb_qualified",
                    email=f"buyer{n}@acme-logistics.test",
                    company=f"Buyer {n} Ltd",
                    lead_type="AQL",
                    attributes={"partner": str(cpb.northwind.id), **BANT_A},
                ),
                actor=None,
            ).lead
        owners.append(lead.owner_id)
    assert sorted(owners) == sorted([cpb.partner.id, second.id] * 2)


def test_the_api_lists_a_leads_deadlines_not_the_reminders_before_them(cpb, client):
    lead = _allocate(cpb)
    body = client.get(f"/api/v1/leads/{lead.id}", headers=key_headers(cpb.workspace)).json
    kinds = sorted(d["kind"] for d in body["deadlines"])
    assert kinds == ["feedback_window", "partner_follow_up", "partner_review"]


def test_a_lead_given_to_a_partner_by_hand_starts_the_partner_clocks(cpb, make_lead):
    lead = make_lead(cpb.workspace, contact_name="Walk-in buyer", lead_type="AQL")
    with time_machine.travel(T0, tick=False):
        assignment.reassign(lead, cpb.partner, actor=cpb.manager)
    kinds = set(
        db.session.scalars(
            select(Deadline.kind).where(
                Deadline.lead_id == lead.id, Deadline.state == DeadlineState.PENDING
            )
        )
    )
    assert {"partner_review", "partner_follow_up", "feedback_window"} <= kinds
    assert lead.partner_organisation_id == cpb.northwind.id


def test_an_allocated_lead_is_announced_to_its_partner_only(cpb, make_user):
    contoso = workspaces.create_partner_organisation(cpb.workspace, "Contoso", actor=None)
    _member(make_user, cpb.workspace, Role.PARTNER, "Ola", partner_organisation=contoso)
    lead = _allocate(cpb)
    told = {
        (n.recipient_user_id, n.channel)
        for n in db.session.scalars(
            select(Notification).where(Notification.template == "lead_allocated")
        )
    }
    assert lead.owner_id == cpb.partner.id
    assert told == {(cpb.partner.id, "email"), (cpb.partner.id, "in_app")}
