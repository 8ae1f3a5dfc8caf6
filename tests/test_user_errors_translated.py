"""Issue 16 item 2, "Every word translated": an operation's refusal (webapp.errors.UserError)
reads in the reader's language beside the field of the web form and in the API's 4xx for the
Accept-Language it asks for; English readers keep the English text."""

from __future__ import annotations

import html

from tests.api_helpers import key_headers
from webapp.models import Role


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_issue_16_item_2_a_spanish_admin_reads_three_refusals_in_spanish(
    make_workspace, client, login_as
):
    workspace = make_workspace(slug="tienda", locale="es")
    login_as(Role.ADMIN, workspace)
    groups = client.post(
        "/w/tienda/settings/channels",
        data={"channel": "whatsapp", "telegram_groups": "Apartados = -100"},
    )
    assert groups.status_code == 422
    assert "Los chats de grupo son un ajuste de Telegram" in _text(groups)
    assert "group chats are a Telegram setting" not in _text(groups)
    address = client.post(
        "/w/tienda/settings/channels", data={"channel": "whatsapp", "base_url": "ftp://x.test"}
    )
    assert address.status_code == 422
    assert "Introduzca una dirección http(s)" in _text(address)
    hook = client.post("/w/tienda/settings/webhooks", data={"name": "Web", "source_code": "No Pe!"})
    assert hook.status_code == 422
    assert "Un código de fuente tiene de 1 a 60 letras minúsculas" in _text(hook)
    assert "lowercase letters" not in _text(hook)


def test_issue_16_item_2_an_english_admin_keeps_the_english_text(make_workspace, client, login_as):
    workspace = make_workspace(slug="shop")
    login_as(Role.ADMIN, workspace)
    response = client.post(
        "/w/shop/settings/webhooks", data={"name": "Web", "source_code": "No Pe!"}
    )
    assert "a source code has 1 to 60 lowercase letters" in _text(response)


def test_issue_16_item_2_the_api_refuses_in_the_callers_language(make_workspace, make_lead, client):
    workspace = make_workspace(slug="boutique")
    lead = make_lead(workspace)
    headers = key_headers(workspace, role="manager", **{"Accept-Language": "fr"})
    response = client.post(
        f"/api/v1/leads/{lead.id}/assign", json={"owner_id": 999999}, headers=headers
    )
    assert response.status_code == 422
    (field,) = response.json["error"]["fields"]
    assert field == {"path": "owner_id", "message": "N'est pas membre de cet espace de travail"}
    english = client.post(
        f"/api/v1/leads/{lead.id}/assign",
        json={"owner_id": 999999},
        headers=key_headers(workspace, role="manager"),
    )
    assert english.json["error"]["fields"][0]["message"] == "not a member of this workspace"
