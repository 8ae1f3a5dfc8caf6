"""Events reach the people and groups the policy names (ALL-5): a reservation is told to the
team and announced in the group chat (CCIMA-9), a source registers its leads with its team
(CCIMA-10), duplicates and tagged managers are told (BDC-2, BDC-4). Delivered by a real
worker to local WhatsApp and Telegram servers."""

from __future__ import annotations

import html
import json
from datetime import timedelta

import time_machine
from flask_babel import force_locale
from markupsafe import escape
from sqlalchemy import select

from tenants.profiles import load_profile
from tests.test_notification_delivery import _channel, _work
from tests.test_timer_actions import NOON
from webapp.audit_actions import action_label
from webapp.channels.messages import render_message
from webapp.extensions import db
from webapp.models import AuditEvent, Lead, Notification, NotificationState, Role, User
from webapp.operations import delivery, leads, outcomes, policies, workspaces
from webapp.operations.intake import IntakeRequest, receive_lead
from webapp.operations.users import put_on_roster

GROUP_CHAT = "-1005550001"
WORKSPACE_CHAT = "-1007770001"


def _digits(phone: str) -> str:
    return "".join(c for c in phone if c.isdigit())


def _contact_center(make_workspace, make_member):
    """The CCIMA policy in Spanish: a manager and three advisors in the contact-center team,
    a director, and an internal-support agent outside it."""
    workspace = make_workspace(
        slug="cc",
        locale="es",
        time_zone="America/Mexico_City",
        country="MX",
        policy_document=load_profile("ccima_contact_center"),
    )
    team = workspaces.create_team(workspace, "Asesores", actor=None, code="contact_center")
    manager = make_member(workspace, Role.MANAGER, name="Gerente", phone="+52 55 0000 0001")
    make_member(workspace, Role.DIRECTOR, name="Directora", phone="+52 55 0000 0002")
    advisors = [
        make_member(workspace, Role.AGENT, name=f"Asesor {n}", phone=f"+52 55 0000 001{n}")
        for n in range(3)
    ]
    outsider = make_member(workspace, Role.AGENT, name="Soporte", phone="+52 55 0000 0099")
    for user in (manager, *advisors):
        membership = user.memberships[0]
        membership.team_id = team.id
        if user in advisors:
            put_on_roster(
                membership, NOON.date(), confirmed_at=NOON - timedelta(days=1), actor=None
            )
    outsider.memberships[0].authorised = False  # never receives leads
    db.session.commit()
    return workspace, team, manager, advisors


def _channels(workspace, httpserver, groups: dict | None = None) -> None:
    _channel(workspace, "whatsapp", httpserver.url_for(""), phone_number_id="77", token="wa")
    _channel(
        workspace,
        "telegram",
        httpserver.url_for(""),
        token="123:tg",
        chat_id=WORKSPACE_CHAT,
        telegram_groups=groups,
    )
    httpserver.expect_request("/77/messages", method="POST").respond_with_json({})
    httpserver.expect_request("/bot123:tg/sendMessage", method="POST").respond_with_json(
        {"ok": True}
    )


def _calls(httpserver, path: str) -> list[dict]:
    return [json.loads(call.data) for call, _ in httpserver.log if call.path == path]


def _receive(workspace, name: str, source: str = "digital_marketing", phone="55 1234 5678"):
    with time_machine.travel(NOON, tick=False):
        return receive_lead(
            workspace, IntakeRequest(name, phone=phone, source=source), actor=None
        ).lead


def test_ccima_9_a_reservation_tells_the_team_and_is_announced_in_the_group(
    make_workspace, make_member, redis_conn, httpserver
):
    workspace, _team, manager, advisors = _contact_center(make_workspace, make_member)
    _channels(workspace, httpserver, groups={"Apartados": GROUP_CHAT})
    lead = _receive(workspace, "María Fernández")
    advisor = db.session.get(User, lead.owner_id)
    with time_machine.travel(NOON + timedelta(hours=2), tick=False):
        outcomes.record_outcome(lead, "reservation", actor=advisor)
        _work(redis_conn)

    # The team (three advisors and the manager, told once) on WhatsApp and in-app.
    team_phones = sorted(_digits(p.phone) for p in (manager, *advisors))
    whatsapp = _calls(httpserver, "/77/messages")
    assert sorted(body["to"] for body in whatsapp) == team_phones
    assert all("María Fernández" in body["text"]["body"] for body in whatsapp)
    in_app = db.session.scalars(
        select(Notification.recipient_user_id).where(Notification.channel == "in_app")
    ).all()
    assert sorted(in_app) == sorted(p.id for p in (manager, *advisors))

    # One message to the group chat, not the workspace's chat, in the workspace's language,
    # tagged, naming the advisor and the lead.
    (announcement,) = _calls(httpserver, "/bot123:tg/sendMessage")
    assert announcement["chat_id"] == GROUP_CHAT
    row = db.session.scalar(select(Notification).where(Notification.channel == "telegram"))
    assert (row.recipient_user_id, row.recipient_group, row.locale) == (None, "Apartados", "es")
    expected = render_message("deal_announcement", row.payload, "es", None).text
    assert announcement["text"] == expected
    text = announcement["text"]
    assert text.startswith("Fuente MKT CCIMA")
    assert "María Fernández" in text and advisor.name in text and "Apartado" in text
    assert "/leads/" not in text  # the group gets no link into Leadline
    assert set(db.session.scalars(select(Notification.state))) == {NotificationState.SENT}

    # Published once, on the lead's record; the same status again raises nothing new.
    sent = len(httpserver.log)
    leads.set_status(lead, "reserved", actor=advisor)
    _work(redis_conn)
    assert len(httpserver.log) == sent
    deals = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "deal.closed")).all()
    assert [(d.subject_id, d.after["told"]) for d in deals] == [(lead.id, 8)]


def test_ccima_9_a_group_set_up_after_the_deal_gets_it_on_retry(
    make_workspace, make_member, redis_conn, httpserver, client, login_as
):
    workspace, _team, _manager, _advisors = _contact_center(make_workspace, make_member)
    _channels(workspace, httpserver)  # Telegram works, but no group chat is named yet
    lead = _receive(workspace, "Carmen Ruiz")
    leads.set_status(lead, "reserved", actor=None)
    _work(redis_conn)
    row = db.session.scalar(select(Notification).where(Notification.recipient_group.is_not(None)))
    assert row.state == NotificationState.FAILED
    assert "telegram group 'Apartados' has no chat id" in row.last_error
    assert _calls(httpserver, "/bot123:tg/sendMessage") == []

    login_as(Role.ADMIN, workspace)
    form = {
        "channel": "telegram",
        "base_url": httpserver.url_for(""),
        "chat_id": WORKSPACE_CHAT,
        "telegram_groups": f"Apartados = {GROUP_CHAT}\nOld group = -1\n",
        "enabled": "y",
    }
    assert client.post("/w/cc/settings/channels", data=form).status_code == 302
    # "name =" removes a group; other groups and the token are kept.
    form["telegram_groups"] = "Old group ="
    assert client.post("/w/cc/settings/channels", data=form).status_code == 302
    page = client.get("/w/cc/settings/channels").get_data(as_text=True)
    assert GROUP_CHAT in page and "Old group" not in page

    log = client.get("/w/cc/settings/deliveries").get_data(as_text=True)
    # The group and its failure, in the reader's Spanish (issue 16 item 2).
    assert "El grupo de Telegram 'Apartados' no tiene id de chat" in html.unescape(log)
    delivery.retry(db.session.get(Notification, row.id), actor=None)
    _work(redis_conn)
    (announcement,) = _calls(httpserver, "/bot123:tg/sendMessage")
    assert announcement["chat_id"] == GROUP_CHAT and "Carmen Ruiz" in announcement["text"]


def test_a_malformed_group_line_is_an_error_beside_the_field(make_workspace, client, login_as):
    workspace = make_workspace(slug="shop")
    login_as(Role.ADMIN, workspace)
    response = client.post(
        "/w/shop/settings/channels",
        data={"channel": "telegram", "telegram_groups": "Apartados -100\n"},
    )
    assert response.status_code == 422
    assert "Line 1: write the group" in response.get_data(as_text=True)
    response = client.post(
        "/w/shop/settings/channels",
        data={"channel": "whatsapp", "telegram_groups": "Apartados = -100"},
    )
    assert response.status_code == 422
    assert "group chats are a Telegram setting" in response.get_data(as_text=True)


def test_a_group_message_on_a_channel_without_groups_fails_clearly(
    make_workspace, make_member, redis_conn, httpserver
):
    workspace, _team, _manager, _advisors = _contact_center(make_workspace, make_member)
    _channels(workspace, httpserver)
    policy = load_profile("ccima_contact_center")
    policy["notifications"]["announcements"][0]["channel"] = "whatsapp"
    policies.save_version(workspace, policy, author=None, comment="announce on WhatsApp")
    lead = _receive(workspace, "Roberto Díaz")
    leads.set_status(lead, "reserved", actor=None)
    _work(redis_conn)
    row = db.session.scalar(select(Notification).where(Notification.recipient_group.is_not(None)))
    assert row.state == NotificationState.FAILED
    assert "whatsapp cannot post to a group" in row.last_error


def test_ccima_10_a_fuente_mkt_lead_is_registered_with_the_contact_center(
    make_workspace, make_member, client, login
):
    workspace, team, manager, _advisors = _contact_center(make_workspace, make_member)
    lead = _receive(workspace, "Carmen Ruiz", source="fuente_mkt_ccima")
    assert lead.team_id == team.id
    registered = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "lead.registered", AuditEvent.subject_id == lead.id
        )
    )
    assert registered.after == {
        "team": "contact_center",
        "team_found": True,
        "source": "fuente_mkt_ccima",
    }
    login(manager)
    page = client.get(f"/w/cc/leads/{lead.id}").get_data(as_text=True)
    assert "Asesores" in page and "Fuente MKT CCIMA" in page
    with force_locale("es"):
        assert str(escape(action_label("lead.registered"))) in page


def test_a_source_without_a_team_registers_nothing(make_workspace, make_member):
    workspace = make_workspace()
    make_member(workspace, Role.AGENT)
    lead = receive_lead(workspace, IntakeRequest("Ada", phone="+1 415 555 0100"), actor=None).lead
    assert lead.team_id is None
    assert (
        db.session.scalar(select(AuditEvent).where(AuditEvent.action == "lead.registered")) is None
    )


def test_a_won_status_without_rules_writes_nothing(make_workspace, make_lead):
    workspace = make_workspace()  # the blank policy: a "won" status, no notification rules
    lead = make_lead(workspace)
    leads.set_status(lead, "won", actor=None)
    assert db.session.scalars(select(Notification)).all() == []
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "deal.closed")) is None


def _bdc(make_workspace):
    return make_workspace(
        slug="bdc",
        locale="fr",
        time_zone="America/Toronto",
        country="CA",
        policy_document=load_profile("dealer_bdc"),
    )


def test_bdc_2_and_4_the_email_leads_manager_and_their_assistant_are_told(
    make_workspace, make_member, redis_conn
):
    workspace = _bdc(make_workspace)
    assistant = make_member(workspace, Role.AGENT, name="Assistante")
    manager = make_member(workspace, Role.MANAGER, name="Gestionnaire")
    taker = make_member(workspace, Role.AGENT, name="Agent BDC")
    membership = manager.memberships[0]
    membership.assistant_user_id, membership.available = assistant.id, False  # on a call
    db.session.commit()
    email_lead = receive_lead(
        workspace,
        IntakeRequest(
            "Louis",
            email="louis@courriel.test",
            phone="514 555 0188",
            channel="email",
            taken_by_id=manager.id,
        ),
        actor=None,
    ).lead
    phone_up = receive_lead(
        workspace,
        IntakeRequest(
            "Louis Bélanger", phone="(514) 555-0188", channel="phone_up", taken_by_id=taker.id
        ),
        actor=taker,
    ).lead
    assert phone_up.owner_id == taker.id  # BDC-4: the manager is busy, the taker books
    _work(redis_conn)
    told = {
        (n.recipient_user_id, n.template, n.payload["lead_id"])
        for n in db.session.scalars(select(Notification))
    }
    assert told == {
        (manager.id, "email_lead_invalidated", email_lead.id),  # BDC-2: previous owner
        (assistant.id, "phone_up_for_manager", phone_up.id),  # BDC-4: the manager's assistant
    }
    assert {n.state for n in db.session.scalars(select(Notification))} == {NotificationState.SENT}
    message = render_message(
        "phone_up_for_manager",
        db.session.scalar(
            select(Notification.payload).where(Notification.template == "phone_up_for_manager")
        ),
        "fr",
        None,
    )
    assert "Louis Bélanger" in message.text and "Agent BDC" in message.text
    assert db.session.get(Lead, email_lead.id).status == "invalid"
