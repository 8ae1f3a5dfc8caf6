"""Who a source's leads may go to: the roles and teams the policy names (issue 9 item 6).

411's CPT leads were round-robined over every member a strategy could pick, the AE team
(and, before receiving_roles, its manager) included. Assignment now picks only from
`assignment.by_source[<source>]`'s roles and teams, each falling back to the workspace's
`receiving_roles` / `receiving_teams`, whichever channel the lead comes by (CSV import, form,
API, webhook: all through the one intake).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tenants.profiles import load_profile
from tests.api_helpers import key_headers
from webapp.extensions import db
from webapp.models import Lead, Role
from webapp.operations import accounts, lead_imports, workspaces
from workers import runtime


@pytest.fixture
def locals411(make_workspace, make_member):
    """Build a 411 workspace like the demo's, the AE members made first so that a round
    robin over everyone reaches them first."""

    def build(document=None):
        workspace = make_workspace(
            slug="l411", policy_document=document or load_profile("locals411_cpt_ae")
        )
        teams = {
            code: workspaces.create_team(workspace, name, actor=None, code=code)
            for code, name in (("ae", "Area Expansion"), ("cpt", "Customer Protection"))
        }
        people = {
            "ae_manager": make_member(workspace, Role.MANAGER, name="Matthew Benton"),
            "ae_agent": make_member(workspace, Role.AGENT, name="Calvin Myers"),
            "cpt_1": make_member(workspace, Role.AGENT, name="Simon Vale"),
            "cpt_2": make_member(workspace, Role.AGENT, name="Lee Gomez"),
            "cpt_3": make_member(workspace, Role.AGENT, name="Mars Peters"),
        }
        for key, user in people.items():
            user.memberships[0].team_id = teams[key.split("_")[0]].id
        for n in range(1, 9):
            accounts.upsert_account(workspace, f"BO-{n}", name=f"Business {n}", actor=None)
        db.session.commit()
        cpt = {u.id for k, u in people.items() if k.startswith("cpt")}
        return workspace, people, cpt

    return build


def _owners(workspace) -> list[int | None]:
    return list(
        db.session.scalars(
            select(Lead.owner_id).where(Lead.workspace_id == workspace.id).order_by(Lead.id)
        )
    )


def test_l411_imported_cpt_leads_go_round_the_cpt_agents_only(locals411):
    """L411-1, issue 9 item 6: a CSV of six CPT leads (no source column: the workspace's
    list applies) is shared among the three CPT agents, none to the AE team or its manager."""
    workspace, people, cpt = locals411()
    admin = people["ae_manager"]
    rows = "".join(f"Customer {n},BO-{n},+1 415 555 01{n:02d}\n" for n in range(1, 7))
    lead_import = lead_imports.upload(
        workspace, "cpt.csv", f"Customer name,Account,Phone\n{rows}".encode(), actor=admin
    )
    assert dict(lead_import.mapping)["Account"] == "account_ref"
    lead_imports.start(lead_import, dict(lead_import.mapping), actor=admin)
    assert runtime.perform("lead_import.run", lead_import.id) is True
    db.session.expire_all()
    owners = _owners(workspace)
    assert len(owners) == 6
    assert set(owners) == cpt  # every CPT agent, twice each; nobody else
    assert sorted(owners.count(u) for u in cpt) == [2, 2, 2]


def test_l411_a_sources_own_receivers_are_read_before_the_workspace_list(client, locals411):
    """L411-1, issue 9 item 6: with no workspace-wide team, `by_source.cpt_call` still keeps
    the API's CPT-call leads with the CPT agents; a lead of no named source may go to any
    agent of the workspace (the AE agent too), never to the manager."""
    document = load_profile("locals411_cpt_ae")
    document["assignment"].pop("receiving_teams")
    workspace, people, cpt = locals411(document)
    headers = key_headers(workspace)
    for n in range(1, 5):
        response = client.post(
            "/api/v1/leads",
            json={
                "contact_name": f"Customer {n}",
                "account_ref": f"BO-{n}",
                "phone": f"+1 415 555 01{n:02d}",
                "source": "cpt_call",
            },
            headers=headers,
        )
        assert response.status_code == 201, response.json
        assert response.json["owner"]["id"] in cpt
    assert set(_owners(workspace)) == cpt
    others = [
        client.post(
            "/api/v1/leads",
            json={"contact_name": f"Walk-in {n}", "account_ref": f"BO-{n}", "phone": None},
            headers=headers,
        ).json["owner"]["id"]
        for n in (5, 6, 7, 8)  # one more than the pool: round robin comes back round
    ]
    assert people["ae_agent"].id in others  # the round robin went on past the CPT agents
    assert people["ae_manager"].id not in _owners(workspace)


def test_a_by_source_entry_for_an_unknown_source_is_refused():
    """Issue 9 item 6: `assignment.by_source` names sources of the policy's intake."""
    from tenants import load_policy
    from tenants.errors import PolicyInvalid

    document = load_profile("locals411_cpt_ae")
    document["assignment"]["by_source"]["walk_in"] = {"receiving_roles": ["agent"]}
    with pytest.raises(PolicyInvalid) as refused:
        load_policy(document)
    assert "assignment.by_source.walk_in" in str(refused.value)


def test_bdc_new_leads_go_round_the_bdc_agents_not_the_sales_manager(make_workspace, make_member):
    """BDC-4, issue 9 item 6: e-mail and web leads nobody took go round the BDC team's agents
    (`receiving_teams: [bdc]`); the sales manager gets a customer only as the manager already
    on their file."""
    from webapp.operations.intake import IntakeRequest, receive_lead

    workspace = make_workspace(
        slug="bdc",
        time_zone="America/Toronto",
        country="CA",
        policy_document=load_profile("dealer_bdc"),
    )
    sales = workspaces.create_team(workspace, "Ventes", actor=None, code="sales")
    bdc = workspaces.create_team(workspace, "BDC", actor=None, code="bdc")
    manager = make_member(workspace, Role.MANAGER, name="Marc Tremblay")
    agents = [make_member(workspace, Role.AGENT, name=f"Agent {n}") for n in range(2)]
    manager.memberships[0].team_id = sales.id
    for agent in agents:
        agent.memberships[0].team_id = bdc.id
    db.session.commit()
    for n, channel in enumerate(("email", "web", "email", "web")):
        receive_lead(
            workspace,
            IntakeRequest(f"Client {n}", email=f"client{n}@courriel.test", channel=channel),
            actor=None,
        )
    owners = _owners(workspace)
    assert sorted(owners) == sorted([a.id for a in agents] * 2)


def test_ccima_1_leads_go_to_the_contact_centres_advisors_not_internal_support_or_managers(
    client, make_workspace, make_member
):
    """CCIMA-1, issue 9 item 6: digital-marketing leads posted to the API go round the
    advisors of the contact centre's team; its manager and the internal support team (an
    agent on the roster too, CCIMA-13's pool) receive none."""
    from datetime import timedelta

    import time_machine

    from tests.test_timer_actions import NOON
    from webapp.operations.users import put_on_roster

    workspace = make_workspace(
        slug="cc",
        time_zone="America/Mexico_City",
        country="MX",
        policy_document=load_profile("ccima_contact_center"),
    )
    support = workspaces.create_team(
        workspace, "Soporte interno", actor=None, code="internal_support"
    )
    advisors_team = workspaces.create_team(workspace, "Asesores", actor=None, code="contact_center")
    helper = make_member(workspace, Role.AGENT, name="Diego Morales")
    manager = make_member(workspace, Role.MANAGER, name="Jorge Ramírez")
    advisors = [make_member(workspace, Role.AGENT, name=f"Asesor {n}") for n in range(2)]
    placed = [(helper, support), (manager, advisors_team), *((a, advisors_team) for a in advisors)]
    for user, team in placed:
        membership = user.memberships[0]
        membership.team_id = team.id
        put_on_roster(membership, NOON.date(), confirmed_at=NOON - timedelta(days=1), actor=None)
    db.session.commit()
    headers = key_headers(workspace)
    with time_machine.travel(NOON, tick=False):
        for n in range(4):
            response = client.post(
                "/api/v1/leads",
                json={
                    "contact_name": f"Prospecto {n}",
                    "phone": f"55 1234 56{n:02d}",
                    "source": "digital_marketing",
                },
                headers=headers,
            )
            assert response.status_code == 201, response.json
    assert sorted(_owners(workspace)) == sorted([a.id for a in advisors] * 2)


def test_ccima_1_without_direct_to_agents_new_leads_wait_unassigned(make_workspace, make_member):
    """`assignment.direct_to_agents: false`: the strategy picks nobody at intake; the lead
    waits in the unassigned pool (the same policy with true gives it to the agent)."""
    from webapp.operations.intake import IntakeRequest, receive_lead

    def owner_with(direct: bool):
        document = load_profile("blank")
        document["assignment"] = {"direct_to_agents": direct}
        workspace = make_workspace(policy_document=document)
        make_member(workspace, Role.AGENT)
        request = IntakeRequest("Prospecto", phone="55 1234 5600")
        return receive_lead(workspace, request, actor=None).lead.owner_id

    assert owner_with(True) is not None
    assert owner_with(False) is None
