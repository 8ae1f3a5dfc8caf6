"""Members, teams and partner organisations over the API with an administrator key (issue 12
item 6): invitations answer 201, bad input is a 422 naming every field, nothing stored."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.api_helpers import key_headers
from webapp.extensions import db
from webapp.models import Membership, Notification, Role, User
from webapp.operations import members, workspaces


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_post_member_sends_the_invitation_and_answers_201(client, make_workspace):
    workspace = make_workspace(country="MX")
    team = workspaces.create_team(workspace, "Asesores", actor=None, code="cc")
    db.session.commit()
    response = client.post(
        "/api/v1/members",
        json={
            "email": "Asesor@Example.test",
            "role": "agent",
            "team": team.id,
            "phone": "55 1234 5678",
        },
        headers=key_headers(workspace, "admin"),
    )
    assert response.status_code == 201, response.json
    body = response.json
    assert body["email"] == "asesor@example.test" and body["invitation_pending"]
    assert body["team"] == {"id": team.id, "name": "Asesores"} and body["phone"] == "+525512345678"
    (mail,) = db.session.scalars(select(Notification)).all()
    assert mail.channel == "email" and mail.template == "invitation"
    assert "/invitation/" in mail.payload["link"]


def test_bad_member_input_names_every_field_and_stores_nothing(client, make_workspace, make_member):
    workspace, other = make_workspace(), make_workspace()
    theirs = workspaces.create_team(other, "Theirs", actor=None)
    db.session.commit()
    existing = make_member(workspace, Role.AGENT)
    headers = key_headers(workspace, "admin")
    users, memberships = _count(User), _count(Membership)
    response = client.post(
        "/api/v1/members",
        json={"email": "nope", "role": "emperor", "team": theirs.id, "phone": "call me"},
        headers=headers,
    )
    assert response.status_code == 422
    fields = {f["path"] for f in response.json["error"]["fields"]}
    assert fields == {"email", "role", "team", "phone"}
    duplicate = client.post("/api/v1/members", json={"email": existing.email}, headers=headers)
    assert duplicate.status_code == 422
    assert duplicate.json["error"]["fields"][0]["path"] == "email"
    assert (_count(User), _count(Membership)) == (users, memberships)


def test_get_and_patch_a_member_and_another_workspaces_is_404(client, make_workspace, make_member):
    workspace, other = make_workspace(), make_workspace()
    agent, manager = make_member(workspace, Role.AGENT), make_member(workspace, Role.MANAGER)
    stranger = members.member_of(other, make_member(other, Role.AGENT).id)
    membership = members.member_of(workspace, agent.id)
    headers = key_headers(workspace, "admin")
    listed = client.get("/api/v1/members", headers=headers).json["members"]
    assert {m["user_id"] for m in listed} == {agent.id, manager.id}
    response = client.patch(
        f"/api/v1/members/{membership.id}",
        json={
            "authorised": False,
            "away_until": "2026-12-24T15:00:00Z",
            "capacity": 4,
            "weight": 2,
            "line": "second",
            "manager": manager.id,
            "telegram_chat_id": "9001",
            "locale": "ru",
        },
        headers=headers,
    )
    assert response.status_code == 200, response.json
    body = response.json
    assert body["authorised"] is False and body["capacity"] == 4 and body["line"] == "second"
    assert body["manager"] == {"id": manager.id, "name": manager.name}
    assert body["away_until"].startswith("2026-12-24T15:00")
    assert client.get(f"/api/v1/members/{stranger.id}", headers=headers).status_code == 404
    bad = client.patch(
        f"/api/v1/members/{membership.id}", json={"line": "third", "weight": 0}, headers=headers
    )
    assert {f["path"] for f in bad.json["error"]["fields"]} == {"line", "weight"}


def test_member_routes_need_an_administrator_key(client, make_workspace):
    workspace = make_workspace()
    response = client.get("/api/v1/members", headers=key_headers(workspace, "director"))
    assert response.status_code == 403


def test_deactivating_over_the_api_and_the_last_administrator(client, make_workspace, make_member):
    workspace = make_workspace()
    admin = members.member_of(workspace, make_member(workspace, Role.ADMIN).id)
    agent = members.member_of(workspace, make_member(workspace, Role.AGENT).id)
    headers = key_headers(workspace, "admin")
    response = client.patch(f"/api/v1/members/{agent.id}", json={"active": False}, headers=headers)
    assert response.status_code == 200 and response.json["active"] is False
    last = client.patch(f"/api/v1/members/{admin.id}", json={"role": "agent"}, headers=headers)
    assert last.status_code == 422 and last.json["error"]["fields"][0]["path"] == "role"


def test_teams_and_partner_organisations_over_the_api(client, make_workspace, make_member):
    workspace = make_workspace()
    headers = key_headers(workspace, "admin")
    team = client.post("/api/v1/teams", json={"name": "Ventas", "code": "sales"}, headers=headers)
    assert team.status_code == 201
    clash = client.post("/api/v1/teams", json={"name": "Ventas"}, headers=headers)
    assert clash.status_code == 422
    patched = client.patch(
        f"/api/v1/teams/{team.json['id']}",
        json={"name": "Sales", "archived": True},
        headers=headers,
    )
    assert patched.json["name"] == "Sales" and patched.json["archived"] is True
    organisation = client.post(
        "/api/v1/partner-organisations",
        json={"name": "Harbour IT", "code": "harbour", "crm_reference": "ACC-9"},
        headers=headers,
    )
    assert organisation.status_code == 201 and organisation.json["crm_reference"] == "ACC-9"
    partner = make_member(workspace, Role.PARTNER)
    client.patch(
        f"/api/v1/members/{members.member_of(workspace, partner.id).id}",
        json={"partner_organisation": organisation.json["id"]},
        headers=headers,
    )
    listed = client.get("/api/v1/partner-organisations", headers=headers).json
    (row,) = listed["partner_organisations"]
    assert row["partners"] == [{"id": partner.id, "name": partner.name}]
    assert client.get("/api/v1/teams", headers=headers).json["teams"][0]["code"] == "sales"
    changed = client.patch(
        f"/api/v1/partner-organisations/{row['id']}",
        json={"crm_reference": "ACC-10"},
        headers=headers,
    )
    assert changed.json["crm_reference"] == "ACC-10"
