"""Policy replay in the browser: what a 15-minute SLA would have changed last week (CCIMA-6).

The CCIMA demo workspace holds a past week of leads, each first called after a recorded
delay; the replay job runs in the suite's real RQ worker.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from e2e.test_foundation import ADMIN, signed_in


def test_replaying_a_15_minute_sla_over_last_week_shows_breaches_that_become_met(
    page: Page,
) -> None:
    signed_in(page, ADMIN)
    page.goto("/w/ccima/policy/sections/timers")  # the workspace works in Spanish
    contact_sla = page.get_by_role("group", name="Temporizadores / Contact SLA", exact=True)
    sla = contact_sla.get_by_label("Duración", exact=True)
    expect(sla).to_have_value("10")
    expect(contact_sla.get_by_label("Unidad de Duración")).to_have_value("m")
    sla.fill("15")
    page.locator("#comment").fill("Borrador: SLA de 15 minutos")
    page.locator("#activate").uncheck()  # a draft: the department keeps working on 10 minutes
    page.locator("button[type=submit].primary").click()
    expect(page).to_have_url(re.compile(r"/w/ccima/policy/versions$"))

    draft_row = page.locator("tr", has_text="Borrador: SLA de 15 minutos")
    draft_row.locator("a[href*='/policy/replay']").click()
    page.locator("button[type=submit].primary").click()  # default period: the last 7 days

    expect(page).to_have_url(re.compile(r"/w/ccima/policy/replay/\d+$"))
    status = page.locator("#replay-status")
    expect(status.locator("table")).to_be_visible(timeout=30_000)
    expect(status.locator("table tbody tr").first).to_be_visible()
    leads = status.locator("ul.list > li")
    expect(leads.first).to_contain_text("Demo")
    expect(leads.first).to_contain_text("contact_sla")
