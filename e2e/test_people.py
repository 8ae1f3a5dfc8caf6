"""A department staffs itself (issue 12 item 8): an administrator creates a workspace from the
contact-centre profile, invites an advisor, the invitation reaches a real SMTP server, the
advisor chooses a password from its link and signs in, the administrator authorises them
(CCIMA-2), and the next API lead goes to them (CCIMA-1)."""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from e2e.test_contact_sla import _policy
from e2e.test_foundation import sign_in
from tenants.decisions.roster import roster_month
from tests.support import SmtpInbox
from webapp.clock import now
from webapp.extensions import db
from webapp.models import Membership, Role, User, Workspace
from webapp.operations import api_keys, policies, users

LINK = re.compile(r"https?://[^/\s]+(/invitation/\S+)")
# Where the pictures of the pages go (the report looks at them); a run without the variable
# keeps them in the test's temporary directory.
SHOTS = os.environ.get("LEADLINE_E2E_SHOTS")


def _shot(page: Page, tmp_path: Path, name: str) -> None:
    page.screenshot(
        path=str(Path(SHOTS or tmp_path) / f"people-{name}.png"), full_page=True, caret="initial"
    )


def _around_the_clock_with_roster(e2e_app: Flask, slug: str, advisor_email: str) -> str:
    """What this test does not drive through pages: hours open whenever it runs (CCIMA-5,
    driven elsewhere), the advisor's roster confirmation (CCIMA-4, e2e/test_roster.py) and
    an API key for the lead; returns the key."""
    with e2e_app.app_context():
        workspace = db.session.scalar(select(Workspace).where(Workspace.slug == slug))
        policies.save_version(
            workspace, _policy("10m"), author=None, comment="open around the clock", activate=True
        )
        user = db.session.scalar(select(User).where(User.email == advisor_email))
        membership = db.session.scalar(
            select(Membership).where(
                Membership.workspace_id == workspace.id, Membership.user_id == user.id
            )
        )
        month = roster_month(policies.active_policy(workspace), now())
        users.put_on_roster(membership, month, confirmed_at=now(), actor=None)
        _key, secret = api_keys.create_api_key(workspace, "crm", actor=None, role="agent")
        return secret


def _lead_owner(page: Page, secret: str, name: str) -> dict | None:
    response = page.request.post(
        "/api/v1/leads",
        data={
            "contact_name": name,
            "phone": f"+52 55 {uuid.uuid4().int % 10**8:08d}",
            "source": "digital_marketing",
        },
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status == 201, response.text()
    return response.json()["owner"]


def test_admin_creates_a_workspace_invites_an_advisor_who_receives_the_next_lead(
    page: Page,
    browser: Browser,
    base_url: str,
    e2e_app: Flask,
    e2e_smtp: SmtpInbox,
    tmp_path: Path,
) -> None:
    tag = uuid.uuid4().hex[:6]
    slug, founder, advisor = f"cc-{tag}", f"founder-{tag}@e2e.test", f"asesora-{tag}@e2e.test"
    with e2e_app.app_context():
        users.create_user(founder, "Fundadora Ríos", "founder-password")

    # A signed-in user with no workspace creates one from the contact-centre profile.
    sign_in(page, founder, "founder-password")
    page.get_by_role("link", name="Create a workspace").click()
    page.get_by_label("Name", exact=True).fill(f"Contact centre {tag}")
    page.get_by_label("Address (slug)").fill(slug)
    page.get_by_label("Start from").select_option("ccima_contact_center")
    page.get_by_label("Time zone").fill("America/Mexico_City")
    page.get_by_label("Country (for holidays and phone numbers)").fill("MX")
    page.get_by_role("button", name="Create the workspace").click()
    expect(page).to_have_url(re.compile(rf"/w/{slug}/people/$"))
    expect(page.locator("#members")).to_contain_text("Fundadora Ríos")

    # The administrator invites an advisor into the team the profile's leads go to.
    page.get_by_label("E-mail").fill(advisor)
    page.get_by_label("Name (optional)").fill("Asesora Campos")
    page.get_by_label("Role").select_option("agent")
    page.get_by_label("Team").select_option(label="Contact Center")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.locator("#members")).to_contain_text(advisor)
    expect(page.locator("#members")).to_contain_text("invited")
    _shot(page, tmp_path, "members")

    # The e-mail reaches the SMTP server; its link opens the page to choose a password.
    mail = e2e_smtp.wait_for(advisor)
    assert "Contact centre" in mail["Subject"]
    path = LINK.search(mail.get_body(("plain",)).get_content()).group(1)
    secret = _around_the_clock_with_roster(e2e_app, slug, advisor)
    # CCIMA-2: invited into a workspace that authorises its advisors, she gets no lead yet.
    assert _lead_owner(page, secret, "Antes de autorizar") is None

    advisor_context = browser.new_context(base_url=base_url)
    invited = advisor_context.new_page()
    invited.goto(path)
    expect(invited.locator("#set-password")).to_contain_text(advisor)
    _shot(invited, tmp_path, "invitation")
    invited.get_by_label("Password (at least 8 characters)").fill("asesora-password")
    invited.get_by_role("button", name="Save and sign in").click()
    expect(invited).to_have_url(re.compile(rf"/w/{slug}/$"))
    # Signed out, she signs in again with the password she chose.
    invited.get_by_role("button", name="Sign out").click()
    # Sign-out ends the session: wait for it, or the next sign-in form carries its token.
    expect(invited).to_have_url(re.compile(r"/login"))
    sign_in(invited, advisor, "asesora-password")
    expect(invited).to_have_url(re.compile(rf"/w/{slug}/"))
    invited.goto(path)  # the link is spent
    expect(invited.locator("#link-refused")).to_be_visible()
    advisor_context.close()

    # The administrator authorises her; the next lead from the API is hers.
    page.get_by_role("link", name="Asesora Campos").click()
    page.get_by_label("Authorised to receive leads").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    _shot(page, tmp_path, "member")
    owner = _lead_owner(page, secret, "Después de autorizar")
    assert owner is not None and owner["name"] == "Asesora Campos"


def test_forgotten_password_link_arrives_and_works_once(
    page: Page, e2e_app: Flask, e2e_smtp: SmtpInbox
) -> None:
    """Password reset by e-mail: the same answer for any address, a link that works once."""
    tag = uuid.uuid4().hex[:6]
    email = f"olvido-{tag}@e2e.test"
    with e2e_app.app_context():
        user = users.create_user(email, "Olvido", "old-password")
        workspace = db.session.scalar(select(Workspace).order_by(Workspace.id))
        users.add_member(workspace, user, Role.AGENT, actor=None)
    page.goto("/login")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", name="Forgot your password?")).to_be_visible()
    page.get_by_label("E-mail").fill(email)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_text("a link to choose a new password is on its way")).to_be_visible()
    mail = e2e_smtp.wait_for(email)
    path = re.search(
        r"https?://[^/\s]+(/password/reset/\S+)", mail.get_body(("plain",)).get_content()
    )
    page.goto(path.group(1))
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    page.get_by_label("Password (at least 8 characters)").fill("new-password-1")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your password is changed. Sign in with it.")).to_be_visible()
    sign_in(page, email, "new-password-1")
    expect(page).not_to_have_url(re.compile(r"/login"))
