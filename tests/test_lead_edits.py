"""Editable leads (issue 12 item 4): the Edit lead form and PATCH /api/v1/leads/<id>, checked as
intake checks a lead, duplicates refused, one audit event with each field's before and after
(ALL-3); GET /api/v1/leads/<id> with its open tasks and history."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tenants.profiles import load_profile
from tests.api_helpers import key_headers
from webapp.extensions import db
from webapp.models import AuditEvent, Lead, Role
from webapp.operations import assignment, tasks, workspaces
from webapp.operations.unit import transaction

HX = {"HX-Request": "true"}


@pytest.fixture
def ccima(make_workspace, make_member):
    workspace = make_workspace(
        slug="ccima", policy_document=load_profile("ccima_contact_center"), country="MX"
    )
    workspaces.create_team(workspace, "Asesores", actor=None, code="contact_center")
    return workspace


@pytest.fixture
def cpb(make_workspace):
    workspace = make_workspace(
        slug="cpb", policy_document=load_profile("cpb_partner_leads"), country="GB"
    )
    organisation = workspaces.create_partner_organisation(workspace, "Northwind", actor=None)
    return workspace, organisation


def _edits(lead) -> list[AuditEvent]:
    return db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.subject_id == lead.id, AuditEvent.action == "lead.updated"
        )
    ).all()


def _post(client, lead, slug, data, headers=HX):
    form = {
        "contact_name": lead.contact_name,
        "phone": lead.phone_raw or "",
        "email": lead.email_raw or "",
        "company": lead.company or "",
        "rating": lead.rating or "",
        "lead_type": lead.lead_type or "",
        **data,
    }
    return client.post(f"/w/{slug}/leads/{lead.id}/edit", data=form, headers=headers)


def test_ccima_12_the_owner_fixes_the_rating_and_phone_one_audit_event(
    client, ccima, login_as, make_lead
):
    agent = login_as(Role.AGENT, ccima, name="Ana Torres")
    lead = make_lead(ccima, owner=agent, rating="A", phone="55 1234 5678")

    response = _post(client, lead, "ccima", {"rating": "AA", "phone": "55 8765 4321"})

    assert response.status_code == 200
    db.session.refresh(lead)
    assert (lead.rating, lead.phone_e164) == ("AA", "+525587654321")
    [event] = _edits(lead)
    assert event.before == {"rating": "A", "phone": "55 1234 5678"}
    assert event.after == {"rating": "AA", "phone": "55 8765 4321"}
    page = client.get(f"/w/ccima/leads/{lead.id}").get_data(as_text=True)
    assert "Rating: A → AA" in page and "Phone: 55 1234 5678 → 55 8765 4321" in page


def test_every_bad_field_beside_it_at_once_nothing_saved(client, ccima, login_as, make_lead):
    agent = login_as(Role.AGENT, ccima)
    lead = make_lead(ccima, owner=agent, rating="A")

    response = _post(client, lead, "ccima", {"rating": "Z", "phone": "12", "email": "nope"})

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="rating-errors"' in page and "is not one of: AAA, AA, A" in page
    assert 'id="phone-errors"' in page and 'id="email-errors"' in page
    db.session.refresh(lead)
    assert lead.rating == "A" and _edits(lead) == []


def test_spanish_reader_gets_the_errors_in_spanish(client, ccima, login_as, make_lead):
    agent = login_as(Role.AGENT, ccima, preferred_locale="es")
    lead = make_lead(ccima, owner=agent)

    page = _post(client, lead, "ccima", {"email": "nope"}).get_data(as_text=True)

    assert "No es una dirección de correo" in page or "correo" in page


def test_another_agent_may_not_edit_a_manager_may(client, ccima, login_as, make_member, make_lead):
    owner = make_member(ccima, Role.AGENT)
    lead = make_lead(ccima, owner=owner)
    login_as(Role.AGENT, ccima)
    assert _post(client, lead, "ccima", {"rating": "AA"}).status_code == 403
    assert 'data-testid="edit-lead"' not in client.get(f"/w/ccima/leads/{lead.id}").text

    client.post("/logout")
    login_as(Role.MANAGER, ccima)
    assert _post(client, lead, "ccima", {"rating": "AA"}).status_code == 200
    db.session.refresh(lead)
    assert lead.rating == "AA"


def test_a_phone_another_open_lead_has_is_refused_naming_it(client, ccima, login_as, make_lead):
    agent = login_as(Role.AGENT, ccima)
    first = make_lead(ccima, contact_name="Carmen Ruiz", phone="81 2345 6789")
    lead = make_lead(ccima, owner=agent, phone="81 0000 1111")

    response = _post(client, lead, "ccima", {"phone": "+52 81 2345 6789"})

    assert response.status_code == 422
    assert f"Lead Carmen Ruiz (#{first.id}) already has this" in response.text
    db.session.refresh(lead)
    assert lead.phone_e164 == "+528100001111"


def test_cpb_1_every_qualification_answer_shown_and_edited(client, cpb, login_as, make_lead):
    workspace, organisation = cpb
    manager = login_as(Role.MANAGER, workspace)
    lead = make_lead(
        workspace,
        owner=manager,
        lead_type="AQL",
        company="Acme",
        email="ian@acme.test",
        attributes={"partner": organisation.id, "budget": "50k"},
    )
    page = client.get(f"/w/cpb/leads/{lead.id}").text
    assert "50k" in page and page.count("not answered") >= 5  # authority, need, ...

    response = _post(client, lead, "cpb", {"attr_budget": "80k", "attr_need": "New CRM"})

    assert response.status_code == 200, response.text
    db.session.refresh(lead)
    assert lead.attributes["budget"] == "80k" and lead.attributes["need"] == "New CRM"
    [event] = _edits(lead)
    assert event.before == {"attributes.budget": "50k", "attributes.need": None}


def test_api_patch_changes_the_lead_and_the_history_says_what_changed(client, ccima, make_lead):
    lead = make_lead(ccima, rating="A")
    headers = key_headers(ccima)

    response = client.patch(
        f"/api/v1/leads/{lead.id}", json={"rating": "AAA", "reason": "called"}, headers=headers
    )

    assert response.status_code == 200, response.json
    body = response.json
    assert body["rating"] == "AAA"
    [edit] = [h for h in body["history"] if h["action"] == "lead.updated"]
    assert edit["changes"] == {"rating": ["A", "AAA"]} and edit["reason"].endswith(": called")


def test_api_patch_names_every_bad_field_and_writes_nothing(client, ccima, make_lead):
    lead = make_lead(ccima, rating="A")

    response = client.patch(
        f"/api/v1/leads/{lead.id}",
        json={"rating": "Z", "email": "x", "contact_name": None},
        headers=key_headers(ccima),
    )

    assert response.status_code == 422
    named = {f["path"] for f in response.json["error"]["fields"]}
    assert {"rating", "email", "contact_name"} <= named
    db.session.refresh(lead)
    assert lead.rating == "A" and _edits(lead) == []


def test_api_another_workspaces_lead_is_a_404(client, ccima, make_workspace, make_lead):
    other = make_lead(make_workspace())

    response = client.patch(
        f"/api/v1/leads/{other.id}", json={"rating": "AA"}, headers=key_headers(ccima)
    )

    assert response.status_code == 404


def test_api_get_has_open_tasks_and_history(client, ccima, make_member, make_lead):
    agent = make_member(ccima, Role.AGENT)
    lead = make_lead(ccima)
    assignment.reassign(lead, agent, actor=None, reason="on holiday")
    with transaction():
        task = tasks.new_task(lead, "callback", due_at=lead.created_at, actor=None)

    body = client.get(f"/api/v1/leads/{lead.id}", headers=key_headers(ccima)).json

    assert [t["id"] for t in body["tasks"]] == [task.id]
    [owner_change] = [h for h in body["history"] if h["action"] == "lead.assigned"]
    assert owner_change["changes"] == {"owner_id": [None, agent.id]}
    assert owner_change["reason"] == "on holiday"
    assert db.session.get(Lead, lead.id).owner_id == agent.id
