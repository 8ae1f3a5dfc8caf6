"""Signing in and out (issue: accounts and access)."""

from webapp.models import Role


def test_sign_in_lands_in_the_users_only_workspace(client, make_workspace, make_member, login):
    workspace = make_workspace(slug="acme")
    user = make_member(workspace, Role.AGENT)
    response = client.post(
        "/login", data={"email": user.email.upper(), "password": "correct horse battery"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/w/acme/"


def test_user_in_several_workspaces_is_asked_to_pick_one(
    client, make_workspace, make_member, login
):
    first, second = make_workspace(name="Alpha"), make_workspace(name="Beta")
    user = make_member(first, Role.AGENT)
    from webapp.operations.users import add_member

    add_member(second, user, Role.MANAGER, actor=None)
    login(user)
    page = client.get("/workspaces").get_data(as_text=True)
    assert "Alpha" in page and "Beta" in page and "manager" in page


def test_wrong_password_shows_a_clear_message_beside_the_field(client, make_member, make_workspace):
    user = make_member(make_workspace())
    response = client.post("/login", data={"email": user.email, "password": "nope-nope"})
    assert response.status_code == 401
    assert "Wrong e-mail or password." in response.get_data(as_text=True)
    assert 'aria-invalid="true"' in response.get_data(as_text=True)


def test_unknown_user_gets_the_same_message_as_a_wrong_password(client):
    response = client.post("/login", data={"email": "ghost@example.test", "password": "whatever1"})
    assert response.status_code == 401
    assert "Wrong e-mail or password." in response.get_data(as_text=True)


def test_missing_fields_are_named(client):
    response = client.post("/login", data={"email": "not-an-address", "password": ""})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Enter a valid e-mail address." in body
    assert "Enter your password." in body


def test_session_cookie_is_httponly_and_samesite_lax(client, make_member, make_workspace):
    user = make_member(make_workspace())
    response = client.post(
        "/login", data={"email": user.email, "password": "correct horse battery"}
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_sign_in_never_redirects_off_site(client, make_member, make_workspace):
    user = make_member(make_workspace(slug="home"))
    response = client.post(
        "/login?next=//evil.example/",
        data={"email": user.email, "password": "correct horse battery"},
    )
    assert response.headers["Location"] == "/w/home/"


def test_sign_out_needs_a_post_and_ends_the_session(client, login_as):
    login_as(Role.AGENT)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 302
    assert client.get("/workspaces").status_code == 302  # back to sign-in
