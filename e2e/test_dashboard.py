"""The manager's dashboard in Chromium on the seeded demo: the contact centre's past week of
leads (webapp.demo's history), its speed-to-lead chart drawn beside its table, a period
switch that changes the figures, and the CSV download matching the table."""

from __future__ import annotations

import csv
import io
import re

from playwright.sync_api import Page, expect

from e2e.test_foundation import signed_in

MANAGER = "jorge.ramirez@ccima.leadline.test"
LOAD_MS = 15_000  # lazy fragments and Chart.js on a shared machine


def _speed_table(page: Page):
    card = page.get_by_test_id("chart-speed_to_lead")
    card.scroll_into_view_if_needed()  # charts load when revealed
    expect(card.locator("canvas.report-chart[data-ready]")).to_have_count(1, timeout=LOAD_MS)
    card.locator("summary").click()
    return card.get_by_test_id("table-speed_to_lead")


def _rows(table) -> list[list[str]]:
    return [
        [cell.strip() for cell in row.locator("th, td").all_inner_texts()]
        for row in table.locator("tbody tr").all()
    ]


def test_manager_sees_the_seeded_week_switches_period_and_downloads_the_csv(page: Page) -> None:
    signed_in(page, MANAGER)
    page.goto("/w/ccima/?period=last_30_days")
    expect(page.get_by_test_id("breakdown-agent")).to_be_visible()

    table = _speed_table(page)
    rows = _rows(table)
    total = rows[-1]
    contacted = int(total[1])
    assert contacted >= 10  # the seeded week's contacted leads (14, less any the SLA moved)
    assert sum(1 for r in rows[:-1] if r[1] not in ("0", "")) >= 5  # on several days

    with page.expect_download() as download:
        page.get_by_test_id("chart-speed_to_lead").get_by_test_id("csv-speed_to_lead").click()
    text = download.value.path().read_text("utf-8-sig")
    assert list(csv.reader(io.StringIO(text)))[1:] == rows

    page.get_by_label("Hoy").check()
    page.get_by_role("button", name="Mostrar").click()
    expect(page).to_have_url(re.compile(r"period=today"), timeout=LOAD_MS)
    today = _rows(_speed_table(page))
    assert today[-1][1] != total[1]
