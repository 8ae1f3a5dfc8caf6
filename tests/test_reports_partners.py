"""Issue 15, bad input: partners see only their organisation's figures. A partner
organisation's API key reads /api/v1/reports cut to the leads given to its organisation
(CPB-10), never another organisation's; the agency's own figures (open work, commissions)
are refused with 403, and so is a plain agent key. (Agents never seeing another agent's
figures: tests/test_reports_pages.py::test_agent_sees_only_their_own_figures.)"""

from __future__ import annotations

from datetime import timedelta

import time_machine

from tests.api_helpers import key_headers
from tests.test_partner_portal import T0, cpb_workspace, qualified
from webapp.api.reports import PARTNER_METRICS
from webapp.operations.api_keys import create_api_key

WEEK = {"from": "2026-11-16", "to": "2026-11-22"}


def _partner_headers(cpb, organisation) -> dict[str, str]:
    _key, secret = create_api_key(
        cpb.workspace, "partner CRM", actor=None, role="agent", partner_organisation=organisation
    )
    return {"Authorization": f"Bearer {secret}"}


def _get(client, path: str, headers, **params):
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        return client.get(f"/api/v1/reports{path}", query_string=params, headers=headers)


def test_a_partner_key_reads_only_its_organisations_figures(client, make_workspace, make_user):
    cpb = cpb_workspace(make_workspace, make_user)
    qualified(cpb)
    qualified(cpb, organisation=cpb.harbour, name="Hana Harbour")
    qualified(cpb, organisation=cpb.harbour, name="Hugo Harbour")

    manager = _get(client, "/leads_received", key_headers(cpb.workspace, "manager"), **WEEK)
    assert manager.get_json()["total"]["value"] == 3

    for organisation, count in ((cpb.north, 1), (cpb.harbour, 2)):
        headers = _partner_headers(cpb, organisation)
        body = _get(client, "/leads_received", headers, group_by="partner", **WEEK).get_json()
        assert body["total"]["value"] == count
        assert [(r["key"], r["value"]) for r in body["rows"]] == [(organisation.id, count)]
        other = cpb.harbour if organisation is cpb.north else cpb.north
        assert other.name not in str(body)

    north = _partner_headers(cpb, cpb.north)
    listed = {m["name"] for m in _get(client, "", north).get_json()}
    assert listed <= PARTNER_METRICS and "open_work" not in listed
    assert _get(client, "/open_work", north).status_code == 403
    assert _get(client, "/leads_received", key_headers(cpb.workspace, "agent")).status_code == 403
