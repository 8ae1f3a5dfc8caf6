"""A department head adds an entry to a list of the policy in the browser, without YAML, and
sees it in the version diff (issue 16 item 1)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from e2e.conftest import DEMO_PASSWORD
from tenants.profiles import load_profile
from webapp.extensions import db
from webapp.models import Role, User, Workspace
from webapp.operations import users, workspaces

OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture
def ccima_entries(e2e_app: Flask) -> Iterator[tuple[Workspace, User]]:
    with e2e_app.app_context():
        workspace = workspaces.create_workspace(
            "ccima-entries-e2e",
            "CCIMA entries e2e",
            locale="es",
            time_zone="America/Mexico_City",
            country="MX",
            policy_document=load_profile("ccima_contact_center"),
            actor=None,
        )
        head = users.create_user("entries-head@e2e.test", "Entries Head", DEMO_PASSWORD)
        users.add_member(workspace, head, Role.DIRECTOR, actor=None)
        yield workspace, head
        db.session.delete(db.session.merge(workspace))
        db.session.delete(db.session.merge(head))
        db.session.commit()


def test_issue_16_item_1_head_adds_a_lead_source_and_sees_it_in_the_diff(
    page: Page, ccima_entries
) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill("entries-head@e2e.test")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/w/ccima-entries-e2e/$"))

    for size in ({"width": 1440, "height": 900}, {"width": 390, "height": 844}):
        page.set_viewport_size(size)
        page.goto("/w/ccima-entries-e2e/policy/sections/intake")
        page.locator('[data-entry-list="intake.sources"]').scroll_into_view_if_needed()
        page.screenshot(path=f"/tmp/plists-intake-{size['width']}.png")
        assert page.evaluate(OVERFLOW) <= 0, size

    sources = page.locator('[data-entry-list="intake.sources"]')
    sources.get_by_role("link", name="Añadir una fuente de leads").click()
    page.get_by_label("Etiqueta (Español)").fill("Ferias y eventos")
    page.screenshot(path="/tmp/plists-new-390.png", full_page=True)
    assert page.evaluate(OVERFLOW) <= 0
    page.get_by_role("button", name="Guardar versión").click()
    expect(page.get_by_text("Guardada como versión 2.")).to_be_visible()
    expect(sources.locator('[data-entry="intake.sources.2"]')).to_be_visible()

    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto("/w/ccima-entries-e2e/policy/versions")
    page.get_by_role("button", name="Mostrar diferencias").click()
    expect(page.get_by_test_id("policy-changes")).to_contain_text("Ferias y eventos")
    page.screenshot(path="/tmp/plists-diff-1440.png")

    # A status an outcome still sets cannot be removed: said beside it, in Spanish.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/w/ccima-entries-e2e/policy/sections/intake/entries/intake.statuses/2/remove")
    page.get_by_test_id("refusal-summary").get_by_role("link").click()
    refusal = page.get_by_test_id("entry-refusal")
    expect(refusal).to_contain_text("no se puede quitar")
    refusal.scroll_into_view_if_needed()
    page.screenshot(path="/tmp/plists-refused-390.png")
    assert page.evaluate(OVERFLOW) <= 0
