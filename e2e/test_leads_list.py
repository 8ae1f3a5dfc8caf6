"""A manager works the leads list in a real Chromium, in Spanish (issue 16 item 6): filter,
sort, select two leads, reassign them in bulk, read the flash and the new owner."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from e2e.conftest import DEMO_PASSWORD
from tenants.profiles import load_profile
from webapp.extensions import db
from webapp.models import Role, Workspace
from webapp.operations import leads, users, workspaces

MANAGER = "leadslist-manager@e2e.test"


@pytest.fixture
def own_workspace(e2e_app: Flask) -> Iterator[Workspace]:
    """A CCIMA-profile workspace of this test's own, so the shared demo stays as seeded."""
    with e2e_app.app_context():
        workspace = workspaces.create_workspace(
            "leadslist-e2e",
            "Leads list e2e",
            locale="es",
            time_zone="America/Mexico_City",
            country="MX",
            policy_document=load_profile("ccima_contact_center"),
            actor=None,
        )
        people = [
            users.create_user(MANAGER, "Marta Gerente", DEMO_PASSWORD, preferred_locale="es"),
            users.create_user("leadslist-ana@e2e.test", "Ana Asesora", DEMO_PASSWORD),
            users.create_user("leadslist-luis@e2e.test", "Luis Asesor", DEMO_PASSWORD),
        ]
        for person, role in zip(people, (Role.MANAGER, Role.AGENT, Role.AGENT), strict=True):
            users.add_member(workspace, person, role, actor=None)
        for n, name in enumerate(("Zeta Lista", "Alfa Lista", "Otro Cliente")):
            leads.create_lead(
                workspace,
                contact_name=name,
                phone=f"+52 55 5555 00{n:02d}",
                owner=people[1],
                actor=None,
            )
        yield workspace
        db.session.delete(db.session.merge(workspace))
        for person in people:
            db.session.delete(db.session.merge(person))
        db.session.commit()


def test_a_manager_filters_selects_two_and_reassigns_them_in_bulk(
    page: Page, own_workspace: Workspace
) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(MANAGER)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/w/leadslist-e2e/$"))
    page.goto("/w/leadslist-e2e/leads")
    rows = page.locator("#lead-results tbody tr")
    expect(rows).to_have_count(3)
    page.evaluate("window.e2eMarker = 'same page'")

    # Filter (htmx swaps the table, the address bar keeps the filter), then sort by name.
    page.get_by_label("Buscar").fill("lista")
    expect(rows).to_have_count(2)
    expect(page).to_have_url(re.compile(r"/w/leadslist-e2e/leads\?q=lista$"))
    page.get_by_role("link", name="Contacto").click()
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("Contacto")
    expect(rows.first).to_contain_text("Alfa Lista")
    expect(page).to_have_url(re.compile(r"\?q=lista&sort=contact$"))
    assert page.evaluate("window.e2eMarker") == "same page"
    expect(page.get_by_test_id("lead-total")).to_have_text("1\u20132 de 2 leads")

    # Select both, reassign them to Luis: the flash says so, the rows show him.
    page.get_by_label("Seleccionar todos los leads de esta página").check()
    expect(page.locator("input[name=lead]:checked")).to_have_count(2)
    page.get_by_label("Reasignar a").select_option(label="Luis Asesor")
    page.get_by_role("button", name="Reasignar", exact=True).click()

    expect(page.locator(".flash")).to_have_text("2 leads reasignados a Luis Asesor.")
    expect(page).to_have_url(re.compile(r"\?q=lista&sort=contact$"))
    expect(rows).to_have_count(2)
    for row in rows.all():
        expect(row).to_contain_text("Luis Asesor")
    # The lead the filter left out kept its owner.
    page.get_by_label("Buscar").fill("otro")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Ana Asesora")
