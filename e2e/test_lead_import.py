"""CSV import in the browser: upload, a dry run naming the bad line, the job's progress bar,
the result with the bad row (issue 4).

The BDC demo workspace works in French; the page is read by its structure (line numbers,
counts), not its wording. The job runs in the suite's real RQ worker.
"""

from __future__ import annotations

import random
import re
import uuid
from pathlib import Path

from playwright.sync_api import Page, expect

from e2e.test_foundation import ADMIN, signed_in


def _phone() -> str:
    """A Montréal number no demo lead has, so the BDC's duplicate rules leave it alone."""
    return f"+1 438 {random.randint(200, 999)} {random.randint(0, 9999):04d}"


def test_importing_a_csv_shows_the_bad_line_and_imports_the_good_rows(
    page: Page, tmp_path: Path
) -> None:
    token = uuid.uuid4().hex[:8]
    csv_file = tmp_path / "leads.csv"
    csv_file.write_text(
        "Nom;Téléphone;Courriel\n"
        f"Importée Alpha {token};{_phone()};alpha-{token}@example.test\n"
        f"Importée Mauvais {token};12;bad-{token}@example.test\n"
        f"Importée Gamma {token};{_phone()};gamma-{token}@example.test\n",
        encoding="utf-8",
    )
    signed_in(page, ADMIN)
    page.goto("/w/bdc/leads")
    page.locator("a[href='/w/bdc/leads/import/']").click()
    expect(page).to_have_url(re.compile(r"/w/bdc/leads/import/$"))

    page.set_input_files("#file", str(csv_file))
    page.locator("button[type=submit].primary").click()

    expect(page).to_have_url(re.compile(r"/w/bdc/leads/import/\d+/preview$"))
    bad_line = page.locator("#dry-run .row-errors tr[data-line='3']")
    expect(bad_line).to_be_visible()
    expect(bad_line).to_contain_text("Téléphone")
    expect(page.locator("#column-0")).to_have_value("contact_name")
    expect(page.locator("#column-1")).to_have_value("phone")
    expect(page.locator("#column-2")).to_have_value("email")

    page.locator("#start-import").click()

    expect(page).to_have_url(re.compile(r"/w/bdc/leads/import/\d+$"))
    status = page.locator("#import-status")
    expect(status.locator("[data-count='imported']")).to_have_text("2", timeout=30_000)
    expect(status.locator("[data-count='failed']")).to_have_text("1")
    expect(status.locator(".row-errors tr[data-line='3']")).to_contain_text("Téléphone")

    page.goto(f"/w/bdc/leads?q={token}")
    expect(page.locator("#lead-results tbody tr")).to_have_count(2)
