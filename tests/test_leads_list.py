"""The leads list a manager can work (issue 16 item 6): filters, sort, paging, saved views,
bulk reassign and status change through the single-lead operations (ALL-3: one audit event
per lead), CSV export of the current view, bad input said beside its field."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import select

from tenants.profiles import load_profile
from tests.api_helpers import key_headers
from webapp.audit_actions import LEAD_ASSIGNED, LEAD_STATUS
from webapp.extensions import db
from webapp.models import AuditEvent, Lead, Role, SavedView
from webapp.operations import users, workspaces
from webapp.workspace import queries


def _policy() -> dict:
    document = load_profile("blank")
    document["intake"] = {
        "sources": [
            {"code": "web", "labels": {"en": "Website", "es": "Sitio web"}},
            {"code": "fair", "labels": {"en": "Trade fair", "es": "Feria"}},
        ],
        "lead_types": [{"code": "aql", "labels": {"en": "Appointment", "es": "Cita"}}],
        "rating_scale": ["AAA", "AA", "A"],
        "statuses": [
            {"code": "new", "labels": {"en": "New", "es": "Nuevo"}, "initial": True},
            {"code": "open", "labels": {"en": "In progress", "es": "En curso"}},
            {
                "code": "won",
                "labels": {"en": "Won", "es": "Ganado"},
                "terminal": True,
                "won": True,
                "revenue_required": True,
            },
            {"code": "lost", "labels": {"en": "Lost", "es": "Perdido"}, "terminal": True},
            {"code": "invalid", "labels": {"en": "Invalid", "es": "Inválido"}, "terminal": True},
        ],
    }
    return document


@pytest.fixture
def shop(make_workspace, make_member, make_lead):
    """A workspace with a manager, two agents, a team and six leads over two months."""
    workspace = make_workspace(slug="shop", policy_document=_policy())
    team = workspaces.create_team(workspace, "North", actor=None)
    manager = make_member(workspace, Role.MANAGER, name="Mia Manager")
    ann = make_member(workspace, Role.AGENT, name="Ann Agent")
    bob = make_member(workspace, Role.AGENT, name="Bob Agent")
    made = {}
    specs = [
        ("Alice Web", dict(source="web", rating="AAA", owner=ann, lead_type="aql"), 1),
        ("Bruno Fair", dict(source="fair", rating="A", owner=bob), 3),
        ("Carla Web", dict(source="web", rating="AA", owner=ann, team_id=team.id), 5),
        ("Dario Open", dict(source="fair", status="open"), 8),
        ("Elena Won", dict(source="web", status="lost", owner=bob), 12),
        ("=Formula Fred", dict(source="web", owner=ann, company="+cmd|calc"), 20),
    ]
    for name, fields, day in specs:
        with time_machine.travel(datetime(2026, 10, day, 12, tzinfo=UTC), tick=False):
            made[name] = make_lead(workspace, contact_name=name, **fields)
    return workspace, team, {"manager": manager, "ann": ann, "bob": bob}, made


def _names(client, url: str, **kwargs) -> list[str]:
    response = client.get(url, **kwargs)
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    body = response.get_data(as_text=True)
    rows = body.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in body else ""
    return [r.split("</a>", 1)[0].rsplit(">", 1)[1] for r in rows.split("<tr data-lead-id")[1:]]


def test_filters_narrow_the_list_by_each_field_and_period(client, shop, login):
    _workspace, team, people, _made = shop
    login(people["manager"])
    url = "/w/shop/leads"
    assert len(_names(client, url)) == 6
    assert _names(client, url, query_string={"source": "fair"}) == ["Dario Open", "Bruno Fair"]
    assert _names(client, url, query_string={"owner": people["ann"].id, "rating": "AA"}) == [
        "Carla Web"
    ]
    assert _names(client, url, query_string={"owner": "none"}) == ["Dario Open"]
    assert _names(client, url, query_string={"team": team.id}) == ["Carla Web"]
    assert _names(client, url, query_string={"lead_type": "aql"}) == ["Alice Web"]
    assert _names(client, url, query_string={"status": "lost"}) == ["Elena Won"]
    period = {"created_from": "2026-10-03", "created_to": "2026-10-08"}
    assert _names(client, url, query_string=period) == ["Dario Open", "Carla Web", "Bruno Fair"]
    assert _names(client, url, query_string={"updated_to": "2026-10-01"}) == ["Alice Web"]
    assert _names(client, url, query_string={"q": "bruno"}) == ["Bruno Fair"]


def test_column_headers_sort_both_ways_and_say_so_with_aria_sort(client, shop, login):
    _workspace, _team, people, _made = shop
    login(people["manager"])
    by_name = _names(client, "/w/shop/leads", query_string={"sort": "contact"})
    assert by_name == sorted(by_name, key=str.lower)
    desc = {"sort": "contact", "direction": "desc"}
    assert _names(client, "/w/shop/leads", query_string=desc) == by_name[::-1]
    # Ratings sort as the policy ranks them (best first), the unrated last.
    rated = _names(client, "/w/shop/leads", query_string={"sort": "rating"})
    assert rated[:3] == ["Alice Web", "Carla Web", "Bruno Fair"]
    page = client.get("/w/shop/leads?sort=owner&direction=asc").get_data(as_text=True)
    assert 'aria-sort="ascending"' in page and page.count('aria-sort="none"') == 7
    header = page.split('aria-sort="ascending"', 1)[1].split("</a>", 1)[0]
    # The header's link turns the order around.
    assert 'href="/w/shop/leads?sort=owner&amp;direction=desc"' in header


def test_pages_of_fifty_with_the_total(client, shop, login, monkeypatch):
    _workspace, _team, people, _made = shop
    monkeypatch.setattr(queries, "PAGE_SIZE", 4)
    login(people["manager"])
    first = client.get("/w/shop/leads?sort=created&direction=asc").get_data(as_text=True)
    assert "1\u20134 of 6 leads" in first and "Page 1 of 2" in first
    oldest_first = {"sort": "created", "direction": "asc"}
    second = _names(client, "/w/shop/leads", query_string={**oldest_first, "page": "2"})
    assert second == ["Elena Won", "=Formula Fred"]
    assert len(_names(client, "/w/shop/leads", query_string={"page": "99"})) == 0
    assert client.get("/w/shop/leads?page=-1").status_code == 200


@pytest.mark.parametrize(
    ("args", "field", "message"),
    [
        ({"status": "nonsense"}, "status", "Elige un estado de la lista."),
        (
            {"created_from": "31/12/2026"},
            "created_from",
            "No es una fecha (AAAA-MM-DD): 31/12/2026.",
        ),
        (
            {"updated_from": "2026-10-10", "updated_to": "2026-10-01"},
            "updated_to",
            "El fin del periodo es anterior a su inicio.",
        ),
        ({"owner": "999999"}, "owner", "Elige un responsable de la lista."),
    ],
)
def test_bad_filters_are_said_beside_the_field_in_the_readers_language(
    client, shop, login, args, field, message
):
    _workspace, _team, people, _made = shop
    login(people["manager"])
    client.post("/language", data={"locale": "es"})
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get("/w/shop/leads", query_string=args, headers=headers)
        body = response.get_data(as_text=True)
        assert response.status_code == 422
        assert f'id="f-{field}-errors"><li>{message}</li>' in body
        assert "data-lead-id" not in body


def test_an_agent_sees_the_list_but_neither_bulk_nor_export(client, shop, login):
    _workspace, _team, people, made = shop
    login(people["ann"])
    page = client.get("/w/shop/leads").get_data(as_text=True)
    assert "Bruno Fair" in page and 'name="lead"' not in page and "export.csv" not in page
    assert client.get("/w/shop/leads/export.csv").status_code == 403
    lead = made["Bruno Fair"]
    post = {"lead": lead.id, "action": "reassign", "to": people["ann"].id}
    assert client.post("/w/shop/leads/bulk", data=post).status_code == 403
    assert db.session.get(Lead, lead.id).owner_id == people["bob"].id


def test_all_3_bulk_reassign_goes_through_reassign_with_one_audit_event_per_lead(
    client, shop, login
):
    _workspace, _team, people, made = shop
    login(people["manager"])
    picked = [made["Alice Web"], made["Bruno Fair"], made["Dario Open"]]
    response = client.post(
        "/w/shop/leads/bulk",
        data={
            "lead": [lead.id for lead in picked],
            "action": "reassign",
            "to": people["ann"].id,
            "back": "source=web&sort=contact",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/w/shop/leads?source=web&sort=contact"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 leads reassigned to Ann Agent. 1 was already so and is unchanged." in page
    db.session.expire_all()
    assert {db.session.get(Lead, lead.id).owner_id for lead in picked} == {people["ann"].id}
    events = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == LEAD_ASSIGNED, AuditEvent.actor_id == people["manager"].id
        )
    ).all()
    assert sorted(e.subject_id for e in events) == sorted(
        [made["Bruno Fair"].id, made["Dario Open"].id]
    )
    assert {e.reason for e in events} == {"reassigned in bulk from the leads list"}


def test_all_3_bulk_status_reports_each_refusal_and_keeps_the_others(client, shop, login):
    _workspace, _team, people, made = shop
    login(people["manager"])
    picked = [made["Alice Web"], made["Bruno Fair"]]
    data = {"lead": [lead.id for lead in picked], "action": "status", "status": "won"}
    response = client.post("/w/shop/leads/bulk", data=data, follow_redirects=True)
    body = response.get_data(as_text=True)
    assert "2 refused: Alice Web: Enter the deal" in body and "Bruno Fair: Enter the deal" in body
    data["status"] = "open"
    body = client.post("/w/shop/leads/bulk", data=data, follow_redirects=True).get_data(
        as_text=True
    )
    assert "2 leads moved to In progress." in body
    db.session.expire_all()
    assert {db.session.get(Lead, lead.id).status for lead in picked} == {"open"}
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == LEAD_STATUS)).all()
    assert sorted(e.subject_id for e in events) == sorted(lead.id for lead in picked)


def test_bulk_input_is_checked_before_anything_is_applied(
    client, shop, login, make_workspace, make_lead
):
    _workspace, _team, people, made = shop
    elsewhere = make_lead(make_workspace(slug="other", policy_document=_policy()))
    login(people["manager"])
    mine = made["Bruno Fair"]
    reassign = {"action": "reassign", "to": people["ann"].id}
    assert (
        client.post("/w/shop/leads/bulk", data={**reassign, "lead": [mine.id, elsewhere.id]})
    ).status_code == 404
    assert client.post("/w/shop/leads/bulk", data={**reassign, "lead": ["x"]}).status_code == 422
    nobody = client.post("/w/shop/leads/bulk", data={**reassign, "to": "", "lead": [mine.id]})
    assert nobody.status_code == 422 and 'id="bulk-to-errors"' in nobody.get_data(as_text=True)
    none = client.post("/w/shop/leads/bulk", data=reassign)
    assert none.status_code == 422 and "Select at least one lead." in none.get_data(as_text=True)
    bad = client.post(
        "/w/shop/leads/bulk", data={"action": "status", "status": "gone", "lead": [mine.id]}
    )
    assert bad.status_code == 422 and 'id="bulk-status-errors"' in bad.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Lead, mine.id).owner_id == people["bob"].id
    assert db.session.get(Lead, mine.id).status == "new"


def test_csv_export_is_the_current_view_formula_safe(client, shop, login):
    _workspace, _team, people, _made = shop
    login(people["manager"])
    args = {"source": "web", "sort": "contact"}
    shown = _names(client, "/w/shop/leads", query_string=args)
    response = client.get("/w/shop/leads/export.csv", query_string=args)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["Lead number", "Contact", "Company"]
    names = [row[1] for row in rows[1:]]
    assert [n.removeprefix("'") for n in names] == shown
    fred = next(row for row in rows if "Formula Fred" in row[1])
    assert fred[1] == "'=Formula Fred" and fred[2] == "'+cmd|calc"
    assert client.get("/w/shop/leads/export.csv?status=zzz").status_code == 422


def test_saved_views_are_their_owners_only_in_their_workspace(client, shop, login, make_workspace):
    _workspace, _team, people, _made = shop
    login(people["manager"])
    saved = client.post(
        "/w/shop/leads/views", data={"name": " Web  leads ", "query": "source=web&sort=contact"}
    )
    assert saved.status_code == 302
    view = db.session.scalar(select(SavedView))
    assert view.name == "Web leads" and view.query == "source=web&sort=contact"
    page = client.get("/w/shop/leads").get_data(as_text=True)
    assert "?source=web&amp;sort=contact" in page and "Web leads" in page
    again = client.post("/w/shop/leads/views", data={"name": "web LEADS", "query": ""})
    assert again.status_code == 422 and 'id="view-name-errors"' in again.get_data(as_text=True)
    rename = f"/w/shop/leads/views/{view.id}/rename"
    assert client.post(rename, data={"name": "Web"}).status_code == 302

    # Another member of the workspace neither sees nor touches it.
    client.post("/logout")
    login(people["ann"])
    assert "Web leads" not in client.get("/w/shop/leads").get_data(as_text=True)
    assert client.post(f"/w/shop/leads/views/{view.id}/delete").status_code == 404
    assert client.post(rename, data={"name": "x"}).status_code == 404
    # The same person in another workspace sees none of this workspace's views.
    other = make_workspace(slug="other")
    users.add_member(other, people["manager"], Role.MANAGER, actor=None)
    client.post("/logout")
    login(people["manager"])
    theirs = client.get("/w/other/leads").get_data(as_text=True)
    assert "No saved views yet." in theirs and "?source=web" not in theirs
    assert client.post(f"/w/other/leads/views/{view.id}/delete").status_code == 404

    assert client.post(f"/w/shop/leads/views/{view.id}/delete").status_code == 302
    assert db.session.scalar(select(SavedView)) is None
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.subject_type == "saved_views")
    ).all()
    assert actions == ["saved_view.created", "saved_view.renamed", "saved_view.deleted"]


def test_the_fragment_pushes_the_canonical_url(client, shop, login):
    _workspace, _team, people, _made = shop
    login(people["manager"])
    response = client.get(
        "/w/shop/leads?q=web&status=&owner=&sort=updated&direction=desc",
        headers={"HX-Request": "true"},
    )
    assert response.get_data(as_text=True).lstrip().startswith('<div id="lead-results">')
    assert response.headers["HX-Push-Url"] == "/w/shop/leads?q=web"


def test_the_api_lists_leads_with_the_same_filters(client, shop):
    workspace, team, _people, made = shop
    headers = key_headers(workspace)

    def ids(**args) -> set[int]:
        response = client.get("/api/v1/leads", query_string=args, headers=headers)
        assert response.status_code == 200, response.json
        return {lead["id"] for lead in response.json["leads"]}

    assert ids(source="web", rating="AAA") == {made["Alice Web"].id}
    assert ids(team=team.id) == {made["Carla Web"].id}
    assert ids(lead_type="aql") == {made["Alice Web"].id}
    assert ids(q="BRUNO") == {made["Bruno Fair"].id}
    window = {"created_since": "2026-10-03T00:00:00Z", "created_before": "2026-10-06T00:00:00Z"}
    assert ids(**window) == {made["Bruno Fair"].id, made["Carla Web"].id}
    assert ids(updated_before="2026-10-02T00:00:00Z") == {made["Alice Web"].id}
    bad = client.get(
        "/api/v1/leads", query_string={"team": "x", "created_since": "soon"}, headers=headers
    )
    assert bad.status_code == 422
    assert {f["path"] for f in bad.json["error"]["fields"]} == {"team", "created_since"}
