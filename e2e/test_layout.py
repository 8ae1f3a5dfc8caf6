"""Works on a phone (issue 16 item 4): no page scrolls sideways at 390 px, for any role.

Screenshots of the queue, the lead page, the policy page and the dashboard at 390 x 844 (a
phone) and 1440 x 900 (a desktop), each checked for horizontal overflow; then a crawl of the
main pages of each role at 390 px; and the top bar on one line at 1280 px in Spanish and
Russian (issue 16 item 3). Screenshots go to a temporary folder, or to e2e/screenshots/layout/
on request: LEADLINE_UPDATE_SCREENSHOT=1 .venv/bin/pytest e2e/test_layout.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from e2e.test_foundation import signed_in

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots" / "layout"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}

# One account per role (and per language the demo has), with its workspace.
ROLES = {
    "admin": ("admin@leadline.test", "ccima"),
    "manager-es": ("jorge.ramirez@ccima.leadline.test", "ccima"),
    "agent-es": ("ana.torres@ccima.leadline.test", "ccima"),
    "agent-ru": ("anna.kuznetsova@telecom.leadline.test", "telecom"),
    "partner": ("daniel.brooks@cpb.leadline.test", "cpb"),
    "agent-fr": ("julie.cote@bdc.leadline.test", "bdc"),
}


def overflow(page: Page) -> list[str]:
    """What sticks out past the viewport's right edge when the page scrolls sideways."""
    return page.evaluate(
        """() => {
          const width = window.innerWidth;
          if (document.documentElement.scrollWidth <= width) return [];
          const clipped = el => {
            for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
              if (getComputedStyle(a).overflowX !== 'visible') return true;
            }
            return false;
          };
          return [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > width + 1 && !clipped(el))
            .slice(0, 8)
            .map(el => el.tagName.toLowerCase() + (typeof el.className === 'string' && el.className
                 ? '.' + el.className.trim().replace(/\\s+/g, '.') : ''));
        }"""
    )


def main_pages(page: Page, workspace: str) -> list[str]:
    """The caller's navigation (the "More" menu's entries too) and the first lead's page."""
    page.goto(f"/w/{workspace}/leads")
    hrefs = page.eval_on_selector_all("nav.nav a", "els => els.map(e => e.getAttribute('href'))")
    lead = page.eval_on_selector_all(
        "main a[href*='/leads/']",
        "els => els.map(e => e.getAttribute('href')).find(h => /\\/leads\\/\\d+$/.test(h))",
    )
    assert lead, "the leads list shows no lead"
    return list(dict.fromkeys([*hrefs, lead]))


def _target(tmp_path: Path, name: str) -> Path:
    if os.environ.get("LEADLINE_UPDATE_SCREENSHOT"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        return SCREENSHOTS / name
    return tmp_path / name


def test_phone_and_desktop_screenshots_do_not_scroll_sideways(page: Page, tmp_path: Path) -> None:
    """Issue 16.4: the queue, the lead page, the policy page and the dashboard at 390 x 844 and
    1440 x 900, with no horizontal overflow; on the phone the outcome form is on the first
    screens of the lead page and its controls are 44 px tall."""
    signed_in(page, "jorge.ramirez@ccima.leadline.test")
    page.goto("/w/ccima/queue/?scope=team")
    lead_href = page.locator("a.q-name").first.get_attribute("href")
    pages = {
        "queue": "/w/ccima/queue/?scope=team",
        "lead": lead_href,
        "policy": "/w/ccima/policy/",
        "dashboard": "/w/ccima/",
    }
    for size_name, size in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        for name, href in pages.items():
            page.goto(href)
            expect(page.locator("main h1").first).to_be_visible()
            assert overflow(page) == [], (size_name, name, overflow(page))
            page.screenshot(path=_target(tmp_path, f"{name}-{size_name}.png"))
            if size_name == "phone" and name == "lead":
                save = page.get_by_role("button", name="Guardar resultado")
                box = save.bounding_box()
                assert box is not None and box["height"] >= 44, box
                # One hand: the outcome form starts within the first two screens.
                outcome = page.locator("#record-outcome").bounding_box()
                assert outcome is not None and outcome["y"] < 2 * PHONE["height"], outcome


@pytest.mark.parametrize("role", list(ROLES))
def test_every_main_page_fits_a_phone(page: Page, role: str) -> None:
    """Issue 16.4: every page of the role's navigation, and a lead page, at 390 px wide."""
    email, workspace = ROLES[role]
    page.set_viewport_size(PHONE)
    signed_in(page, email)
    hrefs = main_pages(page, workspace)
    assert len(hrefs) >= 3, hrefs
    wide = {}
    for href in hrefs:
        page.goto(href)
        if found := overflow(page):
            wide[href] = found
    assert wide == {}, wide


@pytest.mark.parametrize("role", ["admin", "manager-es", "agent-ru"])
def test_the_top_bar_stays_on_one_line_at_1280(page: Page, role: str) -> None:
    """Issue 16.3: secondary pages sit under "More", so the bar never wraps (Spanish, Russian,
    and the admin's longest menu)."""
    email, workspace = ROLES[role]
    signed_in(page, email)
    page.goto(f"/w/{workspace}/")
    nav_height = page.locator("nav.nav").bounding_box()["height"]
    bar_height = page.locator("header.topbar").bounding_box()["height"]
    assert nav_height <= 44 and bar_height <= 64, (nav_height, bar_height)
