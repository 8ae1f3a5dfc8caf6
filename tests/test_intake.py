"""Intake: validation, duplicates, assignment and idempotency, by the workspace policy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import func, select

from tenants.profiles import load_profile
from webapp.clock import now
from webapp.extensions import db
from webapp.models import Activity, Deadline, DeadlineState, Lead, Role
from webapp.operations import activities, assignment, workspaces
from webapp.operations.intake import IntakeInvalid, IntakeRequest, receive_lead
from workers import runtime

MEXICO = ZoneInfo("America/Mexico_City")
NOON_IN_MEXICO = datetime(2026, 11, 18, 12, 0, tzinfo=MEXICO).astimezone(UTC)


@pytest.fixture
def ccima(make_workspace):
    return make_workspace(
        slug="cc",
        locale="es",
        time_zone="America/Mexico_City",
        country="MX",
        policy_document=load_profile("ccima_contact_center"),
    )


@pytest.fixture
def advisors(ccima, make_member):
    """Three authorised advisors on this month's roster, confirmed (CCIMA-2, CCIMA-4)."""
    team = workspaces.create_team(ccima, "Asesores", actor=None, code="contact_center")
    people = [make_member(ccima, Role.AGENT, name=f"Asesor {n}") for n in range(3)]
    for membership in (m for p in people for m in p.memberships):
        membership.team_id = team.id  # the advisors' team receives the leads (CCIMA-1)
        membership.roster_month = NOON_IN_MEXICO.astimezone(MEXICO).date().replace(day=1)
        membership.roster_confirmed_at = NOON_IN_MEXICO - timedelta(days=1)
    db.session.commit()
    return people


def cc(name: str, **fields) -> IntakeRequest:
    """A CCIMA lead: its policy requires the source (CCIMA-1: digital-marketing campaigns)."""
    return IntakeRequest(name, **{"source": "digital_marketing", **fields})


def _count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def test_ccima_1_leads_are_assigned_round_robin_to_confirmed_advisors(ccima, advisors):
    with time_machine.travel(NOON_IN_MEXICO, tick=False):
        owners = [
            receive_lead(ccima, cc(f"P {n}", phone=f"55 1234 56{n:02d}"), actor=None).lead.owner_id
            for n in range(6)
        ]
    assert owners == [a.id for a in advisors] * 2


def test_ccima_4_an_advisor_who_has_not_confirmed_the_roster_gets_no_lead(ccima, advisors):
    for membership in advisors[0].memberships:
        membership.roster_confirmed_at = None
    db.session.commit()
    with time_machine.travel(NOON_IN_MEXICO, tick=False):
        owners = {
            receive_lead(ccima, cc(f"P {n}", phone=f"55 1234 56{n:02d}"), actor=None).lead.owner_id
            for n in range(4)
        }
    assert advisors[0].id not in owners


def test_ccima_5_a_lead_after_hours_waits_and_is_assigned_at_the_opening(ccima, advisors):
    evening = datetime(2026, 11, 18, 19, 30, tzinfo=MEXICO).astimezone(UTC)
    with time_machine.travel(evening, tick=False):
        lead = receive_lead(ccima, cc("Tarde", phone="55 1234 5600"), actor=None).lead
    assert lead.owner_id is None
    opening = db.session.scalar(
        select(Deadline).where(Deadline.lead_id == lead.id, Deadline.kind == "assignment.opening")
    )
    assert opening.due_at == datetime(2026, 11, 19, 8, 0, tzinfo=MEXICO).astimezone(UTC)
    with time_machine.travel(opening.due_at, tick=False):
        assert runtime.perform("deadline.fire", opening.id) is True
        db.session.expire_all()
        assert db.session.get(Lead, lead.id).owner_id == advisors[0].id
        sla = db.session.scalar(
            select(Deadline).where(Deadline.lead_id == lead.id, Deadline.kind == "contact_sla")
        )
    assert sla.due_at == opening.due_at + timedelta(minutes=10)


def test_ccima_11_a_duplicate_goes_to_the_advisor_who_had_the_first_contact(ccima, advisors):
    with time_machine.travel(NOON_IN_MEXICO, tick=False):
        first = receive_lead(ccima, cc("Ana", phone="55 1234 5678"), actor=None).lead
        activities.log_activity(first, "call", actor=advisors[0])
        again = receive_lead(
            ccima,
            cc("Ana G.", phone="+52 55 1234 5678", email="ana@correo.test", channel="web"),
            actor=None,
        )
    assert again.created and again.lead.duplicate_of_id == first.id
    assert again.lead.owner_id == first.owner_id == advisors[0].id


@pytest.fixture
def bdc(make_workspace):
    return make_workspace(
        slug="bdc",
        locale="fr",
        time_zone="America/Toronto",
        country="CA",
        policy_document=load_profile("dealer_bdc"),
    )


def test_bdc_1_2_3_a_phone_up_wins_and_the_email_lead_is_invalidated(bdc, make_member):
    email_agent, phone_agent = make_member(bdc, Role.AGENT), make_member(bdc, Role.AGENT)
    email_lead = receive_lead(
        bdc,
        IntakeRequest(
            "Louis",
            email="louis@courriel.test",
            phone="514 555 0188",
            channel="email",
            taken_by_id=email_agent.id,
        ),
        actor=None,
    ).lead
    result = receive_lead(
        bdc,
        IntakeRequest(
            "Louis Bélanger", phone="(514) 555-0188", channel="phone_up", taken_by_id=phone_agent.id
        ),
        actor=phone_agent,
    )
    assert result.created and result.lead.owner_id == phone_agent.id
    assert [lead.id for lead in result.invalidated] == [email_lead.id]
    db.session.refresh(email_lead)
    assert email_lead.status == "invalid"
    assert email_lead.invalid_reason == "OPP lead courriel invalide"  # the workspace's French
    assert email_lead.duplicate_of_id == result.lead.id


def test_bdc_7_a_new_request_from_a_known_customer_joins_the_file(bdc, make_member):
    agent = make_member(bdc, Role.AGENT)
    first = receive_lead(
        bdc,
        IntakeRequest(
            "Kevin", email="k.lavoie@courriel.test", channel="email", taken_by_id=agent.id
        ),
        actor=None,
    ).lead
    again = receive_lead(
        bdc,
        IntakeRequest("Kevin Lavoie", email="K.Lavoie@courriel.test", channel="web"),
        actor=None,
    )
    assert again.joined and not again.created and again.lead.id == first.id
    assert _count(Lead) == 1


def test_bdc_7_a_retried_join_joins_nothing_twice(bdc, make_member):
    agent = make_member(bdc, Role.AGENT)
    first = receive_lead(
        bdc, IntakeRequest("Kevin", email="k@courriel.test", taken_by_id=agent.id), actor=None
    ).lead
    request = IntakeRequest("Kevin", email="k@courriel.test", channel="web", external_id="w-9")
    notes = []
    for key in ("req-1", "req-1", None):  # a retry by key, then by external id alone
        result = receive_lead(bdc, request, actor=None, idempotency_key=key)
        assert result.joined and not result.created and result.lead.id == first.id
        notes.append(_count(Activity))
    assert notes == [1, 1, 1]
    assert _count(Lead) == 1


def test_a_retry_with_the_same_external_id_or_key_returns_the_first_lead(ccima, advisors):
    with time_machine.travel(NOON_IN_MEXICO, tick=False):
        first = receive_lead(ccima, cc("A", phone="55 1111 2222", external_id="x-1"), actor=None)
        retry = receive_lead(ccima, cc("A", phone="55 1111 2222", external_id="x-1"), actor=None)
        keyed = receive_lead(
            ccima, cc("B", phone="55 1111 3333"), actor=None, idempotency_key="k-9"
        )
        keyed_again = receive_lead(
            ccima, cc("B", phone="55 1111 3333"), actor=None, idempotency_key="k-9"
        )
    assert first.created and not retry.created and retry.lead.id == first.lead.id
    assert keyed.created and not keyed_again.created and keyed_again.lead.id == keyed.lead.id
    assert _count(Lead) == 2


def test_bad_input_is_refused_field_by_field_and_nothing_is_stored(ccima, advisors):
    with pytest.raises(IntakeInvalid) as refused:
        receive_lead(
            ccima,
            cc(" ", phone="12", source="carrier_pigeon", rating="AAAA", channel="fax"),
            actor=None,
        )
    fields = {field for field, _ in refused.value.errors}
    assert {"contact_name", "phone", "source", "rating", "channel"} <= fields
    message = dict(refused.value.errors)["source"]
    assert "digital_marketing" in message  # the allowed sources are named
    assert _count(Lead) == 0 and _count(Deadline) == 0


def test_cpb_1_a_typed_lead_needs_its_qualification(make_workspace):
    cpb = make_workspace(policy_document=load_profile("cpb_partner_leads"), country="GB")
    with pytest.raises(IntakeInvalid) as refused:
        receive_lead(cpb, IntakeRequest("Ian", email="ian@acme.test", lead_type="AQL"), actor=None)
    assert any(field.startswith("attributes.") for field, _ in refused.value.errors)


def test_two_agents_claiming_one_lead_exactly_one_wins(ccima, advisors, make_lead):
    lead = make_lead(ccima, phone="55 2222 3333")
    assignment.claim(lead, advisors[0])
    with pytest.raises(assignment.ClaimRefused):
        assignment.claim(lead, advisors[1])
    db.session.refresh(lead)
    assert lead.owner_id == advisors[0].id


def test_capacity_cap_is_never_exceeded(make_workspace, make_member):
    document = load_profile("blank")
    document["assignment"] = {
        "strategy": {"strategy": "least_loaded"},
        "eligibility": [{"kind": "capacity", "max_open_leads": 2}],
    }
    workspace = make_workspace(policy_document=document)
    agents = [make_member(workspace, Role.AGENT) for _ in range(2)]
    owners = [
        receive_lead(workspace, IntakeRequest(f"L{n}"), actor=None).lead.owner_id for n in range(6)
    ]
    assert sorted(o for o in owners if o) == sorted([a.id for a in agents] * 2)
    assert owners[4:] == [None, None]


def test_an_outside_hours_deadline_is_not_pending_once_fired(ccima, advisors):
    with time_machine.travel(datetime(2026, 11, 18, 23, 0, tzinfo=MEXICO), tick=False):
        lead = receive_lead(ccima, cc("Noche", phone="55 1234 5601"), actor=None).lead
    opening = db.session.scalar(select(Deadline).where(Deadline.lead_id == lead.id))
    with time_machine.travel(opening.due_at + timedelta(seconds=1), tick=False):
        runtime.perform("deadline.fire", opening.id)
        runtime.perform("deadline.fire", opening.id)
    db.session.expire_all()
    assert db.session.get(Deadline, opening.id).state == DeadlineState.FIRED
    assert now() is not None


def test_ccima_11_old_mexican_mobile_form_is_the_same_person_and_kept_as_written(ccima, advisors):
    """CCIMA-11, issue 9 item 18: "+52 1 55 4444 3333" (the pre-2019 mobile form) is accepted,
    matches the lead of "55 4444 3333" and goes to its first-contact advisor; the number is
    shown as it was given."""
    with time_machine.travel(NOON_IN_MEXICO, tick=False):
        first = receive_lead(ccima, cc("Ana", phone="55 4444 3333"), actor=None).lead
        activities.log_activity(first, "call", actor=advisors[1])
        again = receive_lead(ccima, cc("Ana G.", phone="+52 1 55 4444 3333"), actor=None)
    assert again.created and again.lead.duplicate_of_id == first.id
    assert again.lead.owner_id == first.owner_id
    assert again.lead.phone_e164 == first.phone_e164 == "+525544443333"
    assert again.lead.phone_raw == "+52 1 55 4444 3333"
