"""The workspace's Audit page (ALL-3, issue 12 item 5): administrators and directors see every
change in their words, filter by person, lead, kind and period (the workspace's days), page
through, and export CSV that a spreadsheet will not run as formulas."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
import time_machine

from webapp.extensions import db
from webapp.models import Role
from webapp.operations import assignment, lead_edits


@pytest.fixture
def shop(make_workspace, make_member, make_lead):
    workspace = make_workspace(slug="shop", time_zone="America/Mexico_City")
    manager = make_member(workspace, Role.MANAGER, name="Jorge Ramírez")
    agent = make_member(workspace, Role.AGENT, name="Ana Torres")
    lead = make_lead(workspace, contact_name="Bea Owner")
    assignment.reassign(lead, agent, actor=manager, reason='=HYPERLINK("http://evil")')
    lead_edits.update_lead(lead, actor=manager, values={"company": "@SUM(A1)"})
    db.session.commit()
    return workspace, lead, manager, agent


def test_an_agent_may_not_see_the_audit_page(client, shop, login_as):
    login_as(Role.AGENT, shop[0])
    assert client.get("/w/shop/audit").status_code == 403
    assert client.get("/w/shop/audit/export.csv").status_code == 403


@pytest.mark.parametrize("role", [Role.ADMIN, Role.DIRECTOR])
def test_all_3_every_change_with_before_and_after(client, shop, login_as, role):
    workspace, lead, _manager, _agent = shop
    login_as(role, workspace)

    page = client.get("/w/shop/audit").get_data(as_text=True)

    assert "Owner: — → Ana Torres" in page and "Company: — → @SUM(A1)" in page
    assert f'href="/w/shop/leads/{lead.id}"' in page and "Jorge Ramírez" in page


def test_filters_by_person_kind_lead_and_period(client, shop, login_as, make_lead):
    workspace, lead, manager, _agent = shop
    make_lead(workspace, contact_name="Other Lead")
    login_as(Role.ADMIN, workspace)

    def rows(url: str) -> str:
        return client.get(url).text.split("<tbody>")[1]

    by_manager = rows(f"/w/shop/audit?person={manager.id}")
    assert "Owner changed" in by_manager and "Lead received" not in by_manager
    edits = rows("/w/shop/audit?kind=lead.updated")
    assert "Lead edited" in edits and "Owner changed" not in edits
    of_lead = rows(f"/w/shop/audit?lead={lead.id}")
    assert "Other Lead" not in of_lead and "Bea Owner" in of_lead
    long_ago = client.get("/w/shop/audit?since=2020-01-01&until=2020-01-31").text
    assert "No change matches these filters." in long_ago


def test_the_period_is_in_the_workspaces_days(client, make_workspace, make_lead, login_as):
    workspace = make_workspace(slug="mx", time_zone="America/Mexico_City")
    # 03:00 UTC on the 2nd is still the 1st in Mexico City.
    with time_machine.travel(datetime(2026, 3, 2, 3, 0, tzinfo=UTC), tick=False):
        make_lead(workspace, contact_name="Late Caller")
    login_as(Role.ADMIN, workspace)

    assert "Late Caller" in client.get("/w/mx/audit?since=2026-03-01&until=2026-03-01").text
    assert "Late Caller" not in client.get("/w/mx/audit?since=2026-03-02").text


def test_bad_filters_are_said_beside_their_fields(client, shop, login_as):
    login_as(Role.ADMIN, shop[0])

    response = client.get("/w/shop/audit?lead=abc&since=yesterday&kind=nope")

    assert response.status_code == 422
    page = response.text
    assert 'id="audit-lead-errors"' in page and 'id="audit-since-errors"' in page
    assert 'id="audit-kind-errors"' in page


def test_csv_export_escapes_formulas(client, shop, login_as):
    login_as(Role.ADMIN, shop[0])

    response = client.get("/w/shop/audit/export.csv")

    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["When", "Who", "What", "Lead", "Changes", "Why"]
    cells = [c for row in rows[1:] for c in row]
    assert '\'=HYPERLINK("http://evil")' in cells
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
    assert "Company: — → @SUM(A1)" in cells  # not at the start of its cell: harmless


def test_the_audit_page_in_spanish(client, shop, login_as):
    login_as(Role.ADMIN, shop[0], preferred_locale="es")
    page = client.get("/w/shop/audit").text
    assert "Auditoría" in page and "Responsable: — → Ana Torres" in page
