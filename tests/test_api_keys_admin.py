"""Settings: administrators manage API keys and webhook sources; directors may look."""

from __future__ import annotations

from sqlalchemy import select

from tenants.profiles import load_profile
from webapp.extensions import db
from webapp.models import ApiKey, Role, WebhookSource
from webapp.operations.api_keys import hash_key


def test_an_admin_creates_a_key_shown_once_that_works_until_revoked(
    client, make_workspace, login_as
):
    workspace = make_workspace(slug="acme")
    login_as(Role.ADMIN, workspace)
    page = client.post("/w/acme/settings/api-keys", data={"name": "CRM", "role": "manager"})
    assert page.status_code == 201
    html = page.get_data(as_text=True)
    secret = html.split('id="new-api-key">', 1)[1].split("<", 1)[0]
    key = db.session.scalar(select(ApiKey))
    assert (key.name, key.role, key.key_hash) == ("CRM", "manager", hash_key(secret))
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/workspace", headers=headers).status_code == 200
    listing = client.get("/w/acme/settings/api-keys").get_data(as_text=True)
    assert key.prefix in listing and secret not in listing
    revoked = client.post(f"/w/acme/settings/api-keys/{key.id}/revoke")
    assert revoked.status_code == 302
    assert client.get("/api/v1/workspace", headers=headers).status_code == 401


def test_a_key_form_error_is_shown_beside_the_field(client, make_workspace, login_as):
    workspace = make_workspace(slug="acme")
    login_as(Role.ADMIN, workspace)
    page = client.post("/w/acme/settings/api-keys", data={"name": "", "role": "manager"})
    assert page.status_code == 422
    assert 'id="name-errors"' in page.get_data(as_text=True)
    bad_role = client.post("/w/acme/settings/api-keys", data={"name": "x", "role": "root"})
    assert bad_role.status_code == 422 and 'id="role-errors"' in bad_role.get_data(as_text=True)
    assert db.session.scalar(select(ApiKey)) is None


def test_a_director_may_view_but_not_create_and_agents_see_nothing(
    client, make_workspace, make_member, login
):
    workspace = make_workspace(slug="acme")
    director = make_member(workspace, Role.DIRECTOR)
    login(director)
    assert client.get("/w/acme/settings/api-keys").status_code == 200
    assert client.get("/w/acme/settings/webhooks").status_code == 200
    assert client.post("/w/acme/settings/api-keys", data={"name": "x"}).status_code == 403
    nav = client.get("/w/acme/").get_data(as_text=True)
    assert "/w/acme/settings/api-keys" in nav
    client.post("/logout")
    for role in (Role.MANAGER, Role.AGENT):
        login(make_member(workspace, role))
        assert client.get("/w/acme/settings/api-keys").status_code == 403
        assert "/w/acme/settings/api-keys" not in client.get("/w/acme/").get_data(as_text=True)
        client.post("/logout")


def test_an_admin_creates_a_webhook_with_its_secret_url_and_curl_example(
    client, make_workspace, login_as
):
    workspace = make_workspace(slug="cc", policy_document=load_profile("ccima_contact_center"))
    login_as(Role.ADMIN, workspace)
    refused = client.post(
        "/w/cc/settings/webhooks", data={"name": "Ads", "source_code": "billboard"}
    )
    assert refused.status_code == 422
    assert 'id="source_code-errors"' in refused.get_data(as_text=True)
    page = client.post(
        "/w/cc/settings/webhooks", data={"name": "Ads", "source_code": "digital_marketing"}
    )
    assert page.status_code == 201
    html = page.get_data(as_text=True)
    source = db.session.scalar(select(WebhookSource))
    assert source.secret in html and "/hooks/cc/digital_marketing" in html
    assert "openssl dgst -sha256 -hmac" in html
    listing = client.get("/w/cc/settings/webhooks").get_data(as_text=True)
    assert source.secret not in listing and "/hooks/cc/digital_marketing" in listing
    assert client.post(f"/w/cc/settings/webhooks/{source.id}/revoke").status_code == 302
    db.session.refresh(source)
    assert source.revoked_at is not None


def test_cli_creates_a_manager_key(runner, make_workspace):
    make_workspace(slug="cli-ws")
    result = runner.invoke(
        args=["api-key", "create", "--workspace", "cli-ws", "--name", "Ops", "--role", "manager"]
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(ApiKey.role)) == "manager"
