"""People pages: inviting by e-mail through real SMTP, members' fields, deactivation, the last
administrator, password reset, a member's own profile (issue 12 item 2, ALL-1, ALL-3)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.test_notification_delivery import _work, smtp_inbox  # noqa: F401  (a fixture)
from tests.test_timer_actions import NOON, _contact_center
from webapp.extensions import db
from webapp.models import AuditEvent, Lead, Membership, Role, Task, Team, User
from webapp.operations import invitations, leads, members, workspaces

PATH = re.compile(r"https?://[^/\s]+(/\S+)")


def _link(mail) -> str:
    """The path of the link in a message (the base URL is the installation's)."""
    return PATH.search(mail.get_body(("plain",)).get_content()).group(1)


def _membership(workspace, email) -> Membership:
    user = db.session.scalar(select(User).where(User.email == email))
    return members.member_of(workspace, user.id)


def test_invitation_reaches_smtp_and_its_link_sets_a_password_and_signs_in(
    client,
    make_workspace,
    login_as,
    redis_conn,
    smtp_inbox,  # noqa: F811
):
    workspace = make_workspace(slug="shop")
    login_as(Role.ADMIN, workspace)
    response = client.post(
        "/w/shop/people/", data={"email": "New.Person@Example.test", "role": "agent", "team": ""}
    )
    assert response.status_code == 302
    _work(redis_conn)
    (mail,) = smtp_inbox.messages
    assert mail["To"] == "new.person@example.test"
    assert "Workspace" in mail["Subject"]
    link = _link(mail)
    client.post("/logout")
    page = client.get(link)
    assert page.status_code == 200 and "new.person@example.test" in page.get_data(as_text=True)
    response = client.post(link, data={"name": "Nueva Persona", "password": "a long password"})
    assert response.status_code == 302 and response.headers["Location"] == "/w/shop/"
    assert client.get("/w/shop/").status_code == 200  # signed in
    # Spent: the same link again is a clear page, and changes nothing.
    client.post("/logout")
    refused = client.get(link)
    assert refused.status_code == 410 and "no longer works" in refused.get_data(as_text=True)
    user = db.session.scalar(select(User).where(User.email == "new.person@example.test"))
    assert user.name == "Nueva Persona" and user.active and user.check_password("a long password")


def test_resending_replaces_the_link_and_revoking_kills_it(make_workspace, make_member, client):
    workspace = make_workspace()
    admin = make_member(workspace, Role.ADMIN)
    membership = invitations.invite(workspace, "late@example.test", actor=admin)
    first = invitations._serializer("invitation").dumps(
        {"m": membership.id, "n": membership.invitation_nonce}
    )
    invitations.resend(membership, actor=admin)
    assert client.get(f"/invitation/{first}").status_code == 410
    second = invitations._serializer("invitation").dumps(
        {"m": membership.id, "n": membership.invitation_nonce}
    )
    assert client.get(f"/invitation/{second}").status_code == 200
    invitations.revoke(membership, actor=admin)
    assert client.get(f"/invitation/{second}").status_code == 410
    assert client.post(f"/invitation/{second}", data={"password": "x" * 10}).status_code == 410
    assert not membership.active


def test_an_invitation_with_bad_fields_names_each_beside_it_and_stores_nothing(
    client, make_workspace, login_as
):
    workspace, other = make_workspace(slug="shop"), make_workspace()
    login_as(Role.ADMIN, workspace)
    theirs = workspaces.create_team(other, "Theirs", actor=None)
    db.session.commit()
    before = db.session.scalar(select(func.count()).select_from(User))
    response = client.post(
        "/w/shop/people/", data={"email": "not-an-address", "role": "emperor", "team": theirs.id}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert page.count('class="errors"') == 3
    assert db.session.scalar(select(func.count()).select_from(User)) == before


def test_a_duplicate_member_is_refused(make_workspace, make_member):
    workspace = make_workspace()
    user = make_member(workspace, Role.AGENT)
    with pytest.raises(members.MemberInvalid) as refused:
        invitations.invite(workspace, user.email, actor=None)
    assert refused.value.errors[0][0] == "email"


def test_an_existing_user_is_added_at_once_without_an_invitation(make_workspace, make_user):
    workspace = make_workspace()
    user = make_user()
    membership = invitations.invite(workspace, user.email.upper(), actor=None, role="manager")
    assert membership.user_id == user.id and membership.role == Role.MANAGER
    assert not invitations.pending(membership) and membership.active


def test_only_administrators_manage_people_and_another_workspaces_member_is_404(
    client, make_workspace, make_member, login_as
):
    workspace, other = make_workspace(slug="shop"), make_workspace()
    stranger = make_member(other, Role.AGENT)
    login_as(Role.MANAGER, workspace)
    assert client.get("/w/shop/people/").status_code == 403
    client.post("/logout")
    login_as(Role.ADMIN, workspace)
    assert client.get("/w/shop/people/").status_code == 200
    their_member = members.member_of(other, stranger.id)
    assert client.get(f"/w/shop/people/{their_member.id}").status_code == 404


def test_admin_changes_every_member_field_audited_with_before_and_after(
    client, make_workspace, make_member, login_as
):
    workspace = make_workspace(slug="shop", country="MX", time_zone="America/Mexico_City")
    team = workspaces.create_team(workspace, "Asesores", actor=None, code="cc")
    organisation = workspaces.create_partner_organisation(workspace, "Partner SA", actor=None)
    db.session.commit()
    manager = make_member(workspace, Role.MANAGER)
    agent = make_member(workspace, Role.AGENT)
    login_as(Role.ADMIN, workspace)
    membership = members.member_of(workspace, agent.id)
    response = client.post(
        f"/w/shop/people/{membership.id}",
        data={
            "name": "Ana Torres",
            "role": "agent",
            "team": team.id,
            "partner_organisation": organisation.id,
            "phone": "55 1234 5678",
            "telegram_chat_id": "777001",
            "locale": "es",
            "authorised": "y",
            "away_until": "2026-12-24T09:00",
            "capacity": "5",
            "weight": "3",
            "line": "second",
            "manager": manager.id,
            "assistant": "",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    membership = db.session.get(Membership, membership.id)
    assert (membership.team_id, membership.partner_organisation_id) == (team.id, organisation.id)
    assert membership.user.phone == "+525512345678" and membership.user.telegram_chat_id == "777001"
    assert membership.authorised and not membership.available
    assert membership.away_until.isoformat() == "2026-12-24T15:00:00+00:00"  # 09:00 in CDMX
    assert (membership.capacity, membership.weight, membership.line) == (5, 3, "second")
    assert membership.manager_user_id == manager.id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "membership.updated"))
    assert event.before["line"] == "first" and event.after["line"] == "second"


def test_a_phone_that_is_not_a_phone_is_refused_beside_the_field(
    client, make_workspace, make_member, login_as
):
    workspace = make_workspace(slug="shop")
    agent = make_member(workspace, Role.AGENT)
    login_as(Role.ADMIN, workspace)
    membership = members.member_of(workspace, agent.id)
    response = client.post(
        f"/w/shop/people/{membership.id}",
        data={"name": "A", "role": "agent", "phone": "call me", "weight": "1", "line": "first"},
    )
    assert response.status_code == 422
    assert "Not a valid phone number" in response.get_data(as_text=True)
    assert db.session.get(User, agent.id).phone is None


def test_the_last_administrator_can_be_neither_demoted_nor_deactivated(make_workspace, make_member):
    workspace = make_workspace()
    admin = make_member(workspace, Role.ADMIN)
    membership = members.member_of(workspace, admin.id)
    with pytest.raises(members.MemberInvalid) as refused:
        members.update_member(membership, {"role": "agent"}, actor=admin)
    assert refused.value.errors[0][0] == "role"
    with pytest.raises(members.MemberInvalid):
        members.deactivate_member(membership, actor=admin)
    second = make_member(workspace, Role.ADMIN)
    members.update_member(membership, {"role": "agent"}, actor=second)
    assert membership.role == Role.AGENT


def test_deactivated_advisor_cannot_sign_in_and_their_leads_and_tasks_go_round_robin(
    make_workspace, make_member, client
):
    """CCIMA-1: a deactivated advisor's open leads go to the next advisor by the strategy,
    each through the owner change (audited); their tasks follow the lead."""
    import time_machine

    workspace, manager, _director, advisors = _contact_center(make_workspace, make_member)
    leaving = advisors[0]
    with time_machine.travel(NOON, tick=False):
        lead = leads.create_lead(
            workspace, contact_name="Cliente", actor=None, phone="+52 55 1234 0000"
        )
        lead.owner_id = leaving.id
        task = Task(workspace_id=workspace.id, lead_id=lead.id, kind="callback", title="t")
        task.assignee_id, task.due_at = leaving.id, NOON
        db.session.add(task)
        db.session.commit()
        moved = members.deactivate_member(members.member_of(workspace, leaving.id), actor=manager)
    assert moved == 1
    lead = db.session.get(Lead, lead.id)
    assert lead.owner_id in {advisors[1].id, advisors[2].id}
    assert db.session.get(Task, task.id).assignee_id == lead.owner_id
    handed = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "lead.assigned", AuditEvent.subject_id == lead.id
        )
    )
    assert handed.before == {"owner_id": leaving.id}
    response = client.post(
        "/login", data={"email": leaving.email, "password": "correct horse battery"}
    )
    assert response.status_code == 401


def test_password_reset_answers_the_same_and_its_link_works_once(
    client,
    make_workspace,
    make_member,
    redis_conn,
    smtp_inbox,  # noqa: F811
):
    workspace = make_workspace()
    user = make_member(workspace, Role.AGENT, email="olvido@example.test")
    assert "Forgot your password?" in client.get("/login").get_data(as_text=True)
    unknown = client.post("/password/forgot", data={"email": "nobody@example.test"})
    known = client.post("/password/forgot", data={"email": "olvido@example.test"})
    assert unknown.status_code == known.status_code == 302
    assert client.get("/login").status_code == 200
    _work(redis_conn)
    (mail,) = smtp_inbox.messages
    assert mail["To"] == "olvido@example.test"
    link = _link(mail)
    assert client.post(link, data={"password": "short"}).status_code == 422
    assert client.post(link, data={"password": "a brand new one"}).status_code == 302
    assert client.post(link, data={"password": "and another one"}).status_code == 410
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password("a brand new one")
    assert client.get(f"{link}x").status_code == 410  # tampered


def test_a_member_edits_their_own_phone_language_telegram_and_password(
    client, make_workspace, login_as
):
    workspace = make_workspace(country="MX")
    user = login_as(Role.AGENT, workspace)
    assert client.get("/profile").status_code == 200
    response = client.post(
        "/profile", data={"phone": "55 8765 4321", "telegram_chat_id": "4242", "locale": "fr"}
    )
    assert response.status_code == 302
    assert client.post("/profile", data={"phone": "nope", "locale": ""}).status_code == 422
    wrong = client.post("/profile/password", data={"current": "guess", "password": "x" * 9})
    assert wrong.status_code == 422
    right = client.post(
        "/profile/password", data={"current": "correct horse battery", "password": "x" * 9}
    )
    assert right.status_code == 302 and client.get("/profile").status_code == 200
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert (user.phone, user.telegram_chat_id, user.preferred_locale) == (
        "+525587654321",
        "4242",
        "fr",
    )
    assert user.check_password("x" * 9)


def test_teams_and_partner_organisations_are_created_renamed_archived(
    client, make_workspace, make_member, login_as
):
    workspace = make_workspace(slug="shop")
    login_as(Role.ADMIN, workspace)
    assert (
        client.post("/w/shop/people/teams", data={"name": "Asesores", "code": "cc"}).status_code
        == 302
    )
    team = db.session.scalar(select(Team).where(Team.workspace_id == workspace.id))
    assert client.post("/w/shop/people/teams", data={"name": "Asesores"}).status_code == 422
    client.post(f"/w/shop/people/teams/{team.id}", data={"name": "Advisors", "code": "cc"})
    client.post(f"/w/shop/people/teams/{team.id}/archive")
    response = client.post(
        "/w/shop/people/organisations",
        data={"name": "Harbour IT", "code": "harbour", "crm_reference": "ACC-77"},
    )
    assert response.status_code == 302
    page = client.get("/w/shop/people/organisations").get_data(as_text=True)
    assert "ACC-77" in page
    db.session.expire_all()
    team = db.session.get(Team, team.id)
    assert team.name == "Advisors" and team.archived_at is not None
