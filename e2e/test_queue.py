"""The agent's queue and lead page in a real Chromium, with the live server and a real worker.

Leads are made in this process through the intake operation (the REST API's POST is built
separately); the browser must see them without a reload. Names are distinctive because the
demo data is shared by every e2e test.
"""

from __future__ import annotations

import os
import re
import uuid
from datetime import timedelta
from pathlib import Path

from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from e2e.test_foundation import signed_in
from webapp.clock import now
from webapp.extensions import db
from webapp.models import Lead, User, Workspace
from webapp.operations import accounts, deadlines, intake, leads

CPT_AGENT = "simon.vale@locals411.leadline.test"
# Rewritten only on request, so a run leaves the tree clean (as the README's picture).
SCREENSHOT = Path(__file__).resolve().parent / "screenshots" / "queue.png"
LIVE = 5_000  # a queue change must show within 5 s (the poll runs every 3 s)


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def _workspace(slug: str) -> Workspace:
    return db.session.scalar(select(Workspace).where(Workspace.slug == slug))


def _lead_for_simon(e2e_app: Flask, name: str) -> int:
    tag = uuid.uuid4().hex[:8]
    with e2e_app.app_context():
        workspace, simon = _workspace("locals411"), _user(CPT_AGENT)
        account, _ = accounts.upsert_account(
            workspace, f"E2E-{tag}", name=f"{name}'s Bakery", actor=None
        )
        result = intake.receive_lead(
            workspace,
            intake.IntakeRequest(
                contact_name=name,
                phone=f"+1 415 7{int(tag[:6], 16) % 10**6:06d}",
                account_ref=account.external_ref,
                channel="api",
                taken_by_id=simon.id,
            ),
            actor=simon,
        )
        assert result.lead.owner_id == simon.id
        # A clock for the countdown; it runs out long after this session.
        deadlines.schedule(
            workspace.id, "e2e_follow_up", now() + timedelta(hours=3), lead=result.lead
        )
        return result.lead.id


def test_a_new_lead_appears_live_and_a_transfer_lands_in_the_ae_queue(
    page: Page, browser: Browser, e2e_app: Flask, tmp_path: Path
) -> None:
    name = f"Quinn Queue {uuid.uuid4().hex[:5]}"
    signed_in(page, CPT_AGENT)
    page.goto("/w/locals411/queue/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My queue")

    lead_id = _lead_for_simon(e2e_app, name)

    row = page.locator(f"#q-lead-{lead_id}")
    expect(row).to_contain_text(name, timeout=LIVE)  # no reload: the poll brought it
    expect(row.locator(".countdown")).to_have_text(re.compile(r"^2h 5\dm left$"))
    expect(row.locator(".countdown")).to_have_attribute("data-urgency", "fine")
    update = os.environ.get("LEADLINE_UPDATE_SCREENSHOT") == "1"
    page.screenshot(path=str(SCREENSHOT if update else tmp_path / "queue.png"), full_page=True)

    row.get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page.get_by_test_id("gates")).to_contain_text("Eligible for an offer.")
    page.get_by_label("Outcome").select_option("yes_transferred_to_ae")
    page.get_by_label("Note").fill("Wants more reviews")
    page.get_by_role("button", name="Save outcome").click()

    expect(page.get_by_test_id("lead-status")).to_have_text("Closed")
    expect(page.get_by_test_id("timeline")).to_contain_text("Yes - Transferred to AE")

    with e2e_app.app_context():
        referral = db.session.scalar(
            select(Lead).where(Lead.contact_name == name, Lead.lead_type == "ae_referral")
        )
        assert referral is not None and referral.owner is not None
        ae_email, referral_id = referral.owner.email, referral.id
    # Round robin over the AE team (its agents and its manager).
    assert ae_email.split("@")[0] in {"calvin.myers", "yamil.cabrera", "matthew.benton"}

    ae = browser.new_context(locale="en-US", base_url=page.url.split("/w/")[0])
    ae_page = ae.new_page()
    try:
        signed_in(ae_page, ae_email)
        ae_page.goto("/w/locals411/queue/")
        expect(ae_page.locator(f"#q-lead-{referral_id}")).to_contain_text(name)
        expect(ae_page.locator(f"#q-lead-{referral_id}")).to_contain_text("AE referral")
    finally:
        ae.close()


def test_a_bdc_phone_up_invalidates_another_agents_email_lead(page: Page, e2e_app: Flask) -> None:
    tag = uuid.uuid4().hex[:6]
    customer = f"Gaëlle Phoneup {tag}"
    phone = f"514 555 {int(tag, 16) % 10000:04d}"
    with e2e_app.app_context():
        workspace = _workspace("bdc")
        email_lead = leads.create_lead(
            workspace,
            contact_name=customer,
            actor=None,
            phone=phone,
            email=f"gaelle.{tag}@example.test",
            owner=_user("samuel.roy@bdc.leadline.test"),
            source="email",
            attributes={"channel": "email"},
        )
        email_lead_id = email_lead.id

    signed_in(page, "julie.cote@bdc.leadline.test")
    page.goto("/w/bdc/leads/new")
    page.locator("select[name=channel]").select_option("phone_up")
    page.locator("input[name=contact_name]").fill(customer)
    page.locator("input[name=phone]").fill(phone)
    page.locator("input[name=taken]").check()
    page.locator("#intake-form button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/w/bdc/leads/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(customer)
    flashes = page.locator(".flashes")
    expect(flashes).to_contain_text("OPP lead courriel invalide")  # BDC-2, the policy's note
    expect(flashes).to_contain_text("Samuel Roy")
    with e2e_app.app_context():
        assert db.session.get(Lead, email_lead_id).status == "invalid"
