"""The lead's timeline says what changed in the reader's language, never a raw code (ALL-3,
issue 12 item 5): a lead that went through intake, the strategy, a reassignment with a reason,
a timer's task, an outcome, a status change, an edit and a task closed; a partner's lead
allocated and acknowledged (CPB-2); rendered in en, es, fr and ru."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tenants.profiles import load_profile
from tests import support
from tests.api_helpers import key_headers
from webapp import audit_actions
from webapp.extensions import db
from webapp.models import AuditEvent, Lead, Role, TaskState
from webapp.operations import (
    accounts,
    acknowledgements,
    assignment,
    intake,
    lead_edits,
    outcomes,
    tasks,
    users,
    workspaces,
)

# A code as operations write them: snake_case or dotted (round_robin, lead.assigned, ...).
RAW_CODE = re.compile(r"\b[a-z]+(?:[._][a-z0-9]+)+\b")
LOCALES = ("en", "es", "fr", "ru")


class _Timeline(HTMLParser):
    """The text of the page's timeline list."""

    def __init__(self) -> None:
        super().__init__()
        self.depth, self.parts = 0, []

    def handle_starttag(self, tag, attrs):
        if self.depth or dict(attrs).get("data-testid") == "timeline":
            self.depth += 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.parts.append(data)


def timeline_text(html: str) -> str:
    parser = _Timeline()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


@pytest.fixture
def l411_lead(client, make_workspace, make_member):
    """A 411 lead through every kind of event a lead's timeline shows."""
    workspace, teams = support.l411_workspace(make_workspace)
    agents = [make_member(workspace, Role.AGENT, name=n) for n in ("Luis Pérez", "Ana Torres")]
    for agent in agents:
        agent.memberships[0].team_id = teams["cpt"].id
    make_member(workspace, Role.AGENT, name="Calvin Myers").memberships[0].team_id = teams["ae"].id
    manager = make_member(workspace, Role.MANAGER, name="Jorge Ramírez")
    db.session.commit()
    accounts.upsert_account(workspace, "BO-1", name="Bea's", actor=None)
    response = client.post(
        "/api/v1/leads",
        json={
            "contact_name": "Bea Owner",
            "phone": "+1 415 555 0101",
            "source": "cpt_call",
            "account_ref": "BO-1",
        },
        headers=key_headers(workspace),
    )
    assert response.status_code == 201, response.json
    lead = db.session.get(Lead, response.json["id"])  # api.lead_received, round robin
    other = next(a for a in agents if a.id != lead.owner_id)
    assignment.reassign(lead, other, actor=manager, reason="on holiday")
    lead_edits.update_lead(lead, actor=manager, values={"company": "Bea's Bakery"})
    outcomes.change_status(lead, "callback_due", actor=other)
    outcomes.record_outcome(
        lead, "yes_transferred_to_ae", actor=other, true_facts=["requested_callback"]
    )
    for task in tasks.tasks_of(lead):
        if task.state == TaskState.OPEN:
            tasks.complete(task, actor=other, membership=other.memberships[0])
    return workspace, lead, manager


@pytest.fixture
def cpb_lead(make_workspace, make_member):
    workspace = make_workspace(slug="cpb", policy_document=load_profile("cpb_partner_leads"))
    organisation = workspaces.create_partner_organisation(workspace, "Northwind", actor=None)
    partner = make_member(workspace, Role.PARTNER, name="Daniel Brooks")
    partner.memberships[0].partner_organisation_id = organisation.id
    manager = make_member(workspace, Role.MANAGER, name="Tom Reeves")
    db.session.commit()
    result = intake.receive_lead(
        workspace,
        intake.IntakeRequest(
            contact_name="Ian Fletcher",
            email="ian@acme.test",
            company="Acme",
            lead_type="OQL",
            attributes={
                "partner": organisation.id,
                **{q: "yes" for q in ("budget", "authority", "need", "timescale", "action")},
            },
        ),
        actor=None,
    )
    acknowledgements.acknowledge(result.lead, actor=partner)
    return workspace, result.lead, manager


def _read_in(client, workspace, lead, reader, locale) -> str:
    users.set_preferred_locale(reader, locale)
    client.post("/logout")
    client.post("/login", data={"email": reader.email, "password": support_password()})
    response = client.get(f"/w/{workspace.slug}/leads/{lead.id}")
    assert response.status_code == 200
    return timeline_text(response.get_data(as_text=True))


def support_password() -> str:
    from tests.conftest import PASSWORD

    return PASSWORD


@pytest.mark.parametrize("locale", LOCALES)
def test_all_3_the_timeline_in_each_language_shows_no_raw_code(client, l411_lead, cpb_lead, locale):
    for workspace, lead, reader in (l411_lead, cpb_lead):
        text = _read_in(client, workspace, lead, reader, locale)
        assert text
        # An API key is shown by its random prefix ("ll_6q0ja-B..."): a name, not a code.
        raw = [m for m in RAW_CODE.findall(text) if "@" not in m and not m.startswith("ll_")]
        assert raw == [], f"{workspace.slug} in {locale}: raw codes {raw} in: {text}"
        if locale == "en" and workspace.slug == "l411":
            assert "Owner: " in text and " → " in text and "Jorge Ramírez: on holiday" in text
            assert "Status: New → Callback due" in text
            assert "Round robin: next in turn" in text and "Task done: Callback" in text
        if locale == "en" and workspace.slug == "cpb":
            assert "Partner allocation: the partner organisation's turn (Northwind)" in text


def test_all_3_the_owner_change_in_spanish(client, l411_lead):
    workspace, lead, manager = l411_lead
    text = _read_in(client, workspace, lead, manager, "es")
    assert "Responsable:" in text and "Jorge Ramírez: on holiday" in text
    assert "Estado: Nuevo → Devolución pendiente" in text and "hecha a mano" in text


def test_every_lead_action_the_operations_write_has_a_label(l411_lead, cpb_lead):
    actions = {a for (a,) in db.session.query(AuditEvent.action).distinct()}
    unlabelled = {
        a
        for a in actions
        if a not in audit_actions.ACTION_LABELS
        and not a.startswith(tuple(audit_actions.PREFIX_LABELS))
    }
    lead_actions = {
        a for (a,) in db.session.query(AuditEvent.action).filter_by(subject_type="leads")
    }
    assert unlabelled & lead_actions == set()


REASONS = (
    "round_robin: round_robin_next",
    "partner_allocation: manual_assignment",
    "duplicate: join_existing",
    "join_existing",
    "outside_hours",
    "no_eligible_candidate",
    "claimed",
    "taken by this agent",
    "counter threshold reached",
    "timer cpt_callback",
    "timer cpt_callback: listed on the open callback",
    "lead handed over: claimed",
    "call logged",
    "task callback done",
    "12 days without reaching the customer (bdc_rounds)",
    "webhook 'Site' (web_form)",
)


@pytest.mark.parametrize("locale", LOCALES)
def test_all_3_every_action_and_reason_code_has_a_label(app, locale):
    """Every action the code names, counter.* and outcome.* events, and every reason code
    operations write, read in each language: no raw code left (the actions a test lead cannot
    easily go through are covered here: join_existing, counter.hot_account, ...)."""
    from flask_babel import force_locale

    from tenants.policy import load_policy
    from webapp.leadwork.history import Reader
    from webapp.policy.labels import PolicyLabels

    policy = load_policy(load_profile("locals411_cpt_ae"))
    actions = [*audit_actions.ACTION_LABELS, "counter.hot_account", "outcome.no_do_not_upsell"]
    events = [
        AuditEvent(action=a, subject_type="leads", reason=r, before={}, after={})
        for a in actions
        for r in ("", *REASONS)
    ]
    with app.test_request_context(), force_locale(locale):
        reader = Reader(PolicyLabels(policy, locale), [])
        text = " ".join(f"{reader.title(e)} {reader.reason(e.reason)}" for e in events)
    raw = RAW_CODE.findall(text)
    assert raw == [], f"{locale}: {sorted(set(raw))}"
