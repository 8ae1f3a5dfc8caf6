"""The partner portal in a real Chromium (issue 13 item 11): the agency allocates a lead to
Northwind; Northwind's partner reviews it, leaves a voicemail with the standard message,
downloads the invite, registers the deal and wins it; Harbour's partner never sees any of it,
even typing its URLs (CPB-1, CPB-2, CPB-5, CPB-6, CPB-7, CPB-10)."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from flask import Flask
from icalendar import Calendar
from playwright.sync_api import Page, expect

from e2e.test_foundation import signed_in
from e2e.test_queue import _workspace
from webapp.clock import now
from webapp.operations import leads

AGENCY = "tom.reeves@cpb.leadline.test"
NORTHWIND = "daniel.brooks@cpb.leadline.test"
HARBOUR = "aisha.khan@cpb.leadline.test"


def _qualified_lead(e2e_app: Flask, name: str) -> int:
    """CPB qualified an AQL with its BANT+A answers and a meeting in New York; not allocated."""
    meeting = (now() + timedelta(days=4)).strftime("%Y-%m-%dT15:00")
    with e2e_app.app_context():
        lead = leads.create_lead(
            _workspace("cpb"),
            contact_name=name,
            email=f"{uuid.uuid4().hex[:8]}@prospect.test",
            company="Hudson Freight",
            lead_type="AQL",
            attributes={
                "budget": "£30k",
                "authority": "COO",
                "need": "route planning",
                "timescale": "Next quarter",
                "action": "Demo",
                "meeting_at": meeting,
                "meeting_time_zone": "America/New_York",
                "invite_accepted": "yes",
            },
            actor=None,
        )
        return lead.id


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login"))


def test_cpb_a_lead_allocated_to_one_organisation_is_worked_there_and_invisible_to_the_other(
    page: Page, e2e_app: Flask, tmp_path
) -> None:
    name = f"Paula Portal {uuid.uuid4().hex[:5]}"
    lead_id = _qualified_lead(e2e_app, name)
    lead_url = f"/w/cpb/portal/leads/{lead_id}"

    # The agency allocates it to Northwind's Daniel Brooks.
    signed_in(page, AGENCY)
    page.goto(lead_url)
    allocate = page.get_by_test_id("allocate")
    allocate.get_by_label("Partner organisation").select_option(label="Northwind Resellers")
    allocate.get_by_label("Partner (optional)").select_option(
        label="Daniel Brooks · Northwind Resellers"
    )
    allocate.get_by_role("button", name="Allocate").click()
    expect(page.get_by_text("Lead allocated to Northwind Resellers.")).to_be_visible()
    _sign_out(page)

    # Northwind's partner lands in the inbox, sees the review countdown and acknowledges.
    signed_in(page, NORTHWIND)
    expect(page).to_have_url(re.compile(r"/w/cpb/portal/$"))
    row = page.locator("[data-testid=portal-inbox] tr", has_text=name)
    expect(row.locator(".countdown")).to_have_text(re.compile(r"^23h 5\dm left$"))
    row.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_text("Lead acknowledged.")).to_be_visible()
    expect(page.get_by_test_id("lead-type")).to_have_text("AQL")
    expect(page.get_by_test_id("qualification")).to_contain_text("route planning")

    # A voicemail with the policy's standard message, filled in.
    attempt = page.get_by_test_id("attempt-form")
    attempt.get_by_label("Channel").select_option(label="Voicemail")
    message = page.get_by_test_id("voicemail-message")
    expect(message).to_have_value(re.compile(r"this is Daniel Brooks calling on .* route planning"))
    expect(message).to_have_value(re.compile(r"I will call you back later\.$"))
    attempt.get_by_role("button", name="Log the attempt").click()
    expect(page.get_by_text("Contact attempt logged.")).to_be_visible()
    expect(page.get_by_test_id("attempt-count")).to_have_text("1")

    # The invite, in the appointment's zone.
    with page.expect_download() as download:
        page.get_by_test_id("ics").click()
    path = tmp_path / "invite.ics"
    download.value.save_as(path)
    event = Calendar.from_ical(path.read_bytes()).walk("VEVENT")[0]
    start = event.decoded("dtstart")
    assert (str(start.tzinfo), start.hour) == ("America/New_York", 15)

    # Won is refused until the deal is registered; then it is won.
    stage = page.get_by_test_id("stage")
    stage.get_by_label("Move to").select_option(label="Won")
    stage.get_by_label("Deal value").fill("30000")
    stage.get_by_role("button", name="Move").click()
    expect(page.get_by_test_id("errors-stage")).to_contain_text("Register the deal first")
    deal = page.get_by_test_id("deal")
    deal.get_by_label("Vendor").fill("Routely")
    deal.get_by_label("Deal value").fill("30000")
    deal.get_by_label("Currency").fill("GBP")
    deal.get_by_label("Expected close date").fill("2027-03-31")
    deal.get_by_label("Your CRM reference").fill("NW-E2E-1")
    deal.get_by_role("button", name="Register the deal").click()
    expect(page.get_by_test_id("deal-status")).to_have_text("Submitted")
    stage = page.get_by_test_id("stage")
    stage.get_by_label("Move to").select_option(label="Won")
    stage.get_by_label("Deal value").fill("30000")
    stage.get_by_role("button", name="Move").click()
    expect(page.get_by_text("Stage changed.")).to_be_visible()
    expect(page.get_by_test_id("stage")).to_contain_text("Won")
    _sign_out(page)

    # Harbour's partner: not in their inbox or lists, and the URLs are not there.
    signed_in(page, HARBOUR)
    for url in ("/w/cpb/portal/", "/w/cpb/portal/leads", "/w/cpb/leads"):
        page.goto(url)
        expect(page.get_by_text(name)).to_have_count(0)
    for url in (lead_url, f"{lead_url}/invite.ics", f"/w/cpb/leads/{lead_id}"):
        assert page.request.get(url).status == 404, url
    response = page.request.post(f"{lead_url}/acknowledge")
    assert response.status in (400, 404)  # no CSRF token, and no such lead either way
