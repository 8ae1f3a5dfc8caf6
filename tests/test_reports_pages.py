"""The dashboards through the web app: each role's home page with its figures, the period
picker's message beside the field, the report fragment with its chart and table, and the
downloads (CSV as the table shows it, XLSX; formula-looking cells escaped)."""

from __future__ import annotations

import io

import time_machine
from openpyxl import load_workbook

from tests.test_reports_metrics import WEEK, _week, at
from webapp.extensions import db
from webapp.models import Role
from webapp.reports.export import safe, to_csv

MONDAY_AFTER = at(23, 9)


def _sign_in(login, user) -> None:
    """Signed in at the frozen moment the pages are read at (sessions have lifetimes)."""
    with time_machine.travel(MONDAY_AFTER, tick=False):
        login(user)


def _page(client, path: str, **params) -> str:
    with time_machine.travel(MONDAY_AFTER, tick=False):
        response = client.get(path, query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def test_manager_dashboard_lists_their_team_per_agent_worst_sla_first(
    client, login, make_workspace, make_member
):
    """Asesor 0 breached one SLA of three (67 %), Asesor 1 none (100 %): Asesor 0 first."""
    _workspace, manager, ana, luis = _week(make_workspace, make_member)
    manager.preferred_locale = "en"
    db.session.commit()
    _sign_in(login, manager)
    html = _page(client, "/w/cc/", **WEEK)
    table = html.split('data-testid="breakdown-agent"')[1].split("</table>")[0]
    assert table.index(ana.name) < table.index(luis.name)
    assert "Speed to lead" in html and 'hx-trigger="revealed"' in html


def test_agent_sees_only_their_own_figures(client, login, make_workspace, make_member):
    _workspace, _manager, ana, _luis = _week(make_workspace, make_member)
    _sign_in(login, ana)
    html = _page(client, "/w/cc/", **WEEK)
    assert 'data-testid="breakdown-agent"' not in html
    fragment = _page(client, "/w/cc/reports/leads_received", group_by="agent", **WEEK)
    assert ana.name in fragment and "Asesor 1" not in fragment


def test_director_sees_the_workspace_per_team_and_source_in_spanish(
    client, login, make_workspace, make_member
):
    workspace, *_ = _week(make_workspace, make_member)
    director = make_member(workspace, Role.DIRECTOR, name="Dirección", preferred_locale="es")
    _sign_in(login, director)
    html = _page(client, "/w/cc/", **WEEK)
    assert 'data-testid="breakdown-team"' in html and 'data-testid="breakdown-source"' in html
    assert "Campaña de marketing digital" in html
    assert "Leads recibidos" in html or "Prospectos recibidos" in html


def test_a_period_that_ends_before_it_starts_is_told_beside_the_field(
    client, login_as, make_workspace
):
    with time_machine.travel(MONDAY_AFTER, tick=False):
        login_as(Role.MANAGER, make_workspace(slug="w1"))
        response = client.get("/w/w1/", query_string={"from": "2026-11-20", "to": "2026-11-01"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="period-to-errors"' in html and "ends before it starts" in html


def test_report_fragment_has_chart_data_and_table_and_csv_matches_the_table(
    client, login, make_workspace, make_member
):
    _workspace, manager, *_ = _week(make_workspace, make_member)
    manager.preferred_locale = "en"
    db.session.commit()
    _sign_in(login, manager)
    fragment = _page(client, "/w/cc/reports/speed_to_lead", group_by="day", column="median", **WEEK)
    assert 'class="report-chart"' in fragment and "data-chart=" in fragment
    assert "Nov 17, 2026" in fragment
    csv = _page(client, "/w/cc/reports/speed_to_lead/export.csv", group_by="day", **WEEK)
    lines = csv.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Day,Leads contacted,Median")
    assert lines[-1].startswith("Total,3,")
    with time_machine.travel(MONDAY_AFTER, tick=False):
        xlsx = client.get("/w/cc/reports/leads_received/export.xlsx", query_string=WEEK)
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert [c.value for c in sheet[sheet.max_row]] == ["Total", 4]


def test_cells_that_look_like_formulas_are_escaped():
    assert [safe(v) for v in ("=1+1", "+52", "-x", "@SUM", "Ana", 5)] == [
        "'=1+1",
        "'+52",
        "'-x",
        "'@SUM",
        "Ana",
        5,
    ]
    assert to_csv(["a"], [["=cmd"]]).decode("utf-8-sig").splitlines()[1] == "'=cmd"
