"""Accessibility (issue 16 item 5): axe-core over the main pages of each role, no serious or
critical violation.

axe-core is vendored from npm (e2e/vendor/README.md). The pages' CSP allows only the app's own
scripts, so axe is added in a context that bypasses CSP (the app's own CSP is checked by every
other e2e test through conftest's `page`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser

from e2e.conftest import DEMO_PASSWORD
from e2e.test_layout import ROLES, main_pages

AXE = Path(__file__).resolve().parent / "vendor" / "axe-4.14.1.min.js"
RUN_AXE = """async () => {
  const result = await axe.run(document, {
    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
  });
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 4).map(n => n.target.join(' '))}));
}"""


def _violations(page: Any) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(RUN_AXE)


# Every role in the light scheme; dark mode (the system's preference) for the roles whose
# pages hold the most colour: the manager's team pages and the partner's portal.
SCHEMES = [(role, "light") for role in ROLES] + [("manager-es", "dark"), ("partner", "dark")]


@pytest.mark.parametrize(("role", "scheme"), SCHEMES)
def test_main_pages_have_no_serious_axe_violation(
    browser: Browser, base_url: str, role: str, scheme: str
) -> None:
    """Issue 16.5: every page of the role's navigation and a lead page pass axe-core (serious
    and critical impacts fail the test), in light and in dark mode; the sign-in page too."""
    email, workspace = ROLES[role]
    context = browser.new_context(
        base_url=base_url,
        bypass_csp=True,
        locale="en-US",
        viewport={"width": 1280, "height": 800},
        color_scheme=scheme,
    )
    try:
        page = context.new_page()
        page.goto("/login")
        found = {}
        if role == "admin" and (v := _violations(page)):
            found["/login"] = v
        page.get_by_label("E-mail").fill(email)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/login" not in url)
        for href in main_pages(page, workspace):
            page.goto(href)
            if v := _violations(page):
                found[href] = v
        assert found == {}, found
    finally:
        context.close()
