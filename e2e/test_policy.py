"""A department changes its own policy in the browser (issue 3; CCIMA-6, ALL-2)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from e2e.conftest import DEMO_PASSWORD
from tenants.profiles import load_profile
from webapp.clock import now
from webapp.extensions import db
from webapp.models import Deadline, Role, User, Workspace
from webapp.operations import leads, users, workspaces


@pytest.fixture
def own_ccima(e2e_app: Flask) -> Iterator[tuple[Workspace, User, User]]:
    """A CCIMA-profile workspace of this test's own, so the shared demo stays as seeded."""
    with e2e_app.app_context():
        workspace = workspaces.create_workspace(
            "ccima-policy-e2e",
            "CCIMA policy e2e",
            locale="en",
            time_zone="America/Mexico_City",
            country="MX",
            policy_document=load_profile("ccima_contact_center"),
            actor=None,
        )
        admin = users.create_user("policy-admin@e2e.test", "Policy Admin", DEMO_PASSWORD)
        advisor = users.create_user("policy-advisor@e2e.test", "Policy Advisor", DEMO_PASSWORD)
        users.add_member(workspace, admin, Role.ADMIN, actor=None)
        users.add_member(workspace, advisor, Role.AGENT, actor=None)
        yield workspace, admin, advisor
        db.session.delete(db.session.merge(workspace))
        for user in (admin, advisor):
            db.session.delete(db.session.merge(user))
        db.session.commit()


def test_admin_changes_the_ccima_sla_sees_the_diff_activates_and_new_leads_follow(
    page: Page, e2e_app: Flask, own_ccima
) -> None:
    workspace, _admin, advisor = own_ccima
    page.goto("/login")
    page.get_by_label("E-mail").fill("policy-admin@e2e.test")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/w/ccima-policy-e2e/$"))

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Policy").click()
    page.locator("#section-timers summary").click()
    page.locator("#section-timers").get_by_role("link", name="Edit").click()

    sla = page.locator("fieldset", has_text="timers / contact_sla").get_by_label("duration")
    expect(sla).to_have_value("10m")
    sla.fill("0m")
    sla.press("Tab")  # leaving the field checks it
    expect(
        page.locator("fieldset", has_text="timers / contact_sla").locator(".errors")
    ).to_be_visible()
    sla.fill("15m")
    sla.press("Tab")
    expect(page.get_by_test_id("policy-valid")).to_be_visible()
    page.get_by_label("What changes, and why").fill("SLA 15 minutes")
    page.get_by_label("Make this version active now").uncheck()  # save as a draft
    page.get_by_role("button", name="Save version").click()

    expect(page).to_have_url(re.compile(r"/policy/versions$"))
    expect(page.get_by_text("Saved as version 2.")).to_be_visible()
    page.get_by_role("button", name="Show differences").click()
    expect(page.locator("table.diff")).to_contain_text("15m")
    expect(page.locator("table.diff .diff_chg").first).to_be_visible()

    page.go_back()
    row = page.locator("tr", has=page.get_by_role("cell", name="SLA 15 minutes"))
    row.get_by_role("button", name="Activate").click()
    expect(page.get_by_text("Version 2 is now active.")).to_be_visible()

    # A lead assigned at 09:00 in Mexico City is due for contact at 09:15.
    opening = (now() + timedelta(days=1)).replace(hour=15, minute=0, second=0, microsecond=0)
    with e2e_app.app_context():
        import time_machine

        ws = db.session.merge(workspace)
        with time_machine.travel(opening, tick=False):
            lead = leads.create_lead(
                ws,
                contact_name="Nuevo Prospecto",
                phone="55 1111 2222",
                owner=db.session.merge(advisor),
                actor=None,
            )
        lead_id = lead.id
        due = (
            db.session.query(Deadline.due_at)
            .filter_by(lead_id=lead_id, kind="contact_sla")
            .scalar()
        )
    assert due == opening + timedelta(minutes=15)
    page.goto(f"/w/ccima-policy-e2e/leads/{lead_id}")
    expect(page.locator('[data-deadline="contact_sla"]')).to_contain_text("9:15")
    page.screenshot(path="/tmp/policy-lead.png")
