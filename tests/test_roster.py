"""The monthly roster: sent on the 1st at 08:00, confirmed by link or WhatsApp reply, and only
confirmed advisors get leads (CCIMA-3, CCIMA-4). Real workers, a real HTTP capture server."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import pytest
import time_machine
from rq import Queue
from sqlalchemy import func, select

from tenants.profiles import load_profile
from tests import support
from tests.conftest import PASSWORD
from tests.support import BurstWorker
from webapp import roster_links as links
from webapp.extensions import db
from webapp.models import (
    AuditEvent,
    ChannelSettings,
    Deadline,
    DeadlineState,
    Lead,
    Membership,
    Notification,
    Role,
)
from webapp.operations import recurring, roster, workspaces
from webapp.operations.intake import IntakeRequest, receive_lead
from webapp.roster.whatsapp import sign
from workers import runtime

MX = ZoneInfo("America/Mexico_City")
PLANNING = datetime(2026, 11, 20, 10, 0, tzinfo=MX)
SEND = datetime(2026, 12, 1, 8, 0, tzinfo=MX)
DECEMBER = date(2026, 12, 1)
APP_SECRET, VERIFY_TOKEN = "meta-app-secret", "verify-me"
ADVISORS = (("Ana Ruiz", "+52 55 1234 0001"), ("Beto Díaz", "+52 55 1234 0002"))


# --- the contact centre, its WhatsApp and the workers ---------------------------------


@pytest.fixture
def centre(make_workspace, make_member, httpserver):
    """A CCIMA workspace with a manager and two advisors, WhatsApp pointed at a local server
    that captures every message."""
    workspace = make_workspace(
        slug="cc",
        time_zone="America/Mexico_City",
        country="MX",
        policy_document=load_profile("ccima_contact_center"),
    )
    team = workspaces.create_team(workspace, "Asesores", actor=None, code="contact_center")
    manager = make_member(workspace, Role.MANAGER, name="Gerente")
    advisors = [
        make_member(workspace, Role.AGENT, name=name, phone=phone, preferred_locale="es")
        for name, phone in ADVISORS
    ]
    for user in (manager, *advisors):
        user.memberships[0].team_id = team.id
    db.session.add(
        ChannelSettings(
            workspace_id=workspace.id,
            channel="whatsapp",
            base_url=httpserver.url_for(""),
            phone_number_id="1055",
            token="wa-token",
            app_secret=APP_SECRET,
            verify_token=VERIFY_TOKEN,
            enabled=True,
        )
    )
    db.session.commit()
    httpserver.expect_request("/1055/messages", method="POST").respond_with_json(
        {"messages": [{"id": "wamid.1"}]}
    )
    return workspace, manager, advisors


def _fire_due(redis_conn) -> None:
    runtime.perform("deadline.sweep")
    BurstWorker([Queue("timers", connection=redis_conn)], connection=redis_conn).work(burst=True)


def _deliver(redis_conn) -> None:
    BurstWorker([Queue("notify", connection=redis_conn)], connection=redis_conn).work(burst=True)


def _whatsapps(httpserver, marker: str) -> list[dict]:
    """The messages the capture server received whose text holds `marker` (other clocks of
    the profile, such as the weekly cut-off, write to the same advisors)."""
    bodies = [json.loads(request.data) for request, _response in httpserver.log]
    return [body for body in bodies if marker in body["text"]["body"]]


def _rosters(httpserver) -> list[dict]:
    return _whatsapps(httpserver, "/roster/cc/confirm/")


def _access_details(httpserver) -> list[dict]:
    return _whatsapps(httpserver, "@example.test")


def _membership(user) -> Membership:
    db.session.expire_all()
    return db.session.scalar(select(Membership).where(Membership.user_id == user.id))


def _plan_december(client, login, manager, members) -> None:
    with time_machine.travel(PLANNING, tick=False):
        login(manager)
        response = client.post(
            "/w/cc/roster/",
            data={"month": DECEMBER.isoformat(), "member": [m.memberships[0].id for m in members]},
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        recurring.ensure_all()


def _sent_roster(client, login, centre, redis_conn):
    """December's roster planned on 20 November and sent on 1 December at 08:00."""
    workspace, manager, advisors = centre
    _plan_december(client, login, manager, advisors)
    with time_machine.travel(SEND, tick=False):
        _fire_due(redis_conn)
        _deliver(redis_conn)
    return workspace, manager, advisors


def _link_path(message: dict) -> str:
    link = re.search(r"https?://\S+/roster/cc/confirm/\S+", message["text"]["body"]).group(0)
    return urlparse(link).path


def _links_by_phone(httpserver) -> dict[str, str]:
    return {m["to"]: _link_path(m) for m in _rosters(httpserver)}


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


# --- CCIMA-3: sending ------------------------------------------------------------------


def test_ccima_3_roster_goes_out_on_the_1st_at_0800_mexico_city_not_0759(
    client, login, centre, redis_conn, httpserver
):
    _workspace, manager, advisors = centre
    _plan_december(client, login, manager, advisors)
    with time_machine.travel(SEND - timedelta(minutes=1), tick=False):
        _fire_due(redis_conn)
        _deliver(redis_conn)
    assert _rosters(httpserver) == []
    assert _membership(advisors[0]).roster_month is None
    with time_machine.travel(SEND, tick=False):
        _fire_due(redis_conn)
        _deliver(redis_conn)
    messages = _rosters(httpserver)
    assert sorted(m["to"] for m in messages) == ["525512340001", "525512340002"]
    for message in messages:
        body = message["text"]["body"]
        assert "Ana Ruiz" in body and "Beto Díaz" in body  # the month's roster, one to one
        assert "/roster/cc/confirm/" in body
    member = _membership(advisors[0])
    assert (member.roster_month, member.roster_confirmed_at) == (DECEMBER, None)
    # The next occurrence waits for 1 January at 08:00 Mexico City.
    pending = db.session.scalar(
        select(Deadline).where(
            Deadline.kind == roster.CLOCK, Deadline.state == DeadlineState.PENDING
        )
    )
    assert pending.due_at == datetime(2027, 1, 1, 8, 0, tzinfo=MX).astimezone(UTC)


def test_ccima_3_a_re_fired_clock_sends_nobody_twice(client, login, centre, redis_conn, httpserver):
    workspace, _manager, _advisors = _sent_roster(client, login, centre, redis_conn)
    fired = db.session.scalar(
        select(Deadline).where(Deadline.kind == roster.CLOCK, Deadline.state == DeadlineState.FIRED)
    )
    with time_machine.travel(SEND + timedelta(minutes=5), tick=False):
        recurring.CLOCKS[roster.CLOCK].handler(workspace, fired)  # as if fired again
        db.session.commit()
        runtime.perform("deadline.fire", fired.id)  # the row itself fires once only
        _fire_due(redis_conn)
        _deliver(redis_conn)
    assert len(_rosters(httpserver)) == 2
    assert _count(Notification, Notification.template == "monthly_roster") == 2


def test_ccima_3_only_the_planned_advisors_receive_it(
    client, login, centre, redis_conn, httpserver
):
    _workspace, manager, advisors = centre
    _plan_december(client, login, manager, advisors[:1])
    with time_machine.travel(SEND, tick=False):
        _fire_due(redis_conn)
        _deliver(redis_conn)
    assert [m["to"] for m in _rosters(httpserver)] == ["525512340001"]
    assert "Beto Díaz" not in _rosters(httpserver)[0]["text"]["body"]
    assert _membership(advisors[1]).roster_month is None


def test_an_advisor_added_after_the_send_receives_it_at_once_and_one_removed_is_off(
    client, login, centre, redis_conn, httpserver
):
    _workspace, manager, advisors = centre
    _plan_december(client, login, manager, advisors[:1])
    with time_machine.travel(SEND + timedelta(days=2), tick=False):
        _fire_due(redis_conn)
        login(manager)
        response = client.post(
            "/w/cc/roster/",
            data={"month": DECEMBER.isoformat(), "member": [advisors[1].memberships[0].id]},
        )
        assert response.status_code == 302
        _deliver(redis_conn)
    assert sorted(m["to"] for m in _rosters(httpserver)) == ["525512340001", "525512340002"]
    assert _membership(advisors[0]).roster_month is None
    assert _membership(advisors[1]).roster_month == DECEMBER
    planned = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "roster.planned")
    ).all()
    assert [e.after["on_roster"] for e in planned] == [True, True, False]


# --- CCIMA-4: confirming by link -------------------------------------------------------


def test_ccima_4_the_link_shows_the_roster_and_confirms_once_with_access_details(
    client, login, centre, redis_conn, httpserver
):
    _workspace, _manager, advisors = _sent_roster(client, login, centre, redis_conn)
    client.post("/logout")
    path = _links_by_phone(httpserver)["525512340001"]
    with time_machine.travel(SEND + timedelta(hours=1), tick=False):
        page = client.get(path)
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert "Ana Ruiz" in html and "Beto Díaz" in html and 'method="post"' in html
        assert client.post(path).status_code == 303
        assert client.post(path).status_code == 303  # pressed twice: nothing more happens
        confirmed_page = client.get(path).get_data(as_text=True)
        _deliver(redis_conn)
    assert 'data-testid="roster-confirmed"' in confirmed_page
    member = _membership(advisors[0])
    assert member.roster_confirmed_at == (SEND + timedelta(hours=1)).astimezone(UTC)
    assert _membership(advisors[1]).roster_confirmed_at is None
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "roster.confirmed")
    ).all()
    assert [(e.actor_id, e.after["via"]) for e in events] == [(advisors[0].id, "link")]
    access = _access_details(httpserver)
    assert [m["to"] for m in access] == ["525512340001"]
    text = access[0]["text"]["body"]
    assert advisors[0].email in text and "/w/cc/" in text and PASSWORD not in text


def test_the_confirmation_page_needs_its_csrf_token(
    app, client, login, centre, redis_conn, httpserver, tmp_path
):
    _workspace, _manager, advisors = _sent_roster(client, login, centre, redis_conn)
    path = _links_by_phone(httpserver)["525512340002"]
    protected = support.build_app(
        app.config["SQLALCHEMY_DATABASE_URI"],
        app.config["REDIS_URL"],
        tmp_path,
        WTF_CSRF_ENABLED=True,
    )
    protected.test_client_class = app.test_client_class
    browser = protected.test_client()
    try:
        with time_machine.travel(SEND + timedelta(hours=1), tick=False):
            html = browser.get(path).get_data(as_text=True)
            assert browser.post(path).status_code == 400
            assert _membership(advisors[1]).roster_confirmed_at is None
            token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
            assert browser.post(path, data={"csrf_token": token}).status_code == 303
    finally:
        with protected.app_context():
            db.engine.dispose()
    assert _membership(advisors[1]).roster_confirmed_at is not None


def _refused(client, path: str, status: int, text: str) -> None:
    for method in (client.get, client.post):
        response = method(path)
        assert response.status_code == status, (method, path)
        assert text in response.get_data(as_text=True)


def test_a_forged_expired_or_other_workspaces_link_is_refused_and_changes_nothing(
    client, login, centre, redis_conn, httpserver, make_workspace
):
    _workspace, _manager, advisors = _sent_roster(client, login, centre, redis_conn)
    client.post("/logout")
    path = _links_by_phone(httpserver)["525512340001"]
    make_workspace(slug="other")
    with time_machine.travel(SEND + timedelta(hours=1), tick=False):
        _refused(client, path[:-3] + "xyz", 404, "This link is not valid")
        _refused(client, path.replace("/roster/cc/", "/roster/other/"), 404, "not valid")
        _refused(client, "/roster/nowhere/confirm/abc", 404, "not valid")
    with time_machine.travel(SEND + links.LINK_LIFETIME, tick=False):
        _refused(client, path, 400, "This link has expired")
    assert _membership(advisors[0]).roster_confirmed_at is None
    assert _count(AuditEvent, AuditEvent.action == "roster.confirmed") == 0


def test_a_link_for_another_month_is_refused(client, login, centre, redis_conn):
    workspace, _manager, advisors = _sent_roster(client, login, centre, redis_conn)
    member = _membership(advisors[0])
    with time_machine.travel(SEND + timedelta(hours=1), tick=False):
        november = links.make_token(workspace.id, member.id, date(2026, 11, 1))
        # The page speaks the department's language (Spanish) to a visitor not signed in.
        _refused(client, f"/roster/cc/confirm/{november}", 400, "Ya no te corresponde")
    # December's own link, sent late in December and opened once December is over.
    with time_machine.travel(datetime(2026, 12, 28, 9, 0, tzinfo=MX), tick=False):
        december = links.make_token(workspace.id, member.id, DECEMBER)
    with time_machine.travel(datetime(2027, 1, 1, 7, 0, tzinfo=MX), tick=False):
        _refused(client, f"/roster/cc/confirm/{december}", 400, "Ya no te corresponde")
    assert _membership(advisors[0]).roster_confirmed_at is None


# --- CCIMA-4: confirming by WhatsApp ---------------------------------------------------


def _reply(wa_id: str, text: str) -> bytes:
    """A Cloud API delivery of one text message, as Meta posts it."""
    message = {"from": wa_id, "id": "wamid.in1", "timestamp": "1796140800", "type": "text"}
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550001055", "phone_number_id": "1055"},
        "contacts": [{"profile": {"name": "Ana"}, "wa_id": wa_id}],
        "messages": [{**message, "text": {"body": text}}],
    }
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "WABA", "changes": [{"field": "messages", "value": value}]}],
    }
    return json.dumps(body).encode()


def _post_reply(client, body: bytes, secret: str = APP_SECRET):
    return client.post(
        "/inbound/whatsapp/cc",
        data=body,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign(secret, body)},
    )


def test_meta_verifies_the_webhook_with_the_workspaces_verify_token(client, centre):
    query = {"hub.mode": "subscribe", "hub.challenge": "1158201444"}
    ok = client.get("/inbound/whatsapp/cc", query_string={**query, "hub.verify_token": "verify-me"})
    assert (ok.status_code, ok.get_data(as_text=True)) == (200, "1158201444")
    wrong = client.get("/inbound/whatsapp/cc", query_string={**query, "hub.verify_token": "nope"})
    assert wrong.status_code == 403
    assert client.get("/inbound/whatsapp/none", query_string=query).status_code == 404


def test_ccima_3_a_signed_whatsapp_reply_confirms_the_senders_roster(
    client, login, centre, redis_conn, httpserver
):
    _workspace, _manager, advisors = _sent_roster(client, login, centre, redis_conn)
    with time_machine.travel(SEND + timedelta(hours=2), tick=False):
        # Mexican mobiles arrive with WhatsApp's legacy "1" after the country code.
        response = _post_reply(client, _reply("5215512340002", "¡Sí, CONFIRMO!"))
        _deliver(redis_conn)
    assert response.status_code == 200 and response.json["outcomes"] == ["confirmed"]
    assert _membership(advisors[1]).roster_confirmed_at is not None
    assert _membership(advisors[0]).roster_confirmed_at is None
    (event,) = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "roster.confirmed"))
    assert event.after == {"month": "2026-12-01", "via": "whatsapp"}
    assert [m["to"] for m in _access_details(httpserver)] == ["525512340002"]


def test_a_bad_signature_is_401_and_changes_nothing(client, login, centre, redis_conn):
    _workspace, _manager, advisors = _sent_roster(client, login, centre, redis_conn)
    body = _reply("5215512340001", "confirmo")
    with time_machine.travel(SEND + timedelta(hours=2), tick=False):
        assert _post_reply(client, body, secret="not-the-secret").status_code == 401
        unsigned = client.post("/inbound/whatsapp/cc", data=body)
        assert unsigned.status_code == 401
    assert _membership(advisors[0]).roster_confirmed_at is None
    assert _count(AuditEvent, AuditEvent.action == "roster.confirmed") == 0


def test_an_unknown_sender_or_a_non_confirming_reply_is_200_and_ignored(
    client, login, centre, redis_conn, caplog
):
    _workspace, _manager, advisors = _sent_roster(client, login, centre, redis_conn)
    with (
        time_machine.travel(SEND + timedelta(hours=2), tick=False),
        caplog.at_level(logging.INFO),
    ):
        stranger = _post_reply(client, _reply("5215599990000", "confirmo"))
        chatter = _post_reply(client, _reply("5215512340001", "No puedo este mes"))
    assert (stranger.status_code, stranger.json["outcomes"]) == (200, ["unknown_sender"])
    assert (chatter.status_code, chatter.json["outcomes"]) == (200, ["not_a_confirmation"])
    assert "unknown_sender" in caplog.text and "5215599990000" not in caplog.text
    assert _membership(advisors[0]).roster_confirmed_at is None


# --- CCIMA-4: only confirmed advisors get leads ----------------------------------------


def _lead(workspace, phone: str) -> Lead:
    return receive_lead(
        workspace,
        IntakeRequest("Prospecto", phone=phone, source="digital_marketing"),
        actor=None,
    ).lead


def test_ccima_4_an_unconfirmed_advisor_gets_no_lead_and_a_confirmed_one_does(
    client, login, centre, redis_conn, httpserver
):
    workspace, _manager, advisors = _sent_roster(client, login, centre, redis_conn)
    with time_machine.travel(SEND + timedelta(hours=2), tick=False):
        assert _lead(workspace, "55 8000 0001").owner_id is None  # nobody has confirmed
        client.post(_links_by_phone(httpserver)["525512340002"])
        second = _lead(workspace, "55 8000 0002")
        third = _lead(workspace, "55 8000 0003")
    assert second.owner_id == third.owner_id == advisors[1].id


# --- the roster page -------------------------------------------------------------------


def test_the_roster_page_lists_agents_and_who_confirmed(
    client, login, centre, redis_conn, httpserver
):
    _workspace, manager, advisors = _sent_roster(client, login, centre, redis_conn)
    with time_machine.travel(SEND + timedelta(hours=2), tick=False):
        client.post(_links_by_phone(httpserver)["525512340001"])
        login(manager)
        html = client.get("/w/cc/roster/").get_data(as_text=True)
    rows = dict(re.findall(r'id="roster-member-(\d+)">(.*?)</tr>', html, re.S))
    ana, beto = (str(a.memberships[0].id) for a in advisors)
    assert "Ana Ruiz" in rows[ana] and "Confirmed" in rows[ana] and "checked" in rows[ana]
    assert "Waiting for confirmation" in rows[beto]
    assert len(rows) == 2  # managers are not on the advisors' roster


def test_agents_may_not_plan_the_roster_and_bad_months_are_refused(
    client, login, centre, make_member
):
    _workspace, manager, advisors = centre
    with time_machine.travel(PLANNING, tick=False):
        login(advisors[0])
        assert client.get("/w/cc/roster/").status_code == 403
        assert client.post("/w/cc/roster/", data={"month": "2026-12-01"}).status_code == 403
        client.post("/logout")
        login(manager)
        assert client.post("/w/cc/roster/", data={"month": "2027-06-01"}).status_code == 400
        assert client.post("/w/cc/roster/", data={"month": "junk"}).status_code == 400
        not_an_id = client.post("/w/cc/roster/", data={"month": "2026-12-01", "member": "x"})
        assert not_an_id.status_code == 400
        manager_id = manager.memberships[0].id
        refused = client.post("/w/cc/roster/", data={"month": "2026-12-01", "member": manager_id})
        assert refused.status_code == 422
    assert _count(AuditEvent, AuditEvent.action == "roster.planned") == 0


# --- Settings → Channels: the inbound secrets are write-only ---------------------------


def test_the_app_secret_and_verify_token_are_saved_but_never_shown(
    client, make_workspace, login_as
):
    workspace = make_workspace(slug="shop")
    login_as(Role.ADMIN, workspace)
    form = {
        "channel": "whatsapp",
        "base_url": "https://graph.facebook.com/v21.0",
        "phone_number_id": "1055",
        "token": "wa-token",
        "app_secret": "s3cret-app",
        "verify_token": "v3rify-me",
        "enabled": "y",
    }
    assert client.post("/w/shop/settings/channels", data=form).status_code == 302
    # Saving again without them keeps them (write-only fields are left empty).
    kept = {**form, "token": "", "app_secret": "", "verify_token": ""}
    assert client.post("/w/shop/settings/channels", data=kept).status_code == 302
    row = db.session.scalar(
        select(ChannelSettings).where(ChannelSettings.workspace_id == workspace.id)
    )
    db.session.refresh(row)
    assert (row.app_secret, row.verify_token) == ("s3cret-app", "v3rify-me")
    page = client.get("/w/shop/settings/channels").get_data(as_text=True)
    assert "s3cret-app" not in page and "v3rify-me" not in page
    assert "/inbound/whatsapp/shop" in page  # the callback URL to give Meta
    audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "channel.saved")).all()
    assert [e.after["app_secret_changed"] for e in audit] == [True, False]
    assert "s3cret-app" not in json.dumps([e.after for e in audit])


def test_a_wrong_method_on_the_inbound_hook_answers_json(client):
    response = client.put("/inbound/whatsapp/anywhere")
    assert response.status_code in (404, 405)
    assert response.is_json and response.json["error"]["code"]
