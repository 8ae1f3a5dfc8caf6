"""The bell in a real Chromium: a delivered in-app message rings it; reading it quiets it."""

from __future__ import annotations

import uuid

from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from e2e.test_foundation import signed_in
from webapp.extensions import db
from webapp.models import User, Workspace
from webapp.operations import unit
from webapp.operations.notifications import queue_message

CPT_AGENT = "simon.vale@locals411.leadline.test"
POLL = 20_000  # the badge polls every 15 s


def _notify_simon(e2e_app: Flask, name: str) -> None:
    with e2e_app.app_context():
        workspace = db.session.scalar(select(Workspace).where(Workspace.slug == "locals411"))
        simon = db.session.scalar(select(User).where(User.email == CPT_AGENT))
        with unit.transaction():
            queue_message(
                workspace.id,
                simon,
                "in_app",
                "contact_sla_missed",
                {"contact_name": name},
                key=f"e2e-bell-{name}",
            )


def test_a_delivered_message_rings_the_bell_and_mark_read_quiets_it(
    page: Page, e2e_app: Flask
) -> None:
    name = f"Bella Bell {uuid.uuid4().hex[:5]}"
    signed_in(page, CPT_AGENT)
    page.goto("/w/locals411/")
    badge = page.locator("#bell-badge")
    before = int(badge.get_attribute("data-count"))

    _notify_simon(e2e_app, name)  # the live worker delivers it

    expect(badge).to_have_attribute("data-count", str(before + 1), timeout=POLL)
    expect(badge.locator(".bell-count")).to_be_visible()
    page.get_by_test_id("bell").locator("summary").click()
    item = page.get_by_test_id("bell-panel").locator("li", has_text=name)
    expect(item).to_contain_text("Lead not contacted in time")
    expect(item).to_contain_text("ago")

    item.get_by_role("button", name="Mark read").click()

    expect(badge).to_have_attribute("data-count", str(before))  # no reload, no 15 s wait
    expect(page.get_by_test_id("bell-panel").locator("li.unread", has_text=name)).to_have_count(0)
    page.get_by_test_id("bell-panel").get_by_role("link", name="All notifications").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    expect(page.get_by_test_id("inbox-items")).to_contain_text(name)
