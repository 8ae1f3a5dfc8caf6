"""Agents' intake form: phone-ups, walk-ins and manual leads through the intake operation."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tenants.profiles import load_profile
from webapp.extensions import db
from webapp.models import Lead, Role


@pytest.fixture
def bdc(make_workspace):
    return make_workspace(
        slug="bdc",
        time_zone="America/Toronto",
        country="CA",
        policy_document=load_profile("dealer_bdc"),
    )


def test_the_form_offers_the_policys_sources_lead_types_and_ratings(
    client, make_workspace, login_as
):
    workspace = make_workspace(slug="mx", policy_document=load_profile("ccima_contact_center"))
    login_as(Role.AGENT, workspace, preferred_locale="en")

    page = client.get("/w/mx/leads/new").get_data(as_text=True)

    assert 'name="channel"' in page and 'value="phone_up"' in page and 'value="walk_in"' in page
    assert '<option value="AAA">AAA</option>' in page  # CCIMA-12
    assert "I took this call" in page


def test_refused_lead_shows_each_error_beside_its_field_and_stores_nothing(client, bdc, login_as):
    login_as(Role.AGENT, bdc)

    response = client.post(
        "/w/bdc/leads/new", data={"channel": "phone_up", "contact_name": "", "phone": "not a phone"}
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="contact_name-errors"' in page and "A lead needs a contact name." in page
    assert 'id="phone-errors"' in page and "Not a valid phone number" in page
    assert db.session.scalar(select(func.count()).select_from(Lead)) == 0


def test_bdc_1_2_3_a_phone_up_taken_by_me_invalidates_the_other_agents_email_lead(
    client, bdc, login_as, make_member, make_lead
):
    other = make_member(bdc, Role.AGENT, name="Émilie Bouchard")
    email_lead = make_lead(
        bdc,
        contact_name="Gabriel Lavoie",
        phone="+1 514 555 0101",
        email="gabriel@example.test",
        owner=other,
        source="email",
        attributes={"channel": "email"},
    )
    me = login_as(Role.AGENT, bdc, preferred_locale="en")

    response = client.post(
        "/w/bdc/leads/new",
        data={
            "channel": "phone_up",
            "contact_name": "Gabriel Lavoie",
            "phone": "514 555 0101",
            "taken": "y",
        },
        follow_redirects=True,
    )

    page = response.get_data(as_text=True)
    new = db.session.scalar(select(Lead).where(Lead.id != email_lead.id))
    assert response.request.path == f"/w/bdc/leads/{new.id}"
    assert new.owner_id == me.id  # BDC-3: the taker keeps the customer
    assert db.session.get(Lead, email_lead.id).status == "invalid"  # BDC-2
    assert "The e-mail lead of Gabriel Lavoie (owner: Émilie Bouchard) was marked invalid" in page


def test_bdc_7_a_new_request_from_a_known_customer_joins_the_existing_file(
    client, bdc, login_as, make_member, make_lead
):
    me = login_as(Role.AGENT, bdc, preferred_locale="en")
    existing = make_lead(bdc, contact_name="Chloé Gagnon", phone="+1 514 555 0202", owner=me)

    response = client.post(
        "/w/bdc/leads/new",
        data={"channel": "walk_in", "contact_name": "Chloé Gagnon", "phone": "514 555 0202"},
        follow_redirects=True,
    )

    assert response.request.path == f"/w/bdc/leads/{existing.id}"
    assert "This request joined the existing file of Chloé Gagnon." in response.get_data(
        as_text=True
    )
    assert db.session.scalar(select(func.count()).select_from(Lead)) == 1
