"""Issue 16 item 1, "The policy, readable": on a section's page a department head adds and
removes entries of the policy's lists (an outcome, a lead source, a status) without YAML;
each save is a new version, a removal the policy still refers to is refused in the reader's
language, and a bad new entry shows its error beside its field."""

from __future__ import annotations

import html
import re

from sqlalchemy import select

from tenants.profiles import load_profile
from tests.policy_forms import form_values
from webapp.extensions import db
from webapp.models import AuditEvent, PolicyVersion, Role


def _ccima(make_workspace, locale: str = "es"):
    return make_workspace(
        slug=f"entries-{locale}",
        locale=locale,
        time_zone="America/Mexico_City",
        country="MX",
        policy_document=load_profile("ccima_contact_center"),
    )


def _latest() -> PolicyVersion:
    return db.session.scalars(select(PolicyVersion).order_by(PolicyVersion.number.desc())).first()


def test_issue_16_item_1_section_shows_entries_as_cards_with_add_and_remove(
    client, make_workspace, login_as
):
    workspace = _ccima(make_workspace)
    login_as(Role.DIRECTOR, workspace)
    page = client.get(f"/w/{workspace.slug}/policy/sections/outcomes").get_data(as_text=True)
    assert page.count('class="entry-card"') == len(
        workspace.active_policy_version.document["outcomes"]["codes"]
    ) + len(workspace.active_policy_version.document["outcomes"].get("contact_channels") or [])
    assert "Añadir un resultado" in html.unescape(page)
    assert "Quitar" in page


def test_issue_16_item_1_manager_adds_an_outcome_in_spanish(client, make_workspace, login_as):
    workspace = _ccima(make_workspace)
    login_as(Role.DIRECTOR, workspace)
    url = f"/w/{workspace.slug}/policy/sections/outcomes/entries/outcomes.codes/new"
    page = client.get(url).get_data(as_text=True)
    form = form_values(page)
    n = len(workspace.active_policy_version.document["outcomes"]["codes"])
    assert f"outcomes.codes.{n}.code" in form and f"outcomes.codes.{n}.labels.es" in form
    form[f"outcomes.codes.{n}.labels.es"] = "Volver a llamar más tarde"
    form[f"outcomes.codes.{n}.group"] = "no"
    form["comment"] = "Nuevo resultado"
    response = client.post(url, data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    version = _latest()
    assert version.number == 2 and version.comment == "Nuevo resultado"
    added = version.document["outcomes"]["codes"][-1]
    assert added["code"] == "volver_a_llamar_mas_tarde"
    assert added["labels"] == {"es": "Volver a llamar más tarde"}
    assert added["group"] == "no"
    db.session.refresh(workspace)
    assert workspace.active_policy_version_id == version.id
    assert db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "policy.saved").order_by(AuditEvent.id.desc())
    )


def test_issue_16_item_1_removes_a_lead_source(client, make_workspace, login_as):
    workspace = _ccima(make_workspace)
    login_as(Role.DIRECTOR, workspace)
    sources = workspace.active_policy_version.document["intake"]["sources"]
    index = next(i for i, s in enumerate(sources) if s["code"] == "digital_marketing")
    url = f"/w/{workspace.slug}/policy/sections/intake/entries/intake.sources/{index}/remove"
    confirm = client.get(url)
    assert confirm.status_code == 200
    form = form_values(confirm.get_data(as_text=True))
    assert form["comment"]
    response = client.post(url, data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    codes = [s["code"] for s in _latest().document["intake"]["sources"]]
    assert "digital_marketing" not in codes and len(codes) == len(sources) - 1


def test_issue_16_item_1_removing_a_status_an_outcome_uses_is_refused(
    client, make_workspace, login_as
):
    workspace = _ccima(make_workspace)
    login_as(Role.DIRECTOR, workspace)
    statuses = workspace.active_policy_version.document["intake"]["statuses"]
    index = next(i for i, s in enumerate(statuses) if s["code"] == "follow_up")
    url = f"/w/{workspace.slug}/policy/sections/intake/entries/intake.statuses/{index}/remove"
    response = client.post(url, data={"comment": "fuera"})
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    card = re.search(
        rf'<article class="entry-card" data-entry="intake.statuses.{index}"[^>]*>(.*?)</article>',
        page,
        re.S,
    )
    assert card is not None
    refusal = re.search(r'data-testid="entry-refusal">(.*?)</div>', card.group(1), re.S)
    assert refusal is not None
    assert "no se puede quitar" in refusal.group(1)
    assert "follow_up" in refusal.group(1)
    assert "unknown" not in refusal.group(1) and "not a" not in refusal.group(1)
    assert _latest().number == 1


def test_issue_16_item_1_bad_new_entry_shows_its_error_beside_the_field(
    client, make_workspace, login_as
):
    workspace = _ccima(make_workspace)
    login_as(Role.DIRECTOR, workspace)
    url = f"/w/{workspace.slug}/policy/sections/intake/entries/intake.statuses/new"
    form = form_values(client.get(url).get_data(as_text=True))
    n = len(workspace.active_policy_version.document["intake"]["statuses"])
    form[f"intake.statuses.{n}.code"] = "9 mal"
    form[f"intake.statuses.{n}.labels.es"] = "Mal"
    form[f"intake.statuses.{n}.labels.en"] = "Bad"
    form["comment"] = "prueba"
    response = client.post(url, data=form)
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    beside = re.search(
        rf'<ul class="errors" id="f-intake-statuses-{n}-code-errors">(.*?)</ul>', page, re.S
    )
    assert beside is not None and "forma esperada" in beside.group(1)
    again = form_values(page)
    assert again[f"intake.statuses.{n}.labels.es"] == "Mal"
    assert again[f"intake.statuses.{n}.labels.en"] == "Bad"
    assert _latest().number == 1
    # The section's other entries are all still there.
    section = client.get(f"/w/{workspace.slug}/policy/sections/intake").get_data(as_text=True)
    assert section.count('data-entry="intake.statuses.') == n


def test_issue_16_item_1_every_list_of_every_section_opens_its_add_and_remove_pages(
    client, make_workspace, login_as
):
    from webapp.policy import entries
    from webapp.policy.views import SECTIONS

    workspace = _ccima(make_workspace)
    login_as(Role.DIRECTOR, workspace)
    document = workspace.active_policy_version.document
    base = f"/w/{workspace.slug}/policy/sections"
    for section in SECTIONS:
        if section not in document:
            continue
        assert client.get(f"{base}/{section}").status_code == 200, section
        for found in entries.lists(document, section):
            if found.model is not None:
                response = client.get(f"{base}/{section}/entries/{found.path}/new")
                assert response.status_code == 200, found.path
            if found.size:
                response = client.get(f"{base}/{section}/entries/{found.path}/0/remove")
                assert response.status_code in (200, 409), found.path


def test_issue_16_item_1_a_new_timer_needs_actions_which_yaml_adds_and_keeps_what_was_typed(
    client, make_workspace, login_as
):
    """A timer's actions are of several kinds, added as YAML: the form says they are missing
    (in Spanish), saves nothing, and keeps the duration as typed (number and unit)."""
    workspace = _ccima(make_workspace)
    login_as(Role.DIRECTOR, workspace)
    url = f"/w/{workspace.slug}/policy/sections/timers/entries/timers/new"
    form = form_values(client.get(url).get_data(as_text=True))
    n = len(workspace.active_policy_version.document["timers"])
    assert f"timers.{n}.duration:unit" in form
    form[f"timers.{n}.name"] = "second_touch"
    form[f"timers.{n}.starts_on"] = "lead.assigned"
    form[f"timers.{n}.duration"] = "2"
    form[f"timers.{n}.duration:unit"] = "h"
    form["comment"] = "otro temporizador"
    response = client.post(url, data=form)
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    assert "Indica al menos 1 elementos" in page
    again = form_values(page)
    assert again[f"timers.{n}.duration"] == "2" and again[f"timers.{n}.duration:unit"] == "h"
    assert _latest().number == 1
