"""A department changes its own policy in the browser, in its own words (issue 3; issue 16
item 1; CCIMA-6, ALL-2)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from e2e.conftest import DEMO_PASSWORD
from tenants.profiles import load_profile
from webapp.clock import now
from webapp.extensions import db
from webapp.models import Deadline, Role, User, Workspace
from webapp.operations import leads, users, workspaces


@pytest.fixture
def own_ccima(e2e_app: Flask) -> Iterator[tuple[Workspace, User, User]]:
    """A CCIMA-profile workspace of this test's own, so the shared demo stays as seeded."""
    with e2e_app.app_context():
        workspace = workspaces.create_workspace(
            "ccima-policy-e2e",
            "CCIMA policy e2e",
            locale="es",
            time_zone="America/Mexico_City",
            country="MX",
            policy_document=load_profile("ccima_contact_center"),
            actor=None,
        )
        admin = users.create_user("policy-admin@e2e.test", "Policy Admin", DEMO_PASSWORD)
        advisor = users.create_user("policy-advisor@e2e.test", "Policy Advisor", DEMO_PASSWORD)
        users.add_member(workspace, admin, Role.ADMIN, actor=None)
        users.add_member(workspace, advisor, Role.AGENT, actor=None)
        yield workspace, admin, advisor
        db.session.delete(db.session.merge(workspace))
        for user in (admin, advisor):
            db.session.delete(db.session.merge(user))
        db.session.commit()


def test_admin_changes_the_ccima_sla_sees_the_diff_activates_and_new_leads_follow(
    page: Page, e2e_app: Flask, own_ccima
) -> None:
    workspace, _admin, advisor = own_ccima
    page.goto("/login")
    page.get_by_label("E-mail").fill("policy-admin@e2e.test")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/w/ccima-policy-e2e/$"))

    # A department head reads the policy in Spanish: a summary of each section, no keys.
    page.get_by_role("navigation").get_by_role("link", name="Política").click()
    timers = page.locator("#section-timers")
    expect(timers.get_by_test_id("summary-timers")).to_contain_text("10 minutos de horario laboral")
    timers.get_by_role("link", name="Editar").click()

    contact_sla = page.get_by_role("group", name="Temporizadores / Contact SLA", exact=True)
    sla = contact_sla.get_by_label("Duración", exact=True)
    expect(sla).to_have_value("10")
    expect(contact_sla.get_by_label("Unidad de Duración")).to_have_value("m")
    expect(contact_sla.get_by_label("Reloj")).to_have_value("business")
    sla.fill("0")
    sla.press("Tab")  # leaving the field checks it
    expect(contact_sla.locator(".errors")).to_contain_text(
        "Escriba un número entero mayor que cero."
    )
    sla.fill("15")
    sla.press("Tab")
    expect(page.get_by_test_id("policy-valid")).to_be_visible()
    page.screenshot(path="/tmp/policy-section-es.png", full_page=True)
    page.get_by_label("Qué cambia y por qué").fill("SLA 15 minutes")
    page.get_by_label("Activar esta versión ahora").uncheck()  # save as a draft
    page.get_by_role("button", name="Guardar versión").click()

    expect(page).to_have_url(re.compile(r"/policy/versions$"))
    expect(page.get_by_text("Guardada como versión 2.")).to_be_visible()
    page.get_by_role("button", name="Mostrar diferencias").click()
    expect(page.get_by_test_id("policy-changes")).to_have_text(
        "Temporizadores / Contact SLA / Duración: 10 minutos → 15 minutos"
    )
    page.screenshot(path="/tmp/policy-diff-es.png", full_page=True)

    page.go_back()
    row = page.locator("tr", has=page.get_by_role("cell", name="SLA 15 minutes"))
    row.get_by_role("button", name="Activar").click()
    expect(page.get_by_text("La versión 2 ya está activa.")).to_be_visible()

    # The same policy read in Russian: its plural forms come from Babel (15 минут).
    page.goto("/w/ccima-policy-e2e/policy/")
    page.get_by_label("Idioma").select_option("ru")
    timers = page.locator("#section-timers")
    expect(timers.get_by_test_id("summary-timers")).to_contain_text("15 минут рабочего времени")
    page.screenshot(path="/tmp/policy-index-ru.png", full_page=True)
    timers.get_by_role("link", name="Изменить").click()
    expect(page.get_by_role("group", name="Таймеры / Contact SLA", exact=True)).to_be_visible()
    page.screenshot(path="/tmp/policy-section-ru.png", full_page=True)

    # A lead assigned at 09:00 in Mexico City is due for contact at 09:15.
    opening = (now() + timedelta(days=1)).replace(hour=15, minute=0, second=0, microsecond=0)
    with e2e_app.app_context():
        import time_machine

        ws = db.session.merge(workspace)
        with time_machine.travel(opening, tick=False):
            lead = leads.create_lead(
                ws,
                contact_name="Nuevo Prospecto",
                phone="55 1111 2222",
                owner=db.session.merge(advisor),
                actor=None,
            )
        lead_id = lead.id
        due = (
            db.session.query(Deadline.due_at)
            .filter_by(lead_id=lead_id, kind="contact_sla")
            .scalar()
        )
    assert due == opening + timedelta(minutes=15)
    page.goto(f"/w/ccima-policy-e2e/leads/{lead_id}")
    expect(page.locator('[data-deadline="contact_sla"]')).to_contain_text("9:15")
    page.screenshot(path="/tmp/policy-lead.png")
