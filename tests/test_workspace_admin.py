"""Workspaces run by their department (issue 12 item 1): created from a profile by a signed-in
user or `leadline workspace create`, renamed, archived (read-only, no intake, no clocks), and
their policy started over from a profile with the differences shown first."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from tests.api_helpers import key_headers
from webapp.clock import now
from webapp.extensions import db
from webapp.models import Deadline, DeadlineState, Membership, PolicyVersion, Role, Team, Workspace
from webapp.operations import deadlines, workspaces
from webapp.operations.intake import IntakeInvalid, IntakeRequest, receive_lead


def test_a_signed_in_user_creates_a_workspace_from_the_contact_centre_profile(
    client, make_user, login
):
    user = make_user()
    login(user)
    assert "Create a workspace" in client.get("/workspaces").get_data(as_text=True)
    response = client.post(
        "/workspaces/new",
        data={
            "name": "Contact centre",
            "slug": "contact",
            "profile": "ccima_contact_center",
            "locale": "es",
            "time_zone": "America/Mexico_City",
            "country": "MX",
            "currency": "",
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == "/w/contact/people/"
    workspace = db.session.scalar(select(Workspace).where(Workspace.slug == "contact"))
    assert workspace.currency == "MXN"
    (membership,) = db.session.scalars(
        select(Membership).where(Membership.workspace_id == workspace.id)
    ).all()
    assert membership.user_id == user.id and membership.role == Role.ADMIN
    # The profile's receiving team exists, so leads can be routed (CCIMA-1).
    codes = db.session.scalars(select(Team.code).where(Team.workspace_id == workspace.id)).all()
    assert codes == ["contact_center"]
    assert client.get("/w/contact/people/").status_code == 200


def test_bad_workspace_input_is_shown_beside_each_field(client, make_user, login, make_workspace):
    make_workspace(slug="taken")
    login(make_user())
    response = client.post(
        "/workspaces/new",
        data={
            "name": "X",
            "slug": "taken",
            "profile": "blank",
            "locale": "en",
            "time_zone": "Mars/Olympus",
            "country": "US",
        },
    )
    assert response.status_code == 422
    assert "Unknown time zone" in response.get_data(as_text=True)


def test_workspace_creation_can_be_kept_to_operators(app, client, make_user, login):
    app.config["LEADLINE_WORKSPACE_CREATION"] = "operators"
    try:
        login(make_user())
        assert client.get("/workspaces/new").status_code == 403
    finally:
        app.config["LEADLINE_WORKSPACE_CREATION"] = "anyone"


def test_cli_workspace_create_makes_the_admin_its_administrator(runner, make_user):
    user = make_user(email="boss@example.test")
    result = runner.invoke(
        args=[
            "workspace",
            "create",
            "--slug",
            "bdc",
            "--name",
            "BDC",
            "--profile",
            "dealer_bdc",
            "--locale",
            "fr",
            "--timezone",
            "America/Toronto",
            "--country",
            "CA",
            "--admin",
            "boss@example.test",
        ],
    )
    assert result.exit_code == 0, result.output
    workspace = db.session.scalar(select(Workspace).where(Workspace.slug == "bdc"))
    assert workspace.locale == "fr" and workspace.currency == "CAD"
    membership = db.session.scalar(select(Membership).where(Membership.user_id == user.id))
    assert membership.role == Role.ADMIN
    unknown = runner.invoke(
        args=["workspace", "create", "--slug", "x", "--name", "X", "--admin", "nobody@x.test"]
    )
    assert unknown.exit_code != 0 and "nobody@x.test" in unknown.output


def test_an_archived_workspace_is_read_only_takes_no_leads_and_fires_no_clocks(
    client, make_workspace, login_as, make_lead
):
    workspace = make_workspace(slug="old")
    admin = login_as(Role.ADMIN, workspace)
    lead = make_lead(workspace)
    deadline = deadlines.schedule(
        workspace.id, "contact_sla", now() + timedelta(minutes=1), lead=lead
    )
    db.session.commit()
    client.post("/w/old/people/workspace", data={"name": "Old shop"})
    assert client.post("/w/old/people/workspace/archive").status_code == 302
    assert workspace.archived_at is not None
    # Read-only: pages open, changes are refused with a clear page.
    assert client.get("/w/old/leads").status_code == 200
    refused = client.post("/w/old/people/teams", data={"name": "New"})
    assert refused.status_code == 409 and "archived" in refused.get_data(as_text=True)
    # No intake: the API (and so the webhooks and forms, which share receive_lead) refuse.
    api = client.post("/api/v1/leads", json={"contact_name": "Ana"}, headers=key_headers(workspace))
    assert api.status_code == 409 and "archived" in api.json["error"]["message"]
    with pytest.raises(IntakeInvalid):
        receive_lead(
            workspace, IntakeRequest(contact_name="Ana", phone="+14155550100"), actor=admin
        )
    # No clocks: a due deadline neither fires nor is swept.
    with time_machine.travel(now() + timedelta(minutes=5)):
        assert deadlines.enqueue_due() == 0
        assert deadlines.fire(deadline.id) is False
    assert db.session.get(Deadline, deadline.id).state == DeadlineState.PENDING
    # Bringing it back is the one change allowed.
    assert client.post("/w/old/people/workspace/archive").status_code == 302
    assert db.session.get(Workspace, workspace.id).archived_at is None


def test_start_from_a_profile_shows_the_differences_then_saves_a_new_version(
    client, make_workspace, login_as
):
    workspace = make_workspace(slug="shop")
    login_as(Role.ADMIN, workspace)
    preview = client.post("/w/shop/policy/from-profile", data={"profile": "cpb_partner_leads"})
    assert preview.status_code == 200 and 'class="diff"' in preview.get_data(as_text=True)
    assert (
        db.session.scalar(
            select(PolicyVersion.number)
            .where(PolicyVersion.workspace_id == workspace.id)
            .order_by(PolicyVersion.number.desc())
        )
        == 1
    )
    saved = client.post(
        "/w/shop/policy/from-profile", data={"profile": "cpb_partner_leads", "confirm": "y"}
    )
    assert saved.status_code == 302
    numbers = db.session.scalars(
        select(PolicyVersion.number).where(PolicyVersion.workspace_id == workspace.id)
    ).all()
    assert sorted(numbers) == [1, 2]


def test_renaming_is_audited(make_workspace):
    workspace = make_workspace()
    workspaces.rename_workspace(workspace, "New name", actor=None)
    assert workspace.name == "New name"
