"""A callback task in a real Chromium: in the queue at once, "due in ...", closed with Done
without a reload (L411-3, issue 9 items 2 and 6)."""

from __future__ import annotations

import re
import uuid

from flask import Flask
from playwright.sync_api import Page, expect

from e2e.test_foundation import signed_in
from e2e.test_queue import CPT_AGENT, LIVE, _user, _workspace
from webapp.operations import accounts

SCRIPT = "Our business development manager would like to discuss"


def _two_deliveries(e2e_app: Flask, name: str) -> list[int]:
    tag = uuid.uuid4().hex[:8]
    with e2e_app.app_context():
        workspace, simon = _workspace("locals411"), _user(CPT_AGENT)
        account, _ = accounts.upsert_account(
            workspace, f"E2E-T-{tag}", name=f"{name}'s Deli", actor=None
        )
        ids = []
        for n in (1, 2):
            result, _flags = accounts.record_delivery(
                account,
                contact_name=f"{name} customer {n}",
                actor=None,
                sent_by=simon,
                phone=f"+1 415 8{(int(tag[:6], 16) + n) % 10**6:06d}",
            )
            ids.append(result.lead.id)
        return ids


def test_l411_3_a_callback_counts_down_lists_both_deliveries_and_done_removes_it(
    page: Page, e2e_app: Flask
) -> None:
    """L411-3, issue 9 items 2 and 6."""
    name = f"Tess Task {uuid.uuid4().hex[:5]}"
    signed_in(page, CPT_AGENT)
    page.goto("/w/locals411/queue/")
    first, _second = _two_deliveries(e2e_app, name)

    task = page.locator("[data-testid=queue-tasks] > li", has_text=f"{name} customer 2")
    expect(task).to_have_count(1, timeout=LIVE)  # one callback for both, live
    expect(task.locator(".countdown")).to_have_text(re.compile(r"^due in 1[45]m \d\ds$"))
    expect(task).to_contain_text(f"{name} customer 1")
    expect(task).to_contain_text(SCRIPT)

    task.get_by_role("button", name="Done").click()
    expect(task).to_have_count(0)
    page.goto(f"/w/locals411/leads/{first}")
    expect(page.get_by_test_id("lead-status")).to_be_visible()
    expect(page.get_by_text(SCRIPT)).to_have_count(0)
    expect(page.get_by_test_id("timeline")).to_contain_text("Task done")
