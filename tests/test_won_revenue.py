"""A won deal's revenue: typed as the reader writes numbers, in the workspace's currency, and
required where the policy says so (L411-12, issue 9 item 12)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tenants.profiles import load_profile
from tests.api_helpers import key_headers
from webapp.amounts import parse_amount
from webapp.extensions import db
from webapp.models import Lead, Role


@pytest.fixture
def cpb(make_workspace):
    return make_workspace(
        slug="cpb", country="GB", policy_document=load_profile("cpb_partner_leads")
    )


def _won(client, lead, revenue, **headers):
    return client.post(
        f"/w/cpb/leads/{lead.id}/status",
        data={"status": "won", "revenue": revenue},
        headers={"HX-Request": "true", **headers},
    )


@pytest.mark.parametrize(
    ("locale", "typed"),
    [("en", "12,500.00"), ("fr", "12 500,00"), ("ru", "12 500,00"), ("es", "12.500,00")],
)
def test_l411_12_won_revenue_is_read_in_the_readers_locale_in_the_workspace_currency(
    client, cpb, login_as, make_lead, locale, typed
):
    """L411-12, issue 9 item 12: "12,500.00" (en), "12 500,00" (fr, ru), "12.500,00" (es) are
    all 12500.00, stored with the workspace's currency (GBP for a British workspace)."""
    me = login_as(Role.MANAGER, cpb, preferred_locale=locale)
    lead = make_lead(cpb, owner=me)

    response = _won(client, lead, typed)

    assert response.status_code == 200, response.get_data(as_text=True)
    db.session.expire_all()
    stored = db.session.get(Lead, lead.id)
    assert stored.status == "won"
    assert stored.attributes["revenue"] == "12500.00" and stored.attributes["currency"] == "GBP"
    assert cpb.currency == "GBP"


def test_l411_12_won_without_revenue_is_refused_where_the_policy_asks_for_it(
    client, cpb, login_as, make_lead
):
    """L411-12, issue 9 item 12: CPB's policy requires the revenue of a won deal: the page
    names the field (in the reader's language) and the API answers 422; the lead stays open."""
    me = login_as(Role.MANAGER, cpb, preferred_locale="fr")
    lead = make_lead(cpb, owner=me)

    page = _won(client, lead, "")
    api = client.post(
        f"/api/v1/leads/{lead.id}/status", json={"status": "won"}, headers=key_headers(cpb)
    )

    assert page.status_code == 422
    assert "Indiquez le chiffre d" in page.get_data(as_text=True)  # the French message
    assert api.status_code == 422
    assert [f["path"] for f in api.json["error"]["fields"]] == ["revenue"]
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).status != "won"


def test_a_policy_that_does_not_ask_for_revenue_closes_won_without_it(make_workspace, make_lead):
    """L411-12, issue 9 item 12: `revenue_required` is the policy's choice (off by default)."""
    from webapp.operations import outcomes

    workspace = make_workspace()
    lead = make_lead(workspace)
    outcomes.change_status(lead, "won", actor=None)
    assert lead.status == "won" and "revenue" not in lead.attributes


@pytest.mark.parametrize(
    ("typed", "locale"), [("12,500.00", "fr"), ("12 500,00", "en"), ("lots", "es"), ("1,2,3", "en")]
)
def test_an_amount_written_for_another_locale_is_refused(typed, locale):
    """Issue 9 item 12: strict parsing never guesses a misplaced separator."""
    with pytest.raises(ValueError):
        parse_amount(typed, locale)


def test_amounts_parse_with_plain_or_narrow_spaces():
    """Issue 9 item 12: a typed space stands for the French or Russian group separator."""
    assert (
        parse_amount("12\u202f500,5", "fr") == parse_amount("12 500,5", "ru") == Decimal("12500.5")
    )
