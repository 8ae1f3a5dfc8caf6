"""The New lead form asks for what the workspace's policy requires, in the reader's language,
and intake settles duplicates the same way whichever way a lead arrives (issue 9 items 8-10,
19)."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from tenants.profiles import load_profile, load_profile_policy
from tests.api_helpers import key_headers
from webapp.clock import now
from webapp.extensions import db
from webapp.models import Lead, Role
from webapp.operations import assignment, lead_imports, users, webhooks, workspaces
from workers import runtime


def _field(page: str, name: str) -> str:
    """The markup of the form field holding input `name`."""
    match = re.search(
        rf'<div class="field[^"]*"[^>]*>(?:(?!</div>).)*name="{name}".*?</div>', page, re.S
    )
    assert match, f"no input {name}"
    return match.group(0)


def _lead_count(workspace) -> int:
    return len(db.session.scalars(select(Lead).where(Lead.workspace_id == workspace.id)).all())


# Telecom (issue 9 item 8) ---------------------------------------------------------------------


@pytest.fixture
def telecom(make_workspace):
    return make_workspace(
        slug="tel",
        locale="ru",
        time_zone="Europe/Moscow",
        country="RU",
        policy_document=load_profile("telecom_inbound_offers"),
    )


def test_telecom_agent_creates_a_lead_with_the_ctn_and_campaign_the_policy_requires(
    client, telecom, login_as
):
    """TEL-1 (a customer is their number, the CTN), issue 9 item 8: the form asks for the
    policy's required `ctn` and `campaign`, labelled in Russian, and the lead is stored."""
    login_as(Role.AGENT, telecom)
    page = client.get("/w/tel/leads/new").get_data(as_text=True)
    ctn = _field(page, "attr_ctn")
    assert "CTN (номер абонента)" in ctn and 'type="tel"' in ctn and "required" in ctn
    assert "Кампания" in _field(page, "attr_campaign")

    response = client.post(
        "/w/tel/leads/new",
        data={
            "channel": "phone_up",
            "contact_name": "Иван Петров",
            "source": "inbound_call",
            "attr_ctn": "+7 903 123 45 67",
            "attr_campaign": "Тариф Плюс",
        },
    )

    assert response.status_code == 302, response.get_data(as_text=True)
    lead = db.session.scalar(select(Lead))
    assert lead.attributes["ctn"] == "+7 903 123 45 67"
    assert lead.attributes["campaign"] == "Тариф Плюс"


def test_telecom_form_refuses_a_lead_without_its_ctn_beside_the_field_in_russian(
    client, telecom, login_as
):
    """TEL-1, issue 9 items 8 and 19: the missing CTN and campaign are named beside their
    inputs, in the agent's language, and nothing is stored."""
    login_as(Role.AGENT, telecom)
    response = client.post("/w/tel/leads/new", data={"channel": "phone_up", "contact_name": "Иван"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    for name in ("attr_ctn", "attr_campaign"):
        assert "Обязательно по политике рабочего пространства." in _field(page, name)
    assert _lead_count(telecom) == 0


# CPB (issue 9 item 9) -------------------------------------------------------------------------


@pytest.fixture
def cpb(make_workspace):
    workspace = make_workspace(
        slug="cpb", country="GB", policy_document=load_profile("cpb_partner_leads")
    )
    northwind = workspaces.create_partner_organisation(workspace, "Northwind Resellers", actor=None)
    db.session.commit()
    return workspace, northwind


BANT_A = {
    "attr_budget": "£40k",
    "attr_authority": "CIO",
    "attr_need": "Backup",
    "attr_timescale": "Q1",
    "attr_action": "Intro call",
}


def test_cpb_lead_is_entered_with_its_partner_and_bant_a_and_allocated(
    client, cpb, login_as, make_user
):
    """CPB-1, CPB-10, issue 9 item 9: the form offers the workspace's partner organisations
    for the policy's required `partner` and the BANT+A qualification; the lead is stored and
    allocated to a partner of that organisation."""
    workspace, northwind = cpb
    partner = make_user(name="Daniel Brooks")
    users.add_member(workspace, partner, Role.PARTNER, actor=None, partner_organisation=northwind)
    login_as(Role.MANAGER, workspace, preferred_locale="en")
    page = client.get("/w/cpb/leads/new").get_data(as_text=True)
    assert f'<option value="{northwind.id}">Northwind Resellers</option>' in _field(
        page, "attr_partner"
    )
    assert "Budget" in _field(page, "attr_budget")
    assert 'type="datetime-local"' in _field(page, "attr_meeting_at")
    assert '<option value="yes">Yes</option>' in _field(page, "attr_invite_accepted")

    response = client.post(
        "/w/cpb/leads/new",
        data={
            "channel": "manual",
            "contact_name": "Pat Doyle",
            "company": "Acme",
            "email": "pat@acme.test",
            "lead_type": "OQL",
            "attr_partner": str(northwind.id),
            **BANT_A,
        },
    )

    assert response.status_code == 302, response.get_data(as_text=True)
    lead = db.session.scalar(select(Lead))
    assert lead.attributes["partner"] == str(northwind.id)
    assert lead.owner_id == partner.id
    shown = client.get(f"/w/cpb/leads/{lead.id}").get_data(as_text=True)
    assert "<dt>Partner</dt><dd>Northwind Resellers</dd>" in shown  # its name, not its id
    assert "<dt>Agreed action</dt><dd>Intro call</dd>" in shown


@pytest.mark.parametrize(
    ("locale", "partner", "budget"),
    [("es", "Socio", "Presupuesto"), ("fr", "Partenaire", "Budget"), ("ru", "Партнёр", "Бюджет")],
)
def test_cpb_field_labels_show_in_the_readers_language(
    client, cpb, login_as, locale, partner, budget
):
    """CPB-1, ALL-6, issue 9 item 8: the built-in profile's field labels are translated."""
    workspace, _northwind = cpb
    login_as(Role.MANAGER, workspace, preferred_locale=locale)
    page = client.get("/w/cpb/leads/new").get_data(as_text=True)
    assert partner in _field(page, "attr_partner") and budget in _field(page, "attr_budget")


def test_cpb_partner_must_be_an_organisation_of_the_workspace(client, cpb, make_workspace):
    """CPB-10, issue 9 item 9: another workspace's organisation is refused by field."""
    workspace, _northwind = cpb
    other = make_workspace()
    stranger = workspaces.create_partner_organisation(other, "Elsewhere Ltd", actor=None)
    db.session.commit()
    response = client.post(
        "/api/v1/leads",
        json={
            "contact_name": "Pat",
            "company": "Acme",
            "email": "pat@acme.test",
            "lead_type": "OQL",
            "attributes": {"partner": str(stranger.id), **{k[5:]: v for k, v in BANT_A.items()}},
        },
        headers=key_headers(workspace),
    )
    assert response.status_code == 422
    assert [f["path"] for f in response.json["error"]["fields"]] == ["attributes.partner"]


# Every error at once (issue 9 item 19) --------------------------------------------------------


@pytest.fixture
def ccima(make_workspace):
    return make_workspace(
        slug="cc",
        locale="es",
        time_zone="America/Mexico_City",
        country="MX",
        policy_document=load_profile("ccima_contact_center"),
    )


def test_the_form_shows_every_error_beside_its_field_in_the_agents_language(
    client, ccima, login_as
):
    """CCIMA-1, issue 9 item 19: an empty name, a bad e-mail and an unknown source are all
    named at once, each beside its field, in Spanish."""
    login_as(Role.AGENT, ccima)
    response = client.post(
        "/w/cc/leads/new",
        data={
            "channel": "manual",
            "contact_name": "",
            "phone": "55 1234 5678",
            "email": "not-an-email",
            "source": "carrier_pigeon",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Un lead necesita un nombre de contacto." in _field(page, "contact_name")
    assert "No es una dirección de correo: not-an-email." in _field(page, "email")
    assert "«carrier_pigeon» no es uno de: digital_marketing" in _field(page, "source")
    assert _lead_count(ccima) == 0


def test_the_api_names_every_bad_field_of_a_lead_at_once(client, ccima):
    """CCIMA-1, issue 9 item 19: the 422's `fields` list the empty name, the bad e-mail and
    the unknown source together (English for a machine caller)."""
    response = client.post(
        "/api/v1/leads",
        json={"contact_name": "", "email": "not-an-email", "source": "carrier_pigeon"},
        headers=key_headers(ccima),
    )
    assert response.status_code == 422
    fields = {f["path"]: f["message"] for f in response.json["error"]["fields"]}
    assert {"contact_name", "email", "source", "phone"} <= set(fields)
    assert fields["email"] == "Not an e-mail address: not-an-email."
    assert _lead_count(ccima) == 0


# BDC-2 whichever way a lead arrives (issue 9 item 10) -----------------------------------------


@pytest.fixture
def bdc(make_workspace, make_member):
    workspace = make_workspace(
        slug="bdc",
        locale="fr",
        time_zone="America/Toronto",
        country="CA",
        policy_document=load_profile("dealer_bdc"),
    )
    other = make_member(workspace, Role.AGENT, name="Émilie Bouchard")
    return workspace, other


CUSTOMER = {"contact_name": "Gabriel Lavoie", "phone": "514 555 0101"}


def _by_form(client, bdc, me, channel):
    data = {**CUSTOMER, "channel": channel, "taken": "y" if channel == "phone_up" else ""}
    if channel == "email":
        data["email"] = "gabriel@example.test"
    response = client.post("/w/bdc/leads/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)


def _by_api(client, bdc, me, channel):
    body = {**CUSTOMER, "channel": channel}
    body.update({"taken_by": me.id} if channel == "phone_up" else {"email": "gabriel@x.test"})
    response = client.post("/api/v1/leads", json=body, headers=key_headers(bdc[0]))
    assert response.status_code == 201, response.json


def _by_webhook(client, bdc, me, channel):
    """The dealer's site posts e-mail leads to its `email` source, its phone system phone-ups
    to `phone_up`: the source stands for the channel when the body names none."""
    _source, secret = webhooks.create_source(bdc[0], channel, channel, actor=None)
    db.session.commit()
    body = dict(CUSTOMER)
    body.update({"taken_by": me.id} if channel == "phone_up" else {"email": "gabriel@x.test"})
    raw = json.dumps(body).encode()
    stamp = str(int(now().timestamp()))
    response = client.post(
        f"/hooks/bdc/{channel}",
        data=raw,
        headers={
            "Content-Type": "application/json",
            webhooks.TIMESTAMP_HEADER: stamp,
            webhooks.SIGNATURE_HEADER: webhooks.sign(secret, raw, stamp),
        },
    )
    assert response.status_code == 201, response.json


def _by_csv(client, bdc, me, channel):
    text = f"Nom,Téléphone,Courriel,Canal\nGabriel Lavoie,514 555 0101,gabriel@x.test,{channel}\n"
    lead_import = lead_imports.upload(bdc[0], f"{channel}.csv", text.encode(), actor=me)
    assert lead_import.mapping["Canal"] == "channel"
    lead_imports.start(lead_import, dict(lead_import.mapping), actor=me)
    db.session.commit()
    assert runtime.perform("lead_import.run", lead_import.id) is True


ARRIVALS = {"form": _by_form, "api": _by_api, "webhook": _by_webhook, "csv": _by_csv}


@pytest.mark.parametrize("way", list(ARRIVALS))
def test_bdc_2_a_phone_up_invalidates_the_other_agents_email_lead_whichever_way_they_arrive(
    client, bdc, login_as, way
):
    """BDC-1, BDC-2, BDC-3, issue 9 item 10: an e-mail lead and a phone-up for the same phone,
    both by form, API, webhook or CSV: the e-mail lead of the other agent becomes INVALID
    with the policy's note, and the phone-up is a new lead (its taker keeps it), not a join."""
    workspace, other = bdc
    me = login_as(Role.AGENT, workspace, preferred_locale="fr")
    ARRIVALS[way](client, bdc, me, "email")
    email_lead = db.session.scalar(select(Lead))
    assignment.reassign(email_lead, other, actor=None, reason="the e-mail lead's agent")

    ARRIVALS[way](client, bdc, me, "phone_up")

    db.session.expire_all()
    email_lead = db.session.get(Lead, email_lead.id)
    phone_up = db.session.scalar(select(Lead).where(Lead.id != email_lead.id))
    assert email_lead.status == "invalid"
    assert email_lead.invalid_reason == "OPP lead courriel invalide"
    assert phone_up is not None and phone_up.status != "invalid"
    if way != "csv":  # a file has no taker
        assert phone_up.owner_id == me.id


def test_the_form_offers_the_policys_intake_channels(client, bdc, login_as):
    """BDC-1, issue 9 item 10: the channels are the policy's, labelled in French."""
    login_as(Role.AGENT, bdc[0], preferred_locale="fr")
    page = client.get("/w/bdc/leads/new").get_data(as_text=True)
    channel = _field(page, "channel")
    assert '<option value="email">Lead courriel</option>' in channel
    assert '<option value="phone_up">Phone-up (le client a appelé)</option>' in channel


def test_cpb_csv_mapping_knows_the_policys_fields_by_their_labels(app, cpb, make_member):
    """CPB-1, issue 9 item 8: a column headed by a field's label in any language feeds that
    field, and the mapping's choices name the policy's fields by their labels."""
    from webapp.leadimport import forms

    workspace, _northwind = cpb
    admin = make_member(workspace, Role.ADMIN)
    text = "Nombre,Empresa,Correo,Presupuesto,Socio,Plazo\nAna,Acme,ana@acme.test,10k,1,Q1\n"
    lead_import = lead_imports.upload(workspace, "es.csv", text.encode(), actor=admin)
    assert lead_import.mapping["Presupuesto"] == "attributes.budget"
    assert lead_import.mapping["Socio"] == "attributes.partner"
    assert lead_import.mapping["Plazo"] == "attributes.timescale"
    policy = load_profile_policy("cpb_partner_leads")
    with app.test_request_context():
        options = dict(forms.choices("Socio", policy))
    assert options["attributes.partner"] == "Partner"
    assert options["attributes.invite_accepted"] == "Calendar invite accepted"
