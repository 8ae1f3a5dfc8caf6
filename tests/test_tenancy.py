"""Tenant isolation: a member of one workspace never sees another's rows (ALL-1)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask

from tenants.profiles import load_profile
from tests.conftest import PASSWORD
from webapp.clock import now
from webapp.extensions import db
from webapp.models import (
    Activity,
    DealRegistration,
    Lead,
    LeadFeedback,
    Notification,
    NotificationState,
    Offer,
    Role,
    Task,
    WeeklyReport,
)
from webapp.operations import collateral, events, saved_views, users, workspaces
from webapp.operations.api_keys import create_api_key
from webapp.operations.campaigns import create_campaign
from webapp.operations.interactions import open_interaction
from webapp.operations.invitations import invite
from webapp.operations.lead_imports import upload
from webapp.operations.replays import start_replay
from webapp.operations.webhooks import create_source
from webapp.operations.workspaces import create_partner_organisation, create_team

# How to make, in a given workspace, the object a URL argument names. A new route with a new
# argument fails the isolation test below until its maker is added here.
OBJECT_MAKERS: dict[str, Callable[..., Any]] = {
    "lead_id": lambda f, ws: f["make_lead"](ws).id,
    "version_id": lambda f, ws: ws.active_policy_version_id,
    "replay_id": lambda f, ws: (
        start_replay(ws, ws.active_policy_version, now() - timedelta(days=7), now(), actor=None).id
    ),
    "import_id": lambda f, ws: upload(ws, "leads.csv", b"Name\nAda\n", actor=None).id,
    "key_id": lambda f, ws: create_api_key(ws, "crm", actor=None)[0].id,
    "source_id": lambda f, ws: create_source(ws, "web", "Site", actor=None)[0].id,
    "notification_id": lambda f, ws: _failed_notification(ws),
    "task_id": lambda f, ws: _task(f["make_lead"](ws)),
    "member_id": lambda f, ws: invite(ws, f"crawl{next(_names)}@example.test", actor=None).id,
    "team_id": lambda f, ws: create_team(ws, f"Team {next(_names)}", actor=None).id,
    "organisation_id": lambda f, ws: (
        create_partner_organisation(ws, f"Org {next(_names)}", actor=None).id
    ),
    "interaction_id": lambda f, ws: _interaction(ws).id,
    "offer_id": lambda f, ws: _offer(ws),
    "campaign_id": lambda f, ws: _campaign(ws).id,
    "feedback_id": lambda f, ws: _feedback(f["make_lead"](ws)),
    "registration_id": lambda f, ws: _deal_registration(f["make_lead"](ws)),
    "collateral_id": lambda f, ws: _collateral(ws),
    "view_id": lambda f, ws: _saved_view(ws),
    "index": lambda f, ws: 0,  # a scheduled report's place in the policy (not a row)
}
_names = itertools.count(1)


_campaign_codes = itertools.count(1)


def _saved_view(ws) -> int:
    """A saved view of the leads list, its owner a member of `ws` (issue 16 item 6)."""
    owner = users.create_user(f"viewer{next(_names)}@example.test", "Viewer", PASSWORD)
    users.add_member(ws, owner, Role.MANAGER, actor=None)
    return saved_views.create_view(ws, owner, "Mine", "").id


def _campaign(ws):
    code = f"C{next(_campaign_codes)}"
    return create_campaign(ws, {"code": code, "name": "Offer", "priority": 1}, actor=None)


def _interaction(ws):
    return open_interaction(ws, "9161234567", agent=None, actor=None)


def _offer(ws) -> int:
    # An offer row as the archive lists it (made without the policy's answer set).
    interaction, campaign = _interaction(ws), _campaign(ws)
    row = Offer(workspace_id=ws.id, interaction_id=interaction.id, campaign_id=campaign.id,
                ctn=interaction.ctn, answer="NO")  # fmt: skip
    db.session.add(row)
    db.session.commit()
    return row.id


def _collateral(ws) -> int:
    content = b"%PDF-1.7\n%%EOF\n"
    row = collateral.upload(
        ws,
        title="t",
        language="en",
        tags="",
        category=None,
        filename="t.pdf",
        content=content,
        actor=None,
    )
    return row.id


def _feedback(lead) -> int:
    row = LeadFeedback(workspace_id=lead.workspace_id, lead_id=lead.id, reason="other")
    db.session.add(row)
    db.session.commit()
    return row.id


def _deal_registration(lead) -> int:
    row = DealRegistration(
        workspace_id=lead.workspace_id,
        lead_id=lead.id,
        vendor="v",
        deal_value=1,
        currency="GBP",
        expected_close=date(2027, 1, 1),
        crm_reference="r",
    )
    db.session.add(row)
    db.session.commit()
    return row.id


def _task(lead) -> int:
    row = Task(workspace_id=lead.workspace_id, lead_id=lead.id, kind="callback", title="t")
    row.due_at = now()
    db.session.add(row)
    db.session.commit()
    return row.id


_notification_keys = itertools.count(1)


def _failed_notification(ws) -> int:
    # Several routes take a notification (retry, mark read): one row per route asked.
    key = f"t{ws.id}-{next(_notification_keys)}"
    row = Notification(
        workspace_id=ws.id, channel="in_app", template="t", payload={}, idempotency_key=key
    )
    row.state = NotificationState.DEAD
    db.session.add(row)
    db.session.commit()
    return row.id


# URL arguments that name no object (a section of a document): any valid value will do.
PLAIN_VALUES: dict[str, str] = {
    "section": "timers",
    "list_path": "timers",  # the timers section's own list of timers (issue 16 item 1)
    "metric": "leads_received",
    "fmt": "csv",
}


def _workspace_rules(app: Flask) -> list:
    return [r for r in app.url_map.iter_rules() if r.rule.startswith("/w/<workspace>")]


def _build(rule, values: dict[str, Any]) -> str:
    path = rule.rule
    for name, value in values.items():
        path = re.sub(rf"<(?:[a-z]+:)?{name}>", str(value), path)
    assert "<" not in path, f"no maker for an argument of {rule.rule}: add it to OBJECT_MAKERS"
    return path


def _methods(rule) -> list[str]:
    return sorted(m for m in rule.methods if m not in {"HEAD", "OPTIONS"})


@pytest.fixture
def two_workspaces(make_workspace, make_lead, login_as):
    mine, theirs = make_workspace(slug="mine"), make_workspace(slug="theirs")
    fixtures = {"make_lead": make_lead}
    login_as(Role.ADMIN, mine)
    return mine, theirs, fixtures


def test_every_workspace_route_is_404_for_another_workspace(app, client, two_workspaces):
    mine, theirs, fixtures = two_workspaces
    rules = _workspace_rules(app)
    assert len(rules) >= 4
    for rule in rules:
        args = rule.arguments - {"workspace"} - PLAIN_VALUES.keys()
        objects = {arg: OBJECT_MAKERS[arg](fixtures, theirs) for arg in args}
        plain = {arg: PLAIN_VALUES[arg] for arg in rule.arguments & PLAIN_VALUES.keys()}
        for method in _methods(rule):
            # Their workspace in the URL: not a member, so it does not exist for me.
            url = _build(rule, {"workspace": theirs.slug, **objects, **plain})
            assert client.open(url, method=method).status_code == 404, (method, url)
            if objects:
                # My workspace in the URL, their object's id: still nothing there.
                url = _build(rule, {"workspace": mine.slug, **objects, **plain})
                assert client.open(url, method=method).status_code == 404, (method, url)


def test_own_objects_are_reachable(client, two_workspaces, make_lead):
    mine, _theirs, _ = two_workspaces
    lead = make_lead(mine, contact_name="Mine Only")
    response = client.get(f"/w/mine/leads/{lead.id}")
    assert response.status_code == 200
    assert "Mine Only" in response.get_data(as_text=True)


def test_lead_list_shows_only_the_workspace_leads(client, two_workspaces, make_lead):
    mine, theirs, _ = two_workspaces
    make_lead(mine, contact_name="Alice Mine")
    make_lead(theirs, contact_name="Bob Theirs")
    page = client.get("/w/mine/leads").get_data(as_text=True)
    assert "Alice Mine" in page and "Bob Theirs" not in page


def test_malformed_or_unknown_workspace_slug_is_404(client, login_as):
    login_as(Role.AGENT)
    assert client.get("/w/NOT_A_SLUG!/").status_code == 404
    assert client.get("/w/no-such-workspace/").status_code == 404


def test_role_that_may_not_act_gets_403(client, make_workspace, login_as):
    workspace = make_workspace(slug="shop")
    login_as(Role.AGENT, workspace)
    response = client.get("/w/shop/members")
    assert response.status_code == 403
    assert "does not allow" in response.get_data(as_text=True)


def test_workspace_pages_need_a_signed_in_user(client, make_workspace):
    make_workspace(slug="private")
    response = client.get("/w/private/leads")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_api_key_of_one_workspace_cannot_read_another_workspaces_lead(
    client, make_workspace, make_lead
):
    mine, theirs = make_workspace(), make_workspace()
    _key, secret = create_api_key(mine, "crm", actor=None)
    lead = make_lead(theirs)
    response = client.get(f"/api/v1/leads/{lead.id}", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


def test_console_lists_only_the_workspace_deadlines_and_messages(client, two_workspaces, make_lead):
    mine, theirs, _ = two_workspaces
    from webapp.operations import deadlines

    soon = now() + timedelta(hours=1)
    deadlines.schedule(mine.id, "mine_timer", soon, lead=make_lead(mine))
    deadlines.schedule(theirs.id, "their_timer", soon, lead=make_lead(theirs))
    _failed_notification(mine)
    their_message = db.session.get(Notification, _failed_notification(theirs))
    their_message.last_error = "their secret error"
    db.session.commit()
    page = client.get("/w/mine/operations/").get_data(as_text=True)
    assert "mine_timer" in page
    assert "their_timer" not in page and "their secret error" not in page
    assert client.get("/w/mine/operations/?kind=their_timer").status_code == 200


# The roster's public routes sit outside /w/<workspace>/ (the walk above does not reach them):
# a signed link or Meta's signature stands in for a sign-in, and neither opens another
# workspace's members (CCIMA-3, CCIMA-4).


def _on_this_months_roster(workspace, user):
    from tenants.decisions.roster import roster_month
    from webapp.operations import policies
    from webapp.operations.users import put_on_roster

    month = roster_month(policies.active_policy(workspace), now())
    put_on_roster(user.memberships[0], month, confirmed_at=None, actor=None)
    return user.memberships[0], month


def test_a_roster_link_never_confirms_a_member_of_another_workspace(
    client, make_workspace, make_member
):
    from webapp.roster_links import make_token

    mine, theirs = make_workspace(slug="mine"), make_workspace(slug="theirs")
    member, month = _on_this_months_roster(theirs, make_member(theirs))
    their_token = make_token(theirs.id, member.id, month)
    posing_as_mine = make_token(mine.id, member.id, month)
    for path in (f"/roster/mine/confirm/{their_token}", f"/roster/mine/confirm/{posing_as_mine}"):
        assert client.get(path).status_code == 404, path
        assert client.post(path).status_code == 404, path
    db.session.expire_all()
    assert member.roster_confirmed_at is None


def test_the_roster_page_refuses_another_workspaces_member(client, two_workspaces, make_member):
    from webapp.models import RosterEntry

    _mine, theirs, _ = two_workspaces
    their_agent = make_member(theirs).memberships[0]
    month = now().date().replace(day=1).isoformat()
    response = client.post("/w/mine/roster/", data={"month": month, "member": their_agent.id})
    assert response.status_code == 404
    assert db.session.query(RosterEntry).count() == 0


def test_a_whatsapp_reply_counts_only_in_the_workspace_whose_secret_signed_it(
    client, make_workspace, make_member
):
    from tests.test_roster import _reply
    from webapp.models import ChannelSettings
    from webapp.roster.whatsapp import sign

    mine, theirs = make_workspace(slug="mine"), make_workspace(slug="theirs")
    for workspace in (mine, theirs):
        db.session.add(
            ChannelSettings(
                workspace_id=workspace.id,
                channel="whatsapp",
                base_url="http://127.0.0.1:9",
                app_secret=f"secret-of-{workspace.slug}",
            )
        )
    db.session.commit()
    member, _month = _on_this_months_roster(theirs, make_member(theirs, phone="+1 415 555 0199"))
    body = _reply("14155550199", "confirm")
    headers = {"Content-Type": "application/json"}
    signed_by_them = {**headers, "X-Hub-Signature-256": sign("secret-of-theirs", body)}
    refused = client.post("/inbound/whatsapp/mine", data=body, headers=signed_by_them)
    assert refused.status_code == 401
    signed_by_me = {**headers, "X-Hub-Signature-256": sign("secret-of-mine", body)}
    response = client.post("/inbound/whatsapp/mine", data=body, headers=signed_by_me)
    assert (response.status_code, response.json["outcomes"]) == (200, ["unknown_sender"])
    db.session.expire_all()
    assert member.roster_confirmed_at is None


def test_weekly_reports_of_another_workspace_are_never_shown(client, two_workspaces, make_member):
    mine, theirs, _ = two_workspaces
    cutoffs = {
        mine: datetime(2026, 11, 23, 15, tzinfo=UTC),
        theirs: datetime(2026, 11, 16, 15, tzinfo=UTC),
    }
    for workspace, name in ((mine, "Mine Advisor"), (theirs, "Their Advisor")):
        advisor = make_member(workspace, Role.AGENT, name=name)
        db.session.add(
            WeeklyReport(
                workspace_id=workspace.id,
                cutoff_at=cutoffs[workspace],
                week_start=cutoffs[workspace] - timedelta(days=7),
                user_id=advisor.id,
                figures={"leads_received": 1},
                received_by_source={},
                incomplete=[{"lead_id": 1, "contact_name": f"{name}'s lead", "reasons": []}],
            )
        )
    db.session.commit()
    page = client.get("/w/mine/reports/weekly").get_data(as_text=True)
    assert "Mine Advisor" in page and "Their Advisor" not in page
    theirs_cutoff = client.get(
        "/w/mine/reports/weekly", query_string={"cutoff": cutoffs[theirs].isoformat()}
    )
    assert theirs_cutoff.status_code == 404


# --- partner organisations (CPB-10, issue 10 item 1) ------------------------------------------
# A partner of one organisation is a member of the workspace like any other, so the walk above
# does not cover them: the leads of another organisation must be as absent as another
# workspace's, on every route, in every list, search and fragment.


@dataclass
class Partners:
    workspace: Any
    partner_a: Any
    colleague_a: Any
    partner_b: Any
    lead_a: Any
    colleague_lead: Any
    lead_b: Any
    unassigned: Any


def _partner(make_user, workspace, organisation, name):
    user = make_user(name=name)
    users.add_member(workspace, user, Role.PARTNER, actor=None, partner_organisation=organisation)
    return user


def _partner_workspace(make_workspace, make_user, make_lead, visibility="own_organisation"):
    document = load_profile("blank")
    document.setdefault("intake", {})["partner_visibility"] = visibility
    workspace = make_workspace(slug="cpb", policy_document=document)
    north = workspaces.create_partner_organisation(workspace, "Northwind", actor=None)
    harbour = workspaces.create_partner_organisation(workspace, "Harbour", actor=None)
    partner_a = _partner(make_user, workspace, north, "Daniel Brooks")
    colleague_a = _partner(make_user, workspace, north, "Grace Lee")
    partner_b = _partner(make_user, workspace, harbour, "Aisha Khan")

    def held(owner, organisation, name):
        return make_lead(
            workspace,
            contact_name=name,
            owner=owner,
            partner_organisation_id=organisation.id,
            email=f"{name.split()[0].lower()}@example.test",
        )

    return Partners(
        workspace,
        partner_a,
        colleague_a,
        partner_b,
        lead_a=held(partner_a, north, "Alice Northwind"),
        colleague_lead=held(colleague_a, north, "Colin Northwind"),
        lead_b=held(partner_b, harbour, "Bella Harbour"),
        unassigned=make_lead(workspace, contact_name="Una Pool"),
    )


@pytest.fixture
def partners(make_workspace, make_user, make_lead, login) -> Partners:
    """Two partner organisations of one workspace; signed in as a partner of the first."""
    found = _partner_workspace(make_workspace, make_user, make_lead)
    login(found.partner_a)
    return found


def _open_task(lead: Lead) -> Task:
    from webapp.operations import tasks
    from webapp.operations.unit import transaction

    with transaction():
        task = tasks.new_task(lead, "callback", actor=None)
    return task


def test_every_lead_route_is_404_for_a_partner_of_another_organisation(app, client, partners):
    """CPB-10 (issue 10 item 1): every route that names a lead, every method, page and htmx
    fragment, answers 404 to a partner of organisation A for organisation B's lead and for
    the unassigned pool's; nothing about the lead changes."""
    lead_rules = [r for r in _workspace_rules(app) if "lead_id" in r.arguments]
    assert len(lead_rules) >= 8
    before = {
        lead.id: (lead.status, lead.owner_id) for lead in (partners.lead_b, partners.unassigned)
    }
    data = {"outcome": "contacted", "status": "won", "channel": "call"}
    # Routes that also name one of the lead's tasks get a task of that very lead.
    task_of = {lead.id: _open_task(lead).id for lead in (partners.lead_b, partners.unassigned)}
    for rule in lead_rules:
        for method in _methods(rule):
            # A route closed to partners whatever the lead (reassign) answers its 403 alike.
            nowhere = _build(rule, {"workspace": "cpb", "lead_id": 999999, "task_id": 999999})
            absent = client.open(nowhere, method=method, data=data).status_code
            assert absent in (403, 404), (method, nowhere)
            for lead in (partners.lead_b, partners.unassigned):
                values = {"workspace": "cpb", "lead_id": lead.id, "task_id": task_of[lead.id]}
                url = _build(rule, values)
                for headers in ({}, {"HX-Request": "true"}):
                    response = client.open(url, method=method, headers=headers, data=data)
                    assert response.status_code == absent, (method, url, headers)
                    assert "Harbour" not in response.get_data(as_text=True)
    db.session.expire_all()
    for lead in (partners.lead_b, partners.unassigned):
        assert (db.session.get(Lead, lead.id).status, lead.owner_id) == before[lead.id]
    assert db.session.query(Activity).count() == 0


def test_no_page_a_partner_opens_names_another_organisations_lead(app, client, partners):
    """CPB-10 (issue 10 item 1): the lead list and its search, the queue (mine and team, with
    a search), the dashboard, the bell: organisation B's leads and the pool never appear."""
    pages = [
        _build(rule, {"workspace": "cpb"})
        for rule in _workspace_rules(app)
        if rule.arguments == {"workspace"} and "GET" in rule.methods
    ]
    searches = [
        "/w/cpb/leads?q=harbour",
        "/w/cpb/leads?q=bella",
        "/w/cpb/queue/?scope=team",
        "/w/cpb/queue/?scope=team&q=bella",
        "/w/cpb/queue/?q=una",
    ]
    for url in pages + searches:
        for headers in ({}, {"HX-Request": "true"}):
            page = client.get(url, headers=headers).get_data(as_text=True)
            assert "Bella Harbour" not in page and "Una Pool" not in page, url
    assert "Alice Northwind" in client.get("/w/cpb/leads").get_data(as_text=True)
    team = client.get("/w/cpb/queue/?scope=team").get_data(as_text=True)
    assert "Colin Northwind" in team  # the organisation's leads are their team view
    assert "Claim" not in team


def test_a_partner_works_the_leads_of_their_own_organisation(client, partners):
    """CPB-10 (issue 10 item 1): their own lead and a colleague's open and take an outcome."""
    for lead in (partners.lead_a, partners.colleague_lead):
        assert client.get(f"/w/cpb/leads/{lead.id}").status_code == 200
    response = client.post(f"/w/cpb/leads/{partners.lead_a.id}/status", data={"status": "open"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Lead, partners.lead_a.id).status == "open"


def test_a_partner_never_claims_a_lead(client, partners, make_lead):
    """CPB-10 (issue 10 item 1): the pool is a 404; even a lead of their organisation that
    nobody holds is refused (403), and stays unclaimed."""
    waiting = make_lead(
        partners.workspace,
        contact_name="Owen Waiting",
        partner_organisation_id=partners.lead_a.partner_organisation_id,
    )
    assert client.post(f"/w/cpb/queue/leads/{partners.unassigned.id}/claim").status_code == 404
    assert client.post(f"/w/cpb/queue/leads/{waiting.id}/claim").status_code == 403
    db.session.expire_all()
    assert db.session.get(Lead, waiting.id).owner_id is None


def test_own_visibility_shows_a_partner_only_the_leads_they_hold(
    client, make_workspace, make_user, make_lead, login
):
    """CPB-10 (issue 10 item 1): `intake.partner_visibility: own` narrows a partner to the
    leads they hold: a colleague's lead of the same organisation is a 404."""
    found = _partner_workspace(make_workspace, make_user, make_lead, visibility="own")
    login(found.partner_a)
    assert found.workspace.active_policy_version.document["intake"]["partner_visibility"] == "own"
    assert client.get(f"/w/cpb/leads/{found.lead_a.id}").status_code == 200
    assert client.get(f"/w/cpb/leads/{found.colleague_lead.id}").status_code == 404
    page = client.get("/w/cpb/leads").get_data(as_text=True)
    assert "Alice Northwind" in page and "Colin Northwind" not in page


def test_staff_still_see_every_organisations_leads(client, partners, make_member, login):
    """CPB-10 (issue 10 item 1): the narrowing is a partner's only; a manager sees them all."""
    client.post("/logout")
    login(make_member(partners.workspace, Role.MANAGER))
    page = client.get("/w/cpb/leads").get_data(as_text=True)
    assert "Bella Harbour" in page and "Alice Northwind" in page and "Una Pool" in page
    assert client.get(f"/w/cpb/leads/{partners.lead_b.id}").status_code == 200


def test_a_partners_session_opens_no_lead_over_the_api(client, partners):
    """CPB-10 (issue 10 item 1): the API answers keys only; a partner's browser session
    reads no lead there (its keys belong to the workspace's administrators)."""
    for url in ("/api/v1/leads", f"/api/v1/leads/{partners.lead_b.id}"):
        response = client.get(url)
        assert response.status_code == 401
        assert "Bella Harbour" not in response.get_data(as_text=True)


def test_a_partner_event_tells_only_the_members_organisation(partners):
    """CPB-10 (issue 10 item 1): an event about a partner that the policy sends to "partner"
    reaches that partner's organisation, never the other one's."""
    membership = partners.partner_a.memberships[0]
    told = {u.id for u in events.member_recipients(membership, ["partner"])}
    assert told == {partners.partner_a.id, partners.colleague_a.id}


def test_the_bell_tells_only_the_organisation_a_lead_was_allocated_to(
    app, make_workspace, make_user, make_member, make_lead, redis_conn
):
    """CPB-10 (issue 10 item 1): a lead given to a partner of organisation B rings B's bell
    (the CPB policy tells the partner on lead.allocated), never A's; Operations is closed to
    partners."""
    from rq import Queue

    from tests.support import BurstWorker
    from webapp.operations import assignment

    workspace = make_workspace(slug="cpb", policy_document=load_profile("cpb_partner_leads"))
    north = workspaces.create_partner_organisation(workspace, "Northwind", actor=None)
    harbour = workspaces.create_partner_organisation(workspace, "Harbour", actor=None)
    partner_a = _partner(make_user, workspace, north, "Daniel Brooks")
    partner_b = _partner(make_user, workspace, harbour, "Aisha Khan")
    manager = make_member(workspace, Role.MANAGER)
    lead = make_lead(workspace, contact_name="Bella Harbour")
    assignment.reassign(lead, partner_b, actor=manager)
    queues = [Queue(name, connection=redis_conn) for name in ("timers", "notify", "default")]
    BurstWorker(queues, connection=redis_conn).work(burst=True)
    told = {
        row.recipient_user_id
        for row in db.session.query(Notification).filter_by(channel="in_app", state="sent")
    }
    assert partner_b.id in told and partner_a.id not in told
    for partner, sees in ((partner_b, True), (partner_a, False)):
        reader = app.test_client()
        reader.post("/login", data={"email": partner.email, "password": PASSWORD})
        for url in ("/w/cpb/notifications/panel", "/w/cpb/notifications/", "/w/cpb/"):
            page = reader.get(url).get_data(as_text=True)
            assert ("Bella Harbour" in page) == (sees and "notifications" in url), url
        assert reader.get("/w/cpb/operations/").status_code == 403
