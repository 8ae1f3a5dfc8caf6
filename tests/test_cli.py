"""The `leadline` commands operators use."""

from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import Membership, PolicyVersion, Role, RosterEntry, User, Workspace


def test_seed_demo_creates_the_five_department_workspaces(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    workspaces = {w.slug: w for w in db.session.scalars(select(Workspace))}
    assert {s: (w.locale, w.time_zone) for s, w in workspaces.items()} == {
        "locals411": ("en", "America/Los_Angeles"),
        "cpb": ("en", "Europe/London"),
        "ccima": ("es", "America/Mexico_City"),
        "telecom": ("ru", "Europe/Moscow"),
        "bdc": ("fr", "America/Toronto"),
    }
    admin = db.session.scalar(select(User).where(User.email == "admin@leadline.test"))
    assert {m.workspace.slug for m in admin.memberships} == set(workspaces)
    assert all(m.role == Role.ADMIN for m in admin.memberships)
    # Participants named in the 411 Locals document are users of that workspace.
    names = set(
        db.session.scalars(
            select(User.name)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.workspace_id == workspaces["locals411"].id)
        )
    )
    assert {"Simon Vale", "Mary Thompson", "Matthew Benton", "Yamil Cabrera"} <= names
    partner = db.session.scalar(
        select(Membership).where(
            Membership.workspace_id == workspaces["cpb"].id, Membership.role == Role.PARTNER
        )
    )
    assert partner.partner_organisation is not None
    assert all(w.active_policy_version is not None for w in workspaces.values())
    assert db.session.scalar(select(func.count(PolicyVersion.id))) == 5
    assert "admin@leadline.test" in result.output
    # The contact centre's advisors are on next month's roster (CCIMA-3), nobody elsewhere.
    planned = db.session.scalars(select(RosterEntry)).all()
    assert planned and {e.workspace_id for e in planned} == {workspaces["ccima"].id}


def test_seeded_admin_signs_in_with_the_demo_password(runner, client, monkeypatch):
    monkeypatch.setenv("LEADLINE_DEMO_PASSWORD", "demo-pass-123")
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    response = client.post(
        "/login", data={"email": "admin@leadline.test", "password": "demo-pass-123"}
    )
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/workspaces")


def test_api_key_create_prints_the_key_alone_on_the_last_line(runner, client, make_workspace):
    make_workspace(slug="crm-ws")
    result = runner.invoke(args=["api-key", "create", "--workspace", "crm-ws", "--name", "CRM"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1]
    response = client.get("/api/v1/workspace", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    assert response.json["slug"] == "crm-ws"
    assert secret not in str(db.session.scalars(select(Workspace)).all())


def test_api_key_create_for_unknown_workspace_names_the_option(runner):
    result = runner.invoke(args=["api-key", "create", "--workspace", "nope", "--name", "x"])
    assert result.exit_code != 0
    assert "--workspace" in result.output


def test_create_user_refuses_a_short_password(runner):
    result = runner.invoke(
        args=["create-user", "--email", "a@b.test", "--name", "A", "--password", "short"]
    )
    assert result.exit_code != 0
    assert "--password" in result.output
    assert db.session.scalar(select(func.count(User.id))) == 0
