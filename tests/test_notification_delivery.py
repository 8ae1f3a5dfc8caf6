"""Delivering the outbox through real SMTP and HTTP servers, with retries and a dead letter."""

from __future__ import annotations

import json
import socket
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
import time_machine
from aiosmtpd.controller import Controller
from flask_babel import force_locale
from markupsafe import escape
from rq import Queue
from rq.job import Job
from sqlalchemy import select

from tenants.profiles import load_profile
from tests.support import BurstWorker, JsonPostServer
from tests.test_timer_actions import NOON, _contact_center, _fire_due
from webapp import job_names
from webapp.channels.labels import fallback_note
from webapp.channels.messages import render_message
from webapp.config import SmtpSettings
from webapp.extensions import db
from webapp.inbox import queries as inbox_queries
from webapp.models import ChannelSettings, Notification, NotificationState, Role
from webapp.operations import delivery, unit
from webapp.operations.intake import IntakeRequest, receive_lead
from webapp.operations.notifications import queue_message
from workers import runtime

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def _work(redis_conn) -> None:
    BurstWorker([Queue("notify", connection=redis_conn)], connection=redis_conn).work(burst=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Inbox:
    def __init__(self) -> None:
        self.messages: list = []
        self.peers: set = set()  # one (host, port) per SMTP connection a message came on

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls it by this name
        self.messages.append(message_from_bytes(envelope.content, policy=default_policy))
        self.peers.add(tuple(session.peer))
        return "250 OK"


@pytest.fixture
def smtp_inbox(app):
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    previous = app.config["LEADLINE_SMTP"]
    app.config["LEADLINE_SMTP"] = SmtpSettings(host="127.0.0.1", port=controller.port)
    yield inbox
    app.config["LEADLINE_SMTP"] = previous
    controller.stop()


def _channel(workspace, channel, base_url, **fields) -> ChannelSettings:
    row = ChannelSettings(
        workspace_id=workspace.id, channel=channel, base_url=base_url, enabled=True, **fields
    )
    db.session.add(row)
    db.session.commit()
    return row


def _queue(workspace, user, channel, key="k1"):
    with unit.transaction():
        row = queue_message(
            workspace.id, user, channel, "contact_sla_missed", {"contact_name": "Ana"}, key=key
        )
    return row.id


def _row(notification_id) -> Notification:
    db.session.expire_all()
    return db.session.get(Notification, notification_id)


def test_email_reaches_smtp_as_multipart_in_the_recipients_locale(
    make_workspace, make_member, redis_conn, smtp_inbox
):
    workspace = make_workspace()
    user = make_member(workspace, Role.AGENT, email="asesor@example.test", preferred_locale="es")
    notification_id = _queue(workspace, user, "email")
    _work(redis_conn)
    (mail,) = smtp_inbox.messages
    assert mail["To"] == "asesor@example.test"
    assert mail.is_multipart()
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "Ana" in text and "Ana" in html
    # The Spanish text itself comes from the catalogue (until it is compiled, the msgid).
    spanish = render_message("contact_sla_missed", {"contact_name": "Ana"}, "es", None)
    assert spanish.text in text and mail["Subject"] == spanish.subject
    row = _row(notification_id)
    assert row.state == NotificationState.SENT and row.attempts == 1 and row.sent_at


def test_whatsapp_call_has_the_cloud_api_path_bearer_token_and_json(
    make_workspace, make_member, redis_conn, httpserver
):
    workspace = make_workspace()
    user = make_member(workspace, Role.AGENT, phone="+52 55 1234 5678")
    _channel(workspace, "whatsapp", httpserver.url_for(""), phone_number_id="1055", token="wa-t")
    httpserver.expect_oneshot_request(
        "/1055/messages", method="POST", headers={"Authorization": "Bearer wa-t"}
    ).respond_with_json({"messages": [{"id": "wamid.1"}]})
    notification_id = _queue(workspace, user, "whatsapp")
    _work(redis_conn)
    ((call, _response),) = httpserver.log
    body = json.loads(call.data)
    assert body["messaging_product"] == "whatsapp" and body["type"] == "text"
    assert body["to"] == "525512345678"
    assert "Ana" in body["text"]["body"]
    assert _row(notification_id).state == NotificationState.SENT


def test_telegram_call_goes_to_the_bot_send_message_endpoint(
    make_workspace, make_member, redis_conn, httpserver
):
    workspace = make_workspace()
    user = make_member(workspace, Role.AGENT)
    _channel(workspace, "telegram", httpserver.url_for(""), token="123:abc", chat_id="-100777")
    httpserver.expect_oneshot_request("/bot123:abc/sendMessage", method="POST").respond_with_json(
        {"ok": True}
    )
    notification_id = _queue(workspace, user, "telegram")
    _work(redis_conn)
    ((call, _response),) = httpserver.log
    body = json.loads(call.data)
    assert body["chat_id"] == "-100777" and "Ana" in body["text"]
    assert _row(notification_id).state == NotificationState.SENT


def test_in_app_is_marked_sent_without_a_call(make_workspace, make_member, redis_conn):
    workspace = make_workspace()
    notification_id = _queue(workspace, make_member(workspace), "in_app")
    _work(redis_conn)
    assert _row(notification_id).state == NotificationState.SENT


def _without_fallback() -> dict:
    document = load_profile("blank")
    document.setdefault("notifications", {})["fallback_channel"] = None
    return document


def test_channel_without_settings_fails_with_a_clear_error(make_workspace, make_member, redis_conn):
    workspace = make_workspace(policy_document=_without_fallback())  # no fallback channel
    user = make_member(workspace, phone="+1 415 555 0100")
    notification_id = _queue(workspace, user, "whatsapp")
    _work(redis_conn)
    row = _row(notification_id)
    assert row.state == NotificationState.FAILED
    assert "whatsapp is not set up" in row.last_error


def test_server_error_backs_off_then_dead_letters_after_six_attempts(
    make_workspace, make_member, redis_conn, httpserver
):
    workspace = make_workspace()
    user = make_member(workspace, phone="+1 415 555 0100")
    _channel(workspace, "whatsapp", httpserver.url_for(""), phone_number_id="9", token="t")
    httpserver.expect_request("/9/messages").respond_with_data("boom", status=500)
    with time_machine.travel(T0, tick=False) as clock:
        notification_id = _queue(workspace, user, "whatsapp")
        _work(redis_conn)
        row = _row(notification_id)
        assert (row.state, row.attempts) == (NotificationState.FAILED, 1)
        assert "HTTP 500" in row.last_error
        assert row.next_attempt_at == T0 + timedelta(seconds=30)
        # Not due yet: running the job again sends nothing.
        runtime.perform("notification.deliver", notification_id)
        assert len(httpserver.log) == 1
        waits = []
        for _ in range(5):
            row = _row(notification_id)
            waits.append((row.next_attempt_at - datetime.now(UTC)).total_seconds())
            clock.move_to(row.next_attempt_at)
            runtime.perform("notification.deliver", notification_id)
        assert waits == [30, 60, 120, 240, 480]
    row = _row(notification_id)
    assert (row.state, row.attempts) == (NotificationState.DEAD, 6)
    assert row.next_attempt_at is None
    assert len(httpserver.log) == 6


def test_a_sent_message_is_never_sent_twice(make_workspace, make_member, redis_conn, httpserver):
    workspace = make_workspace()
    user = make_member(workspace, phone="+1 415 555 0100")
    _channel(workspace, "whatsapp", httpserver.url_for(""), phone_number_id="9", token="t")
    httpserver.expect_request("/9/messages").respond_with_json({})
    notification_id = _queue(workspace, user, "whatsapp")
    _work(redis_conn)
    runtime.perform("notification.deliver", notification_id)
    Queue("notify", connection=redis_conn).enqueue(
        "workers.runtime.perform", "notification.deliver", notification_id
    )
    _work(redis_conn)
    assert len(httpserver.log) == 1
    assert _row(notification_id).attempts == 1


def test_sweep_reenqueues_lost_and_stuck_rows(make_workspace, make_member, redis_conn):
    workspace = make_workspace()
    with time_machine.travel(T0, tick=False):
        notification_id = _queue(workspace, make_member(workspace), "in_app")
        Queue("notify", connection=redis_conn).empty()  # the job is lost
    row = _row(notification_id)
    row.state = NotificationState.SENDING  # and its worker died mid-send
    row.next_attempt_at = T0 + delivery.SENDING_TIMEOUT
    db.session.commit()
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        assert runtime.perform("notification.sweep") == 0
    with time_machine.travel(T0 + delivery.SENDING_TIMEOUT + timedelta(minutes=2), tick=False):
        assert runtime.perform("notification.sweep") == 1
        _work(redis_conn)
    assert _row(notification_id).state == NotificationState.SENT


def test_ccima_6_missed_sla_reaches_advisor_manager_director_on_whatsapp(
    make_workspace, make_member, redis_conn, httpserver
):
    workspace, manager, director, advisors = _contact_center(make_workspace, make_member)
    for n, person in enumerate((manager, director, *advisors)):
        person.phone = f"+52 55 0000 000{n}"
    db.session.commit()
    _channel(workspace, "whatsapp", httpserver.url_for(""), phone_number_id="77", token="cc")
    httpserver.expect_request(
        "/77/messages", method="POST", headers={"Authorization": "Bearer cc"}
    ).respond_with_json({})
    with time_machine.travel(NOON, tick=False):
        lead = receive_lead(
            workspace,
            IntakeRequest("Prospecto", phone="55 1234 5678", source="digital_marketing"),
            actor=None,
        ).lead
    first_owner = db.session.get(type(manager), lead.owner_id)
    with time_machine.travel(NOON + timedelta(minutes=10, seconds=1), tick=False):
        _fire_due(redis_conn)
        _work(redis_conn)
    sent_to = sorted(json.loads(call.data)["to"] for call, _ in httpserver.log)
    expected = sorted(
        "".join(c for c in p.phone if c.isdigit()) for p in (first_owner, manager, director)
    )
    assert sent_to == expected
    assert all("Prospecto" in json.loads(call.data)["text"]["body"] for call, _ in httpserver.log)
    states = set(db.session.scalars(select(Notification.state)))
    assert states == {NotificationState.SENT}


def test_admin_sets_up_whatsapp_and_the_token_is_never_shown_back(client, login_as):
    admin = login_as(Role.ADMIN)
    slug = admin.memberships[0].workspace.slug
    response = client.post(
        f"/w/{slug}/settings/channels",
        data={
            "channel": "whatsapp",
            "base_url": "https://graph.example.test/v21.0",
            "phone_number_id": "1055",
            "token": "very-secret-token",
            "enabled": "y",
        },
    )
    assert response.status_code == 302
    row = db.session.scalar(select(ChannelSettings))
    assert (row.phone_number_id, row.token, row.enabled) == ("1055", "very-secret-token", True)
    page = client.get(f"/w/{slug}/settings/channels").get_data(as_text=True)
    assert "graph.example.test" in page and "very-secret-token" not in page
    # Saving again without a token keeps the stored one.
    client.post(
        f"/w/{slug}/settings/channels",
        data={
            "channel": "whatsapp",
            "base_url": "https://graph.example.test/v22.0",
            "phone_number_id": "1055",
        },
    )
    db.session.expire_all()
    row = db.session.scalar(select(ChannelSettings))
    assert (row.base_url, row.token, row.enabled) == (
        "https://graph.example.test/v22.0",
        "very-secret-token",
        False,
    )


def test_director_reads_channels_and_deliveries_but_may_not_change_them(client, login_as):
    director = login_as(Role.DIRECTOR)
    slug = director.memberships[0].workspace.slug
    assert client.get(f"/w/{slug}/settings/channels").status_code == 200
    assert client.get(f"/w/{slug}/settings/deliveries").status_code == 200
    response = client.post(f"/w/{slug}/settings/channels", data={"channel": "telegram"})
    assert response.status_code == 403


def test_delivery_log_lists_a_dead_message_and_retry_sends_it(
    client, login_as, make_member, redis_conn
):
    admin = login_as(Role.ADMIN)
    workspace = admin.memberships[0].workspace
    user = make_member(workspace, phone="+1 415 555 0100")
    notification_id = _queue(workspace, user, "whatsapp")
    row = _row(notification_id)
    row.state, row.attempts, row.last_error = NotificationState.DEAD, 6, "HTTP 500 from x"
    row.channel, row.fallback_from = "whatsapp", None  # written before the fallback existed
    db.session.commit()
    redis_conn.flushdb()
    page = client.get(f"/w/{workspace.slug}/settings/deliveries").get_data(as_text=True)
    assert "contact_sla_missed" in page and "HTTP 500 from x" in page and "dead" in page
    _channel(workspace, "telegram", "http://127.0.0.1:1", token="t")  # unrelated channel
    response = client.post(f"/w/{workspace.slug}/settings/deliveries/{notification_id}/retry")
    assert response.status_code == 302
    row = _row(notification_id)
    assert (row.state, row.attempts) == (NotificationState.PENDING, 0)
    _work(redis_conn)
    row = _row(notification_id)
    assert (row.state, row.attempts) == (NotificationState.FAILED, 1)
    assert "whatsapp is not set up" in row.last_error


def test_a_member_without_a_language_is_written_to_in_the_workspaces(make_workspace, make_member):
    from webapp.operations import notifications

    workspace = make_workspace(locale="fr")
    member = make_member(workspace, preferred_locale=None)
    from webapp.operations.unit import transaction

    with transaction():
        row = notifications.queue_message(
            workspace.id, member, "in_app", "contact_sla_missed", {"contact_name": "X"}, key="k"
        )
    assert row.locale == "fr"


def test_missed_sla_on_whatsapp_not_set_up_rings_the_bells_in_app_and_the_log_says_so(
    make_workspace, make_member, redis_conn, client, login
):
    """ALL-5, CCIMA-6, issue 9 item 14: a fresh installation has no WhatsApp: the missed-SLA
    alert for the advisor, the manager and the director goes in-app (the policy's fallback
    channel), rings each one's bell, and the delivery log says why, in the reader's language."""
    workspace, manager, director, _advisors = _contact_center(make_workspace, make_member)
    with time_machine.travel(NOON, tick=False):
        lead = receive_lead(
            workspace,
            IntakeRequest("Prospecto", phone="55 1234 5678", source="digital_marketing"),
            actor=None,
        ).lead
        first_owner = lead.owner_id
    with time_machine.travel(NOON + timedelta(minutes=10, seconds=1), tick=False):
        _fire_due(redis_conn)
        _work(redis_conn)  # the real delivery job
    rows = db.session.scalars(select(Notification)).all()
    assert {(n.recipient_user_id, n.channel, n.fallback_from, n.state) for n in rows} == {
        (user_id, "in_app", "whatsapp", NotificationState.SENT)
        for user_id in (first_owner, manager.id, director.id)
    }
    assert {n.fallback_reason for n in rows} == {"not_set_up"}
    for person in (manager, director):
        assert inbox_queries.unread_count(workspace, person) == 1

    admin = make_member(workspace, Role.ADMIN, preferred_locale="fr")
    login(admin)
    page = client.get(f"/w/{workspace.slug}/settings/deliveries").get_data(as_text=True)
    with force_locale("fr"):
        note = str(escape(fallback_note("whatsapp", "not_set_up")))
    assert note != "instead of WhatsApp: not set up for this workspace"  # translated
    assert page.count(note) == 3


def test_a_recipient_without_a_phone_gets_whatsapp_on_the_fallback_channel_email(
    make_workspace, make_member, redis_conn, httpserver, smtp_inbox
):
    """ALL-5, issue 9 item 14: WhatsApp is set up but the recipient has no phone: the message
    goes on the policy's fallback channel (here e-mail), saying why; who has a phone gets
    WhatsApp."""
    document = load_profile("blank")
    document.setdefault("notifications", {})["fallback_channel"] = "email"
    workspace = make_workspace(policy_document=document)
    _channel(workspace, "whatsapp", httpserver.url_for(""), phone_number_id="1055", token="wa-t")
    httpserver.expect_oneshot_request("/1055/messages", method="POST").respond_with_json({})
    phoneless = make_member(workspace, email="sans@example.test", phone=None)
    with_phone = make_member(workspace, email="avec@example.test", phone="+1 415 555 0100")
    first = _row(_queue(workspace, phoneless, "whatsapp", key="a"))
    second = _row(_queue(workspace, with_phone, "whatsapp", key="b"))
    _work(redis_conn)
    first, second = _row(first.id), _row(second.id)
    assert (first.channel, first.fallback_from, first.fallback_reason) == (
        "email",
        "whatsapp",
        "no_address",
    )
    assert (second.channel, second.fallback_from) == ("whatsapp", None)
    assert {first.state, second.state} == {NotificationState.SENT}
    assert [mail["To"] for mail in smtp_inbox.messages] == ["sans@example.test"]
    assert len(httpserver.log) == 1


def test_a_fallback_onto_a_channel_already_chosen_rings_the_bell_once(
    make_workspace, make_member, redis_conn
):
    """ALL-5, issue 9 item 14: "WhatsApp and in-app" without WhatsApp is one in-app message
    per person, not two."""
    from webapp.operations.notifications import queue_for

    workspace = make_workspace()
    people = [make_member(workspace, phone="+1 415 555 0100") for _ in range(2)]
    with unit.transaction():
        written = queue_for(
            workspace.id,
            people,
            ["whatsapp", "in_app"],
            "contact_sla_missed",
            {"contact_name": "Ana"},
            key=lambda person, channel: f"k-{person.id}-{channel}",
        )
    assert written == 2
    rows = db.session.scalars(select(Notification)).all()
    assert sorted((n.recipient_user_id, n.channel) for n in rows) == sorted(
        (p.id, "in_app") for p in people
    )


# --- batches over kept-alive connections (issue 17 item 2) ------------------------------------


@pytest.fixture
def whatsapp_api():
    received = []
    server = JsonPostServer(lambda path, body: received.append(body) or {"messages": [{}]})
    server.received = received
    yield server
    server.close()


def _people(make_member, workspace, count):
    return [make_member(workspace, phone=f"+52 55 1234 56{n:02d}") for n in range(count)]


def _queue_all(workspace, people, channel, prefix="k"):
    """One message to each of `people` in one transaction, as a deadline's fire writes them."""
    with unit.transaction():
        rows = [
            queue_message(
                workspace.id,
                user,
                channel,
                "contact_sla_missed",
                {"contact_name": "Ana"},
                key=f"{prefix}{n}",
            )
            for n, user in enumerate(people)
        ]
    return [row.id for row in rows]


def test_a_transactions_messages_go_out_in_one_job_over_one_kept_alive_connection(
    make_workspace, make_member, redis_conn, whatsapp_api
):
    workspace = make_workspace()
    _channel(workspace, "whatsapp", whatsapp_api.url, phone_number_id="1055", token="wa-t")
    ids = _queue_all(workspace, _people(make_member, workspace, 5), "whatsapp")
    notify = Queue("notify", connection=redis_conn)
    (job_id,) = notify.get_job_ids()  # one job for the transaction's five messages
    job = Job.fetch(job_id, connection=redis_conn)
    assert job.args == (job_names.NOTIFICATION_DELIVER_BATCH, *ids)
    _work(redis_conn)
    assert len(whatsapp_api.received) == 5
    assert whatsapp_api.connections == 1
    for notification_id in ids:
        row = _row(notification_id)
        assert (row.state, row.attempts) == (NotificationState.SENT, 1)
    # The connection stays open for the worker's next batch...
    ids = _queue_all(workspace, _people(make_member, workspace, 3)[:3], "whatsapp", "again")
    _work(redis_conn)
    assert len(whatsapp_api.received) == 8 and whatsapp_api.connections == 1
    # ...and when the API has closed it meanwhile (its idle timeout), a new one carries the
    # next batch: nothing fails for it.
    whatsapp_api.drop_connections()
    ids = _queue_all(workspace, _people(make_member, workspace, 2), "whatsapp", "third")
    _work(redis_conn)
    assert len(whatsapp_api.received) == 10 and whatsapp_api.connections == 2
    assert {_row(i).state for i in ids} == {NotificationState.SENT}


def test_a_batch_of_e_mails_goes_over_one_smtp_connection(
    make_workspace, make_member, redis_conn, smtp_inbox
):
    workspace = make_workspace()
    people = [make_member(workspace, email=f"asesor{n}@example.test") for n in range(4)]
    ids = _queue_all(workspace, people, "email")
    _work(redis_conn)
    assert sorted(mail["To"] for mail in smtp_inbox.messages) == sorted(
        f"asesor{n}@example.test" for n in range(4)
    )
    assert len(smtp_inbox.peers) == 1
    assert {_row(i).state for i in ids} == {NotificationState.SENT}


def test_in_a_batch_each_message_fails_and_backs_off_on_its_own(
    make_workspace, make_member, redis_conn, httpserver
):
    workspace = make_workspace(policy_document=_without_fallback())
    _channel(workspace, "whatsapp", httpserver.url_for(""), phone_number_id="9", token="t")
    httpserver.expect_request("/9/messages").respond_with_json({})
    with_phone = make_member(workspace, phone="+1 415 555 0100")
    without = make_member(workspace, phone=None)
    with time_machine.travel(T0, tick=False):
        sent, failed = _queue_all(workspace, [with_phone, without], "whatsapp")
        _work(redis_conn)
    assert _row(sent).state == NotificationState.SENT
    row = _row(failed)
    assert (row.state, row.attempts) == (NotificationState.FAILED, 1)
    assert row.next_attempt_at == T0 + timedelta(seconds=30)
    # Its retry is its own job, as before batches.
    assert Queue("notify", connection=redis_conn).scheduled_job_registry.get_job_ids() == [
        f"notification-{failed}-1"
    ]
    assert len(httpserver.log) == 1


def test_a_message_sent_meanwhile_is_skipped_by_its_batch(
    make_workspace, make_member, redis_conn, whatsapp_api
):
    workspace = make_workspace()
    _channel(workspace, "whatsapp", whatsapp_api.url, phone_number_id="1055", token="wa-t")
    first, second = _queue_all(workspace, _people(make_member, workspace, 2), "whatsapp")
    runtime.perform(job_names.NOTIFICATION_DELIVER, first)  # a retry or the sweep's job won
    _work(redis_conn)
    assert len(whatsapp_api.received) == 2
    assert (_row(first).attempts, _row(second).attempts) == (1, 1)


def test_issue_17_messages_go_through_the_environments_proxy(monkeypatch):
    """The kept-alive sender still honours HTTP_PROXY as urllib did (a deployment that reaches
    WhatsApp through an egress proxy), and its errors never show a Telegram token."""
    from webapp.channels import senders

    seen: list[str] = []
    proxy = JsonPostServer(lambda path, body: seen.append(path) or {"ok": True})
    try:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        senders._post_json("http://graph.example.test/v21.0/123/messages", None, {"to": "1"})
        assert seen == ["http://graph.example.test/v21.0/123/messages"]
    finally:
        proxy.close()
        senders.close_connections()
    monkeypatch.setenv("HTTP_PROXY", proxy.url)  # closed now: the send fails
    with pytest.raises(senders.SendError) as refused:
        senders._post_json("http://api.telegram.test/bot123:SECRET/sendMessage", None, {})
    assert "SECRET" not in str(refused.value)
    senders.close_connections()
