"""The monthly roster in a real Chromium (CCIMA-3, CCIMA-4): a manager puts an advisor on the
roster, the advisor opens the signed link without signing in and confirms, the manager sees
the confirmation and the next lead posted to the REST API goes to that advisor.

The test makes its own contact centre (the demo's advisors are confirmed already), open all
day and sending the roster in-app from the 1st at 00:00, so it passes at any hour.
"""

from __future__ import annotations

import uuid
from urllib.parse import urlparse

from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from e2e.conftest import DEMO_PASSWORD
from e2e.test_foundation import signed_in
from tenants.policy.common import WEEKDAYS
from tenants.profiles import load_profile
from webapp.extensions import db
from webapp.models import Notification, Role
from webapp.operations import api_keys, users, workspaces


def _contact_centre(e2e_app: Flask, tag: str) -> dict:
    """A CCIMA-profile workspace with a manager and two advisors; its API key."""
    document = load_profile("ccima_contact_center")
    document["calendar"]["business_hours"] = {day: ["00:00-24:00"] for day in WEEKDAYS}
    document["roster"].update({"send_day": 1, "send_time": "00:00", "channel": "in_app"})
    with e2e_app.app_context():
        workspace = workspaces.create_workspace(
            f"roster-{tag}",
            f"Roster {tag}",
            locale="en",
            time_zone="America/Mexico_City",
            country="MX",
            policy_document=document,
            actor=None,
        )
        team = workspaces.create_team(workspace, "Asesores", actor=None, code="contact_center")
        people = {}
        for key, role, name in (
            ("manager", Role.MANAGER, "Gloria Gerente"),
            ("advisor", Role.AGENT, f"Rosa Roster {tag}"),
            ("other", Role.AGENT, f"Otto Other {tag}"),
        ):
            user = users.create_user(
                f"{key}-{tag}@roster.leadline.test", name, DEMO_PASSWORD, phone="+52 55 5000 0000"
            )
            users.add_member(workspace, user, role, actor=None, team=team)
            people[key] = {"email": user.email, "name": name, "id": user.id}
        _key, secret = api_keys.create_api_key(workspace, "e2e", actor=None)
        return {"slug": workspace.slug, "id": workspace.id, "api_key": secret, **people}


def _confirmation_path(e2e_app: Flask, centre: dict) -> str:
    """The link the advisor was sent (its path: the live server's port is not the base URL's)."""
    with e2e_app.app_context():
        message = db.session.scalar(
            select(Notification).where(
                Notification.workspace_id == centre["id"],
                Notification.recipient_user_id == centre["advisor"]["id"],
                Notification.template == "monthly_roster",
            )
        )
        assert message is not None, "the advisor was not sent the roster"
        return urlparse(message.payload["link"]).path


def _post_lead(page: Page, centre: dict, name: str, phone: str) -> dict:
    response = page.request.post(
        "/api/v1/leads",
        headers={"Authorization": f"Bearer {centre['api_key']}"},
        data={"contact_name": name, "phone": phone, "source": "digital_marketing"},
    )
    assert response.status == 201, response.text()
    return response.json()


def test_a_confirmed_roster_link_activates_the_advisor(
    page: Page, browser: Browser, e2e_app: Flask
) -> None:
    tag = uuid.uuid4().hex[:6]
    centre = _contact_centre(e2e_app, tag)
    advisor = centre["advisor"]["name"]

    signed_in(page, centre["manager"]["email"])
    page.goto(f"/w/{centre['slug']}/roster/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Roster")
    page.get_by_label(advisor).check()
    page.get_by_role("button", name="Save the roster").click()
    expect(page.locator(".flash")).to_contain_text("1 added, 0 removed")
    row = page.get_by_role("row").filter(has_text=advisor)
    expect(row.get_by_test_id("roster-status")).to_have_text("Waiting for confirmation")
    # Nobody has confirmed yet: the lead waits unassigned.
    assert _post_lead(page, centre, f"Before {tag}", "+52 55 7000 0001")["owner"] is None

    link = _confirmation_path(e2e_app, centre)
    outsider = browser.new_context(locale="en-US", base_url=page.url.split("/w/")[0])
    advisor_page = outsider.new_page()
    try:
        advisor_page.goto(link)  # no sign-in: the signature is the credential
        expect(advisor_page.get_by_role("heading", level=1)).to_have_text(
            "Confirm the on-call roster"
        )
        expect(advisor_page.get_by_test_id("roster-names")).to_have_text(advisor)
        advisor_page.get_by_role("button", name="I confirm").click()
        expect(advisor_page.get_by_role("heading", level=1)).to_have_text("Roster confirmed")
        expect(advisor_page.get_by_test_id("roster-confirmed")).to_contain_text(
            "You now receive leads."
        )
    finally:
        outsider.close()

    page.reload()
    expect(row.get_by_test_id("roster-status")).to_contain_text("Confirmed")
    lead = _post_lead(page, centre, f"After {tag}", "+52 55 7000 0002")
    assert lead["owner"] == {"id": centre["advisor"]["id"], "name": advisor}
