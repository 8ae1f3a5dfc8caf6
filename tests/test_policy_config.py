"""A department configures its own policy in the web UI and over the API (ALL-2)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tenants.profiles import load_profile
from tests.policy_forms import form_values
from webapp.clock import now
from webapp.extensions import db
from webapp.models import AuditEvent, Deadline, PolicyVersion, Role
from webapp.operations.api_keys import create_api_key
from webapp.policy.documents import to_yaml


@pytest.fixture
def ccima(make_workspace):
    return make_workspace(
        slug="ccima-test",
        locale="es",
        time_zone="America/Mexico_City",
        country="MX",
        policy_document=load_profile("ccima_contact_center"),
    )


def _timers_yaml(workspace, minutes: int) -> str:
    timers = workspace.active_policy_version.document["timers"]
    sla = next(t for t in timers if t["name"] == "contact_sla")
    assert sla["duration"] == "10m"
    sla["duration"] = f"{minutes}m"
    return to_yaml(timers)


def _sla_deadline(lead) -> Deadline:
    return db.session.scalar(
        select(Deadline).where(Deadline.lead_id == lead.id, Deadline.kind == "contact_sla")
    )


def test_ccima_6_admin_changes_the_sla_and_new_leads_get_the_new_deadline(
    client, ccima, login_as, make_member, make_lead
):
    admin = login_as(Role.ADMIN, ccima)
    advisor = make_member(ccima, Role.AGENT)
    response = client.post(
        "/w/ccima-test/policy/sections/timers/yaml",
        data={"document": _timers_yaml(ccima, 15), "comment": "SLA 15 minutes", "activate": "y"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert ccima.active_policy_version.number == 2
    assert ccima.active_policy_version.author_id == admin.id
    # Leads keep the version that decided them; a new lead gets the 15-minute SLA.
    opening = now().replace(hour=15, minute=0, second=0, microsecond=0)  # 09:00 in Mexico City
    import time_machine

    with time_machine.travel(opening, tick=False):
        lead = make_lead(ccima, owner=advisor)
    assert lead.policy_version_id == ccima.active_policy_version_id
    assert _sla_deadline(lead).due_at == opening + timedelta(minutes=15)
    actions = db.session.scalars(
        select(AuditEvent.action).where(
            AuditEvent.workspace_id == ccima.id, AuditEvent.action.like("policy.%")
        )
    ).all()
    assert actions.count("policy.saved") == 2 and actions.count("policy.activated") == 2


def test_invalid_section_is_refused_whole_with_errors_by_path(client, ccima, login_as):
    login_as(Role.DIRECTOR, ccima)
    bad = _timers_yaml(ccima, 15).replace("duration: 15m", "duration: soon", 1)
    response = client.post(
        "/w/ccima-test/policy/sections/timers/yaml", data={"document": bad, "comment": "typo"}
    )
    assert response.status_code == 422
    assert "timers.0.duration" in response.get_data(as_text=True)
    assert (
        db.session.scalar(select(PolicyVersion.number).order_by(PolicyVersion.number.desc())) == 1
    )


def test_live_validation_names_the_path_and_says_valid_when_fixed(client, ccima, login_as):
    login_as(Role.ADMIN, ccima)
    url = "/w/ccima-test/policy/validate?section=assignment"
    bad = client.post(
        url, data={"document": "strategy: {strategy: coin_toss}"}, headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    assert "assignment.strategy" in bad and "round_robin" in bad  # names the allowed ones
    good = client.post(
        url, data={"document": "strategy: {strategy: round_robin}"}, headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    assert "Política válida." in good  # the workspace works in Spanish


def test_yaml_syntax_error_is_reported_with_its_line(client, ccima, login_as):
    login_as(Role.ADMIN, ccima)
    response = client.post(
        "/w/ccima-test/policy/edit", data={"document": "calendar: [unclosed", "comment": "x"}
    )
    assert response.status_code == 422
    assert "YAML no válido (línea" in response.get_data(as_text=True)  # the reader's language


def test_history_diff_and_activating_an_older_version(client, ccima, login_as):
    login_as(Role.ADMIN, ccima)
    client.post(
        "/w/ccima-test/policy/sections/timers/yaml",
        data={"document": _timers_yaml(ccima, 15), "comment": "SLA 15 minutes", "activate": "y"},
    )
    first, second = db.session.scalars(select(PolicyVersion).order_by(PolicyVersion.number))
    history = client.get("/w/ccima-test/policy/versions").get_data(as_text=True)
    # Leadline's own comment in the reader's language (issue 16 item 2), a person's as typed.
    assert "SLA 15 minutes" in history and "política inicial" in history
    diff = client.get(f"/w/ccima-test/policy/diff?a={first.id}&b={second.id}")
    body = diff.get_data(as_text=True)
    assert diff.status_code == 200
    text = re.sub(r"<[^>]+>", "", body).replace("&nbsp;", " ")
    assert "duration: 10m" in text and "duration: 15m" in text and "diff_chg" in body
    assert client.post(f"/w/ccima-test/policy/versions/{first.id}/activate").status_code == 302
    db.session.expire_all()
    assert ccima.active_policy_version_id == first.id


def test_agents_cannot_see_or_change_the_policy(client, ccima, login_as):
    login_as(Role.AGENT, ccima)
    assert client.get("/w/ccima-test/policy/").status_code == 403
    assert client.post("/w/ccima-test/policy/edit", data={}).status_code == 403


def test_managers_read_but_do_not_edit(client, ccima, login_as):
    login_as(Role.MANAGER, ccima)
    assert client.get("/w/ccima-test/policy/").status_code == 200
    assert client.get("/w/ccima-test/policy/sections/timers").status_code == 403


def _auth(workspace):
    return {
        "Authorization": f"Bearer {create_api_key(workspace, 't', actor=None, role='director')[1]}"
    }


def test_api_put_validates_stores_and_activates(client, ccima):
    headers = _auth(ccima)
    document = client.get("/api/v1/policy", headers=headers).json["document"]
    document["timers"][0]["duration"] = "15m"
    response = client.put("/api/v1/policy?comment=via+API", json=document, headers=headers)
    assert response.status_code == 201
    assert response.json["number"] == 2 and response.json["active"] is True
    draft = client.put("/api/v1/policy?activate=false", json=document, headers=headers)
    assert draft.json["number"] == 3 and draft.json["active"] is False
    versions = client.get("/api/v1/policy/versions", headers=headers).json["versions"]
    assert [v["number"] for v in versions] == [3, 2, 1]
    assert [v["active"] for v in versions] == [False, True, False]


def test_api_put_of_an_invalid_document_lists_every_error_and_saves_nothing(client, ccima):
    headers = _auth(ccima)
    response = client.put(
        "/api/v1/policy",
        headers=headers,
        json={
            "calendar": {"time_zone": "Mars/Olympus"},
            "assignment": {"strategy": {"strategy": "coin_toss"}},
        },
    )
    assert response.status_code == 422
    paths = {f["path"] for f in response.json["error"]["fields"]}
    assert {"calendar.time_zone", "assignment.strategy"} <= paths
    assert client.get("/api/v1/policy/versions", headers=headers).json["versions"][0]["number"] == 1
    assert client.put("/api/v1/policy", headers=headers, data="nope").status_code == 400


def test_api_schema_is_the_json_schema_of_the_document(client, ccima):
    schema = client.get("/api/v1/policy/schema", headers=_auth(ccima)).json
    assert "timers" in schema["properties"]


def _sla_field(workspace) -> str:
    timers = workspace.active_policy_version.document["timers"]
    index = next(i for i, t in enumerate(timers) if t["name"] == "contact_sla")
    return f"timers.{index}.duration"


def _section_form(client, section: str):
    """The values a browser would submit for the section's typed form, as shown."""
    return form_values(
        client.get(f"/w/ccima-test/policy/sections/{section}").get_data(as_text=True)
    )


def _with(form, values: dict[str, str]):
    """The form with some fields changed, as a person would change them."""
    changed = form.copy()
    for name, value in values.items():
        changed[name] = value
    return changed


def test_ccima_6_sla_is_a_typed_field_of_the_timers_section(client, ccima, login_as):
    login_as(Role.ADMIN, ccima)
    page = client.get("/w/ccima-test/policy/sections/timers").get_data(as_text=True)
    assert "Temporizadores / Contact SLA" in page
    form = _section_form(client, "timers")
    assert (form[_sla_field(ccima)], form[_sla_field(ccima) + ":unit"]) == ("10", "m")
    form = _with(form, {_sla_field(ccima): "15", "comment": "SLA 15 minutes", "activate": "y"})
    assert client.post("/w/ccima-test/policy/sections/timers", data=form).status_code == 302
    db.session.expire_all()
    version = ccima.active_policy_version
    assert version.number == 2
    sla = next(t for t in version.document["timers"] if t["name"] == "contact_sla")
    assert sla["duration"] == "15m"
    # Nothing else changed: the rest of the document is the same as before.
    first = db.session.scalar(select(PolicyVersion).where(PolicyVersion.number == 1))
    first_timers = [
        dict(t, duration="15m") if t["name"] == "contact_sla" else t
        for t in first.document["timers"]
    ]
    assert version.document["timers"] == first_timers
    assert {k: v for k, v in version.document.items() if k != "timers"} == {
        k: v for k, v in first.document.items() if k != "timers"
    }


def test_a_wrong_value_is_shown_beside_its_field_and_nothing_is_saved(client, ccima, login_as):
    login_as(Role.ADMIN, ccima)
    form = _section_form(client, "timers")
    form = _with(form, {_sla_field(ccima): "0", "comment": "oops"})
    response = client.post("/w/ccima-test/policy/sections/timers", data=form)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    field_id = "f-" + _sla_field(ccima).replace(".", "-")
    assert f'id="{field_id}" name="{_sla_field(ccima)}" value="0"' in body  # input kept
    assert f'<ul class="errors" id="{field_id}-errors">' in body
    assert "Escriba un número entero mayor que cero." in body  # in the reader's language
    assert (
        db.session.scalar(select(PolicyVersion.number).order_by(PolicyVersion.number.desc())) == 1
    )


def test_fields_are_checked_as_they_change(client, ccima, login_as):
    login_as(Role.ADMIN, ccima)
    form = _section_form(client, "timers")
    form[_sla_field(ccima)] = "ten"
    fragment = client.post(
        "/w/ccima-test/policy/sections/timers/check", data=form, headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="section-fields"')
    assert 'aria-invalid="true"' in fragment
    form[_sla_field(ccima)] = "12"
    fragment = client.post(
        "/w/ccima-test/policy/sections/timers/check", data=form, headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    assert 'data-testid="policy-valid"' in fragment and "aria-invalid" not in fragment


def test_every_section_of_every_profile_round_trips_through_its_form(
    client, login_as, make_workspace
):
    from tenants.profiles import list_profiles
    from webapp.policy.views import SECTIONS

    for n, profile in enumerate(p for p in list_profiles() if p != "blank"):
        workspace = make_workspace(slug=f"p{n}", policy_document=load_profile(profile))
        login_as(Role.ADMIN, workspace)
        for section in SECTIONS:
            page = client.get(f"/w/p{n}/policy/sections/{section}").get_data(as_text=True)
            data = form_values(page)
            fragment = client.post(
                f"/w/p{n}/policy/sections/{section}/check",
                data=data,
                headers={"HX-Request": "true"},
            ).get_data(as_text=True)
            assert "aria-invalid" not in fragment and "section-errors" not in fragment, (
                profile,
                section,
            )
        client.post("/logout")


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("&nbsp;", " ").split())


def test_ccima_6_head_changes_the_sla_in_words_sees_the_summary_and_the_diff_in_spanish(
    client, ccima, login_as
):
    """Issue 16 item 1: labels, help, selects and the summary in the reader's language; the
    SLA (CCIMA-6) edited as a number and a unit; the diff says '10 minutos → 15 minutos'."""
    login_as(Role.DIRECTOR, ccima)
    page = client.get("/w/ccima-test/policy/sections/timers").get_data(as_text=True)
    shown = _text(page)
    assert "Duración" in shown and "Cuánto corre el temporizador antes de actuar" in shown
    assert "starts_on" not in shown and "exclude_current" not in shown and "top_n" not in shown
    # Fixed lists are selects in words: the clock, the roles told (CCIMA-6), the events.
    assert '<option value="business" selected>horario laboral</option>' in page
    director = 'name="timers.0.actions.1.roles" value="director" checked> el director'
    assert director in page
    assert '<option value="lead.assigned" selected>se asigna un lead</option>' in page
    assert 'role="switch"' in page  # exclude_current is a switch
    summary = _text(client.get("/w/ccima-test/policy/").get_data(as_text=True))
    assert (
        "Un lead que llega entre las 8:00 y las 18:00 (Ciudad de México, todos los días) se "
        "entrega de inmediato a un asesor autorizado, confirmado en el rol de guardias y "
        "dentro del horario laboral, por turnos (round robin)." in summary
    )
    assert "10 minutos de horario laboral" in summary
    assert "a uno de los 3 asesores con la mejor tasa de conversión en 30 días" in summary

    form = _with(_section_form(client, "timers"), {_sla_field(ccima): "15", "comment": "SLA 15"})
    assert client.post("/w/ccima-test/policy/sections/timers", data=form).status_code == 302
    first, second = db.session.scalars(select(PolicyVersion).order_by(PolicyVersion.number))
    diff = _text(client.get(f"/w/ccima-test/policy/diff?a={first.id}&b={second.id}").text)
    assert "Temporizadores / Contact SLA / Duración: 10 minutos → 15 minutos" in diff
    assert diff.count("→") == 1  # one setting changed, one line


def test_durations_read_with_russian_plurals(app):
    from webapp.policy import words

    with app.test_request_context(headers={"Accept-Language": "ru"}):
        assert [words.duration(f"{n}m") for n in (1, 3, 5, 21)] == [
            "1 минута",
            "3 минуты",
            "5 минут",
            "21 минута",
        ]


def test_issue_16_item_1_a_sources_team_is_chosen_from_the_workspaces_teams(
    client, ccima, login_as
):
    """A reference to a team reads as a select of the workspace's teams by name, not a box
    for its code; the stored code stays selected."""
    from webapp.operations.workspaces import create_team

    create_team(ccima, "Centro de contacto", code="contact_center", actor=None)
    create_team(ccima, "Asesores", code="advisors", actor=None)
    db.session.commit()
    login_as(Role.ADMIN, ccima)
    page = client.get("/w/ccima-test/policy/sections/intake").get_data(as_text=True)
    select_html = re.search(r'<select[^>]*name="intake\.sources\.0\.team".*?</select>', page, re.S)
    assert select_html, "the source's team is not a select"
    options = re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select_html[0])
    assert ("contact_center", " selected", "Centro de contacto") in options
    assert ("advisors", "", "Asesores") in options
