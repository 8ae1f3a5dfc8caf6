"""The partner portal (issue 13): allocation, inbox, lead page, attempts, stages, deals and
feedback, through the web app as CPB's partners and agency staff (CPB-1..10)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from icalendar import Calendar
from rq import Queue
from sqlalchemy import select

from tenants.profiles import load_profile
from tests.support import BurstWorker
from tests.test_notification_delivery import smtp_inbox  # noqa: F401 (a fixture)
from tests.test_timer_actions import _fire_due
from webapp.extensions import db
from webapp.models import (
    Activity,
    AuditEvent,
    Deadline,
    DeadlineState,
    DealRegistration,
    Lead,
    LeadFeedback,
    Notification,
    PartnerOrganisation,
    Role,
    User,
    Workspace,
)
from webapp.operations import allocation, users, workspaces
from webapp.operations.intake import IntakeRequest, receive_lead

LONDON = ZoneInfo("Europe/London")
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


@dataclass
class Cpb:
    workspace: Workspace
    north: PartnerOrganisation
    harbour: PartnerOrganisation
    daniel: User  # partner of Northwind
    aisha: User  # partner of Harbour
    manager: User


def _member(make_user, workspace, role, name, **membership) -> User:
    user = make_user(name=name)
    users.add_member(workspace, user, role, actor=None, **membership)
    return user


def cpb_workspace(make_workspace, make_user, document=None) -> Cpb:
    workspace = make_workspace(
        slug="cpb",
        time_zone="Europe/London",
        country="GB",
        policy_document=document or load_profile("cpb_partner_leads"),
    )
    north = workspaces.create_partner_organisation(workspace, "Northwind", actor=None)
    harbour = workspaces.create_partner_organisation(workspace, "Harbour IT", actor=None)
    return Cpb(
        workspace,
        north,
        harbour,
        _member(make_user, workspace, Role.PARTNER, "Daniel Brooks", partner_organisation=north),
        _member(make_user, workspace, Role.PARTNER, "Aisha Khan", partner_organisation=harbour),
        _member(make_user, workspace, Role.MANAGER, "Tom Reeves"),
    )


@pytest.fixture(autouse=True)
def _an_hour_after_allocation():
    """Every test acts an hour after CPB allocates its lead (at T0), inside the clocks. The
    clock ticks: policy versions are cached by their creation time."""
    with time_machine.travel(T0 + timedelta(hours=1), tick=True):
        yield


@pytest.fixture
def cpb(make_workspace, make_user) -> Cpb:
    return cpb_workspace(make_workspace, make_user)


def qualified(
    cpb: Cpb, lead_type="AQL", organisation=None, name="Ian Fletcher", **attributes
) -> Lead:
    """CPB qualifies a lead for an organisation at T0; the strategy allocates it."""
    with time_machine.travel(T0, tick=False):
        return receive_lead(
            cpb.workspace,
            IntakeRequest(
                name,
                channel="api",
                source="cpb_qualified",
                email=f"{name.split()[0].lower()}@acme-logistics.test",
                phone=None if name != "Ian Fletcher" else "+44 20 7946 0018",
                company="Acme Logistics",
                lead_type=lead_type,
                attributes={
                    "partner": str((organisation or cpb.north).id),
                    **BANT_A,
                    **attributes,
                },
            ),
            actor=None,
        ).lead


def _timer_kinds(lead: Lead) -> set[str]:
    return {d.kind for d in db.session.scalars(select(Deadline).where(Deadline.lead_id == lead.id))}


def _page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


# --- allocation ------------------------------------------------------------------------------


def test_cpb_10_the_strategy_records_the_organisation_and_the_partner(cpb):
    lead = qualified(cpb)
    assert (lead.partner_organisation_id, lead.owner_id) == (cpb.north.id, cpb.daniel.id)


def test_cpb_2_allocate_to_organisation_only_shares_the_lead_with_its_partners(
    make_workspace, make_user, client, login
):
    """`allocate_to: organisation`: nobody holds the lead, its clocks run, any partner of the
    organisation reviews it."""
    document = load_profile("cpb_partner_leads")
    document["assignment"]["strategy"]["allocate_to"] = "organisation"
    cpb = cpb_workspace(make_workspace, make_user, document)
    lead = qualified(cpb)
    assert (lead.partner_organisation_id, lead.owner_id) == (cpb.north.id, None)
    kinds = {
        d.kind for d in db.session.scalars(select(Deadline).where(Deadline.lead_id == lead.id))
    }
    assert {"partner_review", "partner_follow_up", "feedback_window"} <= kinds
    login(cpb.daniel)
    assert "Ian Fletcher" in _page(client, "/w/cpb/portal/")
    assert client.post(f"/w/cpb/portal/leads/{lead.id}/acknowledge").status_code == 302
    db.session.expire_all()
    review = db.session.scalar(
        select(Deadline).where(Deadline.lead_id == lead.id, Deadline.kind == "partner_review")
    )
    assert review.state == DeadlineState.CANCELLED


def test_cpb_10_a_manager_allocates_by_hand_to_an_organisation_and_a_partner(
    cpb, client, login, make_lead
):
    lead = make_lead(cpb.workspace, contact_name="Hand Picked", lead_type="OQL")
    login(cpb.manager)
    response = client.post(
        f"/w/cpb/portal/leads/{lead.id}/allocate",
        data={"partner_organisation": cpb.harbour.id, "partner_user": cpb.aisha.id},
    )
    assert response.status_code == 302
    db.session.expire_all()
    lead = db.session.get(Lead, lead.id)
    assert (lead.partner_organisation_id, lead.owner_id) == (cpb.harbour.id, cpb.aisha.id)
    # A partner of another organisation is refused, naming the field; nothing changes.
    response = client.post(
        f"/w/cpb/portal/leads/{lead.id}/allocate",
        data={"partner_organisation": cpb.north.id, "partner_user": cpb.aisha.id},
    )
    assert response.status_code == 422
    assert "not a partner of the organisation" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).owner_id == cpb.aisha.id


def test_cpb_10_a_partner_may_not_allocate(cpb, client, login):
    lead = qualified(cpb)
    login(cpb.daniel)
    response = client.post(
        f"/w/cpb/portal/leads/{lead.id}/allocate", data={"partner_organisation": cpb.north.id}
    )
    assert response.status_code == 403


def test_cpb_10_reallocation_removes_every_trace_from_the_first_organisation(cpb, client, login):
    lead = qualified(cpb)
    told = db.session.scalars(
        select(Notification).where(Notification.recipient_user_id == cpb.daniel.id)
    ).all()
    assert any(n.payload.get("lead_id") == lead.id for n in told)  # lead.allocated, in-app
    login(cpb.daniel)
    client.post(f"/w/cpb/portal/leads/{lead.id}/acknowledge")
    client.post(f"/w/cpb/portal/leads/{lead.id}/attempts", data={"channel": "call", "note": "hi"})
    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        allocation.allocate(lead, cpb.harbour, actor=cpb.manager, reason="by hand")
    db.session.expire_all()
    lead = db.session.get(Lead, lead.id)
    assert (lead.partner_organisation_id, lead.owner_id) == (cpb.harbour.id, cpb.aisha.id)
    # Northwind's portal, lead page, calendar file, bell: nothing of it.
    for url in ("/w/cpb/portal/", "/w/cpb/portal/leads", "/w/cpb/leads", "/w/cpb/inbox/"):
        response = client.get(url, follow_redirects=True)
        assert "Ian Fletcher" not in response.get_data(as_text=True), url
    for url in (f"/w/cpb/portal/leads/{lead.id}", f"/w/cpb/portal/leads/{lead.id}/invite.ics"):
        assert client.get(url).status_code == 404
    left = db.session.scalars(
        select(Notification).where(Notification.recipient_user_id == cpb.daniel.id)
    ).all()
    assert not [n for n in left if n.payload.get("lead_id") == lead.id]
    pending = db.session.scalars(
        select(Deadline).where(Deadline.lead_id == lead.id, Deadline.state == DeadlineState.PENDING)
    ).all()
    assert all(d.payload.get("owner_id", cpb.aisha.id) != cpb.daniel.id for d in pending)
    # Harbour's partner has it in their inbox, to review afresh.
    client.post("/logout")
    login(cpb.aisha)
    assert "Ian Fletcher" in _page(client, "/w/cpb/portal/")


# --- the portal pages ------------------------------------------------------------------------


def test_partners_land_in_the_portal_after_signing_in(cpb, client):
    response = client.post(
        "/login", data={"email": cpb.daniel.email, "password": "correct horse battery"}
    )
    assert response.status_code == 302
    assert client.get("/").headers["Location"].endswith("/w/cpb/portal/")


def test_cpb_2_inbox_counts_down_to_the_review_and_acknowledge_moves_it_to_my_leads(
    cpb, client, login
):
    lead = qualified(cpb)
    login(cpb.daniel)
    inbox = _page(client, "/w/cpb/portal/")
    assert "Ian Fletcher" in inbox
    assert (T0 + timedelta(hours=24)).isoformat() in inbox  # the review countdown
    assert client.post(f"/w/cpb/portal/leads/{lead.id}/acknowledge").status_code == 302
    assert "Ian Fletcher" not in _page(client, "/w/cpb/portal/")
    leads = _page(client, "/w/cpb/portal/leads")
    assert "Ian Fletcher" in leads
    assert (T0 + timedelta(hours=48)).isoformat() in leads  # CPB-3: the follow-up countdown


def test_cpb_1_the_lead_page_shows_the_type_and_every_bant_a_answer(cpb, client, login):
    lead = qualified(cpb)
    login(cpb.daniel)
    page = _page(client, f"/w/cpb/portal/leads/{lead.id}")
    assert "Appointment qualified (AQL)" in page
    for label in ("Budget", "Authority (who decides)", "Need", "Timescale", "Agreed action"):
        assert label in page
    for answer in ("£40k", "CIO", "fleet tracking", "Q1", "demo booked"):
        assert answer in page


def test_cpb_1_the_aql_invite_is_an_ics_in_the_appointments_zone(cpb, client, login):
    lead = qualified(cpb, meeting_time_zone="America/New_York")
    login(cpb.daniel)
    response = client.get(f"/w/cpb/portal/leads/{lead.id}/invite.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/calendar")
    event = Calendar.from_ical(response.data).walk("VEVENT")[0]
    start = event.decoded("dtstart")
    assert str(start.tzinfo) == "America/New_York"
    assert (start.hour, start.minute, start.day) == (14, 0, 24)
    assert "ian@acme-logistics.test" in str(event.get("attendee"))
    assert cpb.daniel.email in str(event.get("organizer"))


def test_cpb_3_the_oql_partner_books_the_meeting_and_the_invite_is_emailed(
    cpb,
    client,
    login,
    redis_conn,
    smtp_inbox,  # noqa: F811
):
    lead = qualified(cpb, lead_type="OQL", meeting_at="")
    login(cpb.daniel)
    refused = client.post(f"/w/cpb/portal/leads/{lead.id}/meeting", data={"date": "", "time": "x"})
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "Give the meeting&#39;s date." in text and "Choose a time zone" in text
    response = client.post(
        f"/w/cpb/portal/leads/{lead.id}/meeting",
        data={"date": "2027-01-12", "time": "15:30", "time_zone": "Europe/Paris"},
    )
    assert response.status_code == 302
    BurstWorker([Queue("notify", connection=redis_conn)], connection=redis_conn).work(burst=True)
    (mail,) = [m for m in smtp_inbox.messages if m["To"] == "ian@acme-logistics.test"]
    (attachment,) = list(mail.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    event = Calendar.from_ical(attachment.get_content()).walk("VEVENT")[0]
    start = event.decoded("dtstart")
    assert (str(start.tzinfo), start.hour, start.minute) == ("Europe/Paris", 15, 30)


def test_cpb_9_an_rql_is_on_the_nurture_track_without_the_follow_up_clock(cpb, client, login):
    lead = qualified(cpb, lead_type="RQL")
    kinds = {
        d.kind for d in db.session.scalars(select(Deadline).where(Deadline.lead_id == lead.id))
    }
    assert "partner_follow_up" not in kinds
    login(cpb.daniel)
    client.post(f"/w/cpb/portal/leads/{lead.id}/acknowledge")
    assert "Nurture track" in _page(client, "/w/cpb/portal/leads")
    assert 'data-testid="nurture"' in _page(client, f"/w/cpb/portal/leads/{lead.id}")


# --- attempts, stages, deals, feedback -------------------------------------------------------


def test_cpb_6_voicemail_offers_the_standard_message_in_the_partners_language(cpb, client, login):
    cpb.daniel.preferred_locale = "fr"
    db.session.commit()
    lead = qualified(cpb)
    login(cpb.daniel)
    page = _page(client, f"/w/cpb/portal/leads/{lead.id}")
    assert "Bonjour Ian Fletcher, ici Daniel Brooks" in page
    assert "Je vous rappellerai plus tard." in page
    refused = client.post(
        f"/w/cpb/portal/leads/{lead.id}/attempts", data={"channel": "voicemail", "message": ""}
    )
    assert refused.status_code == 422
    for channel, fields in (
        ("voicemail", {"message": "Bonjour, ici Daniel", "number": "+44 20 7946 0018"}),
        ("call", {"number": "+44 20 7946 0018"}),
        ("call", {}),
        ("email", {"subject": "Notre rendez-vous"}),
    ):
        response = client.post(
            f"/w/cpb/portal/leads/{lead.id}/attempts", data={"channel": channel, **fields}
        )
        assert response.status_code == 302
    voicemail = db.session.scalar(select(Activity).where(Activity.channel == "voicemail"))
    assert voicemail.details["message"] == "Bonjour, ici Daniel"
    page = _page(client, f"/w/cpb/portal/leads/{lead.id}")
    assert 'data-testid="attempt-count">4<' in page
    assert "Appel : 2" in page or "Appel: 2" in page
    # A channel the policy does not list is refused.
    refused = client.post(f"/w/cpb/portal/leads/{lead.id}/attempts", data={"channel": "sms"})
    assert refused.status_code == 422


def test_cpb_7_a_stage_not_in_the_policy_is_refused_listing_the_allowed_ones(cpb, client, login):
    lead = qualified(cpb)
    login(cpb.daniel)
    response = client.post(f"/w/cpb/portal/leads/{lead.id}/stage", data={"stage": "dreaming"})
    assert response.status_code == 422
    assert "qualification, discovery, proposal, negotiation, won, lost" in response.get_data(
        as_text=True
    )
    assert (
        client.post(f"/w/cpb/portal/leads/{lead.id}/stage", data={"stage": "proposal"}).status_code
        == 302
    )
    moved = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "opportunity.moved"))
    assert moved.after == {"stage": "proposal"} and moved.actor_id == cpb.daniel.id
    lost = client.post(f"/w/cpb/portal/leads/{lead.id}/stage", data={"stage": "lost"})
    assert lost.status_code == 422  # CPB-7: lost needs its reason


def test_cpb_5_won_is_refused_until_the_deal_is_registered(cpb, client, login):
    lead = qualified(cpb)
    login(cpb.daniel)
    refused = client.post(
        f"/w/cpb/portal/leads/{lead.id}/stage", data={"stage": "won", "deal_value": "40000"}
    )
    assert refused.status_code == 422
    assert "Register the deal first" in refused.get_data(as_text=True)
    bad = client.post(f"/w/cpb/portal/leads/{lead.id}/deal-registration", data={"deal_value": "x"})
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    for field in ("vendor", "crm_reference", "deal_value", "currency", "expected_close"):
        assert f'data-field="{field}"' in text
    registered = client.post(
        f"/w/cpb/portal/leads/{lead.id}/deal-registration",
        data={
            "vendor": "Fleetio",
            "deal_value": "40000",
            "currency": "gbp",
            "expected_close": "2027-02-28",
            "crm_reference": "NW-1042",
        },
    )
    assert registered.status_code == 302
    won = client.post(
        f"/w/cpb/portal/leads/{lead.id}/stage", data={"stage": "won", "deal_value": "40000"}
    )
    assert won.status_code == 302
    # The agency reviews it.
    client.post("/logout")
    login(cpb.manager)
    assert "Fleetio" in _page(client, "/w/cpb/portal/agency")
    registration_id = db.session.scalar(
        select(AuditEvent.subject_id).where(AuditEvent.action == "deal.registered")
    )

    row = db.session.scalar(select(DealRegistration))
    assert (
        client.post(f"/w/cpb/portal/deals/{row.id}/review", data={"status": "approved"}).status_code
        == 302
    )
    db.session.expire_all()
    assert db.session.get(DealRegistration, row.id).status == "approved"
    assert registration_id == lead.id


def test_cpb_4_feedback_stops_the_window_tells_the_agency_and_its_answer_the_partner(
    cpb, client, login
):
    lead = qualified(cpb)
    login(cpb.daniel)
    bad = client.post(f"/w/cpb/portal/leads/{lead.id}/feedback", data={"reason": "bored"})
    assert bad.status_code == 422
    response = client.post(
        f"/w/cpb/portal/leads/{lead.id}/feedback",
        data={"reason": "wrong_contact", "comment": "The number is a fax"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    window = db.session.scalar(
        select(Deadline).where(Deadline.lead_id == lead.id, Deadline.kind == "feedback_window")
    )
    assert window.state == DeadlineState.CANCELLED
    told = db.session.scalars(
        select(Notification).where(Notification.template == "partner_feedback")
    )
    assert {n.recipient_user_id for n in told} == {cpb.manager.id}
    client.post("/logout")
    login(cpb.manager)
    assert "The number is a fax" in _page(client, "/w/cpb/portal/agency")
    feedback = db.session.scalar(select(LeadFeedback))
    response = client.post(
        f"/w/cpb/portal/feedback/{feedback.id}/answer", data={"answer": "Corrected: 020 7946 0019"}
    )
    assert response.status_code == 302
    answered = db.session.scalar(
        select(Notification).where(Notification.template == "feedback_answered")
    )
    assert answered.recipient_user_id == cpb.daniel.id


def test_cpb_4_no_feedback_once_the_window_has_closed(cpb, client, login, redis_conn):
    lead = qualified(cpb)
    with time_machine.travel(T0 + timedelta(weeks=1, minutes=1), tick=False):
        _fire_due(redis_conn)
    login(cpb.daniel)
    response = client.post(
        f"/w/cpb/portal/leads/{lead.id}/feedback", data={"reason": "other", "comment": "late"}
    )
    assert response.status_code == 422
    assert "window for this lead has closed" in response.get_data(as_text=True)


def test_the_agency_sees_each_organisations_figures_and_compliance(cpb, client, login):
    lead = qualified(cpb)
    qualified(cpb, organisation=cpb.harbour, name="Hana Harbour")
    login(cpb.daniel)
    client.post(f"/w/cpb/portal/leads/{lead.id}/acknowledge")
    client.post("/logout")
    login(cpb.manager)
    page = _page(client, "/w/cpb/portal/agency")
    assert "Northwind" in page and "Harbour IT" in page
    assert "50%" in page  # Northwind kept its review clock, not yet the follow-up one


def test_cpb_2_a_missed_review_reallocates_to_the_next_organisation_per_policy(
    make_workspace, make_user, client, login, redis_conn
):
    """The review timer's `reallocate` action: at 24 hours unreviewed the lead goes to the
    organisation its `backup_partner` field names, and leaves the first one's portal."""
    document = load_profile("cpb_partner_leads")
    document["intake"]["fields"].append(
        {"code": "backup_partner", "kind": "organisation", "labels": {"en": "Backup partner"}}
    )
    review = next(t for t in document["timers"] if t["name"] == "partner_review")
    review["actions"].append({"kind": "reallocate", "organisation_from_field": "backup_partner"})
    cpb = cpb_workspace(make_workspace, make_user, document)
    lead = qualified(cpb, backup_partner=str(cpb.harbour.id))
    with time_machine.travel(T0 + timedelta(hours=23, minutes=59), tick=False):
        _fire_due(redis_conn)
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).partner_organisation_id == cpb.north.id
    with time_machine.travel(T0 + timedelta(hours=24), tick=False):
        _fire_due(redis_conn)
    db.session.expire_all()
    moved = db.session.get(Lead, lead.id)
    assert (moved.partner_organisation_id, moved.owner_id) == (cpb.harbour.id, cpb.aisha.id)
    login(cpb.daniel)
    assert "Ian Fletcher" not in _page(client, "/w/cpb/portal/")
    assert client.get(f"/w/cpb/portal/leads/{lead.id}").status_code == 404


# --- policy settings the portal reads (issue 11 item 8) --------------------------------------


def _cpb_with(make_workspace, make_user, change) -> Cpb:
    document = load_profile("cpb_partner_leads")
    change(document)
    return cpb_workspace(make_workspace, make_user, document)


def test_cpb_6_show_attempt_count_false_hides_the_counts_on_the_lead_page_and_lists(
    make_workspace, make_user, client, login
):
    """CPB-6: `records.contact_attempts.show_attempt_count` false keeps the attempts but not
    their count, on the lead page and on my leads."""

    def hide(document):
        document["records"]["contact_attempts"]["show_attempt_count"] = False

    cpb = _cpb_with(make_workspace, make_user, hide)
    lead = qualified(cpb)
    login(cpb.daniel)
    client.post(f"/w/cpb/portal/leads/{lead.id}/attempts", data={"channel": "call"})
    client.post(f"/w/cpb/portal/leads/{lead.id}/acknowledge")
    page = _page(client, f"/w/cpb/portal/leads/{lead.id}")
    assert 'data-testid="attempt-count"' not in page
    assert "Call: 1" not in page
    leads = _page(client, "/w/cpb/portal/leads")
    assert "Ian Fletcher" in leads and 'data-testid="attempts"' not in leads


def test_cpb_6_show_attempt_count_true_shows_them(cpb, client, login):
    lead = qualified(cpb)
    login(cpb.daniel)
    client.post(f"/w/cpb/portal/leads/{lead.id}/attempts", data={"channel": "call"})
    client.post(f"/w/cpb/portal/leads/{lead.id}/acknowledge")
    assert 'data-testid="attempt-count">1<' in _page(client, f"/w/cpb/portal/leads/{lead.id}")
    assert 'data-testid="attempts">1' in _page(client, "/w/cpb/portal/leads")


def test_cpb_4_only_the_roles_the_policy_names_answer_feedback(
    make_workspace, make_user, client, login
):
    """CPB-4: `records.kinds.feedback.answered_by` names who answers; a manager it leaves out
    sees no answer form and is refused (403), a director it names answers."""

    def directors_only(document):
        document["records"]["kinds"]["feedback"]["answered_by"] = ["director"]

    cpb = _cpb_with(make_workspace, make_user, directors_only)
    director = _member(make_user, cpb.workspace, Role.DIRECTOR, "Dana Director")
    lead = qualified(cpb)
    login(cpb.daniel)
    client.post(
        f"/w/cpb/portal/leads/{lead.id}/feedback",
        data={"reason": "wrong_contact", "comment": "The number is a fax"},
    )
    feedback = db.session.scalar(select(LeadFeedback))
    client.post("/logout")
    login(cpb.manager)
    assert 'data-testid="not-an-answerer"' in _page(client, "/w/cpb/portal/agency")
    url = f"/w/cpb/portal/feedback/{feedback.id}/answer"
    assert client.post(url, data={"answer": "Corrected"}).status_code == 403
    db.session.expire_all()
    assert not db.session.get(LeadFeedback, feedback.id).answer
    client.post("/logout")
    login(director)
    assert 'data-testid="not-an-answerer"' not in _page(client, "/w/cpb/portal/agency")
    assert client.post(url, data={"answer": "Corrected"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(LeadFeedback, feedback.id).answer == "Corrected"


def test_cpb_6_a_voicemails_fields_come_from_the_policy(make_workspace, make_user, client, login):
    """CPB-6: `records.contact_attempts.voicemail_fields` is what a voicemail attempt records:
    here the number and a callback time the form asks for, and no message (so none is needed)."""

    def own_fields(document):
        document["records"]["contact_attempts"]["voicemail_fields"] = ["number", "callback_time"]

    cpb = _cpb_with(make_workspace, make_user, own_fields)
    lead = qualified(cpb)
    login(cpb.daniel)
    assert 'name="callback_time"' in _page(client, f"/w/cpb/portal/leads/{lead.id}")
    response = client.post(
        f"/w/cpb/portal/leads/{lead.id}/attempts",
        data={"channel": "voicemail", "number": "+44 20 7946 0018", "callback_time": "16:00"},
    )
    assert response.status_code == 302
    voicemail = db.session.scalar(select(Activity).where(Activity.channel == "voicemail"))
    assert voicemail.details == {"number": "+44 20 7946 0018", "callback_time": "16:00"}


def test_cpb_6_without_voicemail_fields_the_fixed_ones_apply(
    make_workspace, make_user, client, login
):
    def none_listed(document):
        document["records"]["contact_attempts"]["voicemail_fields"] = []

    cpb = _cpb_with(make_workspace, make_user, none_listed)
    lead = qualified(cpb)
    login(cpb.daniel)
    url = f"/w/cpb/portal/leads/{lead.id}/attempts"
    assert 'name="callback_time"' not in _page(client, f"/w/cpb/portal/leads/{lead.id}")
    assert client.post(url, data={"channel": "voicemail", "message": ""}).status_code == 422
    assert client.post(url, data={"channel": "voicemail", "message": "Hi"}).status_code == 302
