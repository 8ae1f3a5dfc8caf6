"""The in-app bell: unread count, a cheap poll, read marks, and nobody else's messages."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from rq import Queue
from sqlalchemy import func, select

from tests.support import BurstWorker
from webapp.channels.messages import render_message
from webapp.extensions import db
from webapp.models import AuditEvent, Notification, NotificationState, Role
from webapp.operations import unit
from webapp.operations.notifications import queue_message

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
HTMX = {"HX-Request": "true"}


def _deliver(redis_conn) -> None:
    BurstWorker([Queue("notify", connection=redis_conn)], connection=redis_conn).work(burst=True)


def _notify(workspace, user, key, channel="in_app", **payload) -> int:
    with unit.transaction():
        row = queue_message(
            workspace.id,
            user,
            channel,
            "contact_sla_missed",
            {"contact_name": "Ana", **payload},
            key=key,
        )
    return row.id


def _sent_rows(workspace, user, count) -> None:
    """Delivered in-app rows, written directly: what the worker leaves behind."""
    for n in range(count):
        row = Notification(
            workspace_id=workspace.id,
            channel="in_app",
            recipient_user_id=user.id,
            template="contact_sla_missed",
            payload={"contact_name": f"Contact {n:02d}"},
            idempotency_key=f"bulk-{workspace.id}-{user.id}-{n}",
            sent_at=T0 + timedelta(minutes=n),
        )
        row.state = NotificationState.SENT
        db.session.add(row)
    db.session.commit()


def _badge(client, slug) -> tuple[str, int]:
    """(version, count) the bell of a full page shows."""
    page = client.get(f"/w/{slug}/").get_data(as_text=True)
    version = re.search(r'/notifications/bell\?v=([\w.-]+)"', page).group(1)
    count = re.search(r'id="bell-badge"[^>]*data-count="(\d+)"', page).group(1)
    return version, int(count)


@pytest.fixture
def shop(make_workspace):
    return make_workspace(slug="shop")


def test_a_delivered_in_app_notification_raises_the_count(client, shop, login_as, redis_conn):
    me = login_as(Role.AGENT, shop)
    assert _badge(client, "shop")[1] == 0
    _notify(shop, me, "k1")
    assert _badge(client, "shop")[1] == 0  # written, not delivered yet
    _deliver(redis_conn)
    assert _badge(client, "shop")[1] == 1
    page = client.get("/w/shop/").get_data(as_text=True)
    assert 'class="bell-count" aria-hidden="true">1<' in page
    assert "1 unread notification<" in page


def test_the_poll_is_204_while_unchanged_and_the_badge_once_something_arrives(
    client, shop, login_as, redis_conn
):
    me = login_as(Role.AGENT, shop)
    version, _count = _badge(client, "shop")
    unchanged = client.get(f"/w/shop/notifications/bell?v={version}", headers=HTMX)
    assert unchanged.status_code == 204 and unchanged.get_data() == b""

    _notify(shop, me, "k1")
    _notify(shop, me, "k2")
    _deliver(redis_conn)
    changed = client.get(f"/w/shop/notifications/bell?v={version}", headers=HTMX)

    assert changed.status_code == 200
    fragment = changed.get_data(as_text=True)
    assert fragment.lstrip().startswith('<span id="bell-badge"')
    assert 'data-count="2"' in fragment and "2 unread notifications" in fragment
    new_version = re.search(r"bell\?v=([\w.-]+)", fragment).group(1)
    assert new_version != version
    again = client.get(f"/w/shop/notifications/bell?v={new_version}", headers=HTMX)
    assert again.status_code == 204


def test_the_panel_shows_subject_body_lead_link_and_relative_time(
    client, shop, login_as, redis_conn, make_lead
):
    me = login_as(Role.AGENT, shop, preferred_locale="en")
    lead = make_lead(shop, contact_name="Ana")
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        _notify(shop, me, "k1", lead_id=lead.id)
        _deliver(redis_conn)
        # The session was signed just now: time may move forward, never back.
        clock.shift(timedelta(minutes=5))
        panel = client.get("/w/shop/notifications/panel", headers=HTMX).get_data(as_text=True)
    assert "Lead not contacted in time" in panel
    assert "The lead Ana was not contacted in time" in panel
    assert f'href="/w/shop/leads/{lead.id}"' in panel
    assert "5 minutes ago" in panel
    assert "Mark all read" in panel and "Mark read" in panel


def test_the_panel_speaks_the_readers_language(client, shop, login_as, redis_conn):
    me = login_as(Role.AGENT, shop, preferred_locale="es")
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        _notify(shop, me, "k1")
        _deliver(redis_conn)
        clock.shift(timedelta(minutes=5))
        panel = client.get("/w/shop/notifications/panel", headers=HTMX).get_data(as_text=True)
    with client.application.test_request_context():
        spanish = render_message("contact_sla_missed", {"contact_name": "Ana"}, "es", None)
    assert spanish.subject in panel
    assert "hace 5 minutos" in panel  # Babel's own Spanish


def test_mark_one_read_lowers_the_count_and_mark_all_clears_it(client, shop, login_as, redis_conn):
    me = login_as(Role.AGENT, shop)
    first = _notify(shop, me, "k1")
    _notify(shop, me, "k2")
    _notify(shop, me, "k3")
    _deliver(redis_conn)
    version, count = _badge(client, "shop")
    assert count == 3

    response = client.post(f"/w/shop/notifications/{first}/read", headers=HTMX)
    assert response.status_code == 204
    assert response.headers["HX-Trigger"] == "inbox-changed"
    polled = client.get(f"/w/shop/notifications/bell?v={version}", headers=HTMX)
    assert polled.status_code == 200 and 'data-count="2"' in polled.get_data(as_text=True)

    response = client.post("/w/shop/notifications/read")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/w/shop/notifications/")
    assert _badge(client, "shop")[1] == 0
    db.session.expire_all()
    assert all(n.read_at for n in db.session.scalars(select(Notification)))
    reads = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "notification.read")
    ).all()
    assert sorted(event.after["read"] for event in reads) == [1, 2]
    assert {event.actor_id for event in reads} == {me.id}


def test_marking_read_again_changes_nothing(client, shop, login_as, redis_conn):
    me = login_as(Role.AGENT, shop)
    first = _notify(shop, me, "k1")
    _deliver(redis_conn)
    client.post(f"/w/shop/notifications/{first}/read", headers=HTMX)
    version, _count = _badge(client, "shop")
    assert client.post(f"/w/shop/notifications/{first}/read", headers=HTMX).status_code == 204
    assert client.post("/w/shop/notifications/read", headers=HTMX).status_code == 204
    unchanged = client.get(f"/w/shop/notifications/bell?v={version}", headers=HTMX)
    assert unchanged.status_code == 204
    reads = select(func.count()).where(AuditEvent.action == "notification.read")
    assert db.session.scalar(reads) == 1


def test_another_users_notifications_are_never_shown_nor_markable(
    client, shop, login_as, make_member, make_workspace, redis_conn
):
    me = login_as(Role.ADMIN, shop)
    colleague = make_member(shop, Role.AGENT)
    theirs = _notify(shop, colleague, "k-colleague", contact_name="Secret Sam")
    other_shop = make_workspace(slug="other")
    from webapp.operations.users import add_member

    add_member(other_shop, me, Role.AGENT, actor=None)
    _notify(other_shop, me, "k-other-workspace", contact_name="Elsewhere Eve")
    _deliver(redis_conn)

    assert _badge(client, "shop")[1] == 0
    panel = client.get("/w/shop/notifications/panel", headers=HTMX).get_data(as_text=True)
    page = client.get("/w/shop/notifications/").get_data(as_text=True)
    for text in (panel, page):
        assert "Secret Sam" not in text and "Elsewhere Eve" not in text
    assert "Elsewhere Eve" in client.get("/w/other/notifications/").get_data(as_text=True)

    assert client.post(f"/w/shop/notifications/{theirs}/read").status_code == 404
    client.post("/w/shop/notifications/read")
    db.session.expire_all()
    assert db.session.get(Notification, theirs).read_at is None


def test_other_channels_stay_out_of_the_bell(client, shop, login_as, redis_conn):
    me = login_as(Role.AGENT, shop)
    _notify(shop, me, "k-mail", channel="email")  # not an in-app message
    _deliver(redis_conn)
    assert _badge(client, "shop")[1] == 0
    assert "Ana" not in client.get("/w/shop/notifications/").get_data(as_text=True)


def test_the_notifications_page_pages_newest_first(client, shop, login_as):
    me = login_as(Role.AGENT, shop, preferred_locale="en")
    _sent_rows(shop, me, 25)

    first = client.get("/w/shop/notifications/").get_data(as_text=True)
    assert "25 notifications" in first and "25 unread" in first
    assert first.index("Contact 24") < first.index("Contact 05")
    assert "Contact 04" not in first
    assert "Page 1 of 2" in first and 'href="/w/shop/notifications/?page=2"' in first

    second = client.get("/w/shop/notifications/?page=2").get_data(as_text=True)
    assert "Contact 04" in second and "Contact 00" in second and "Contact 05" not in second
    assert 'href="/w/shop/notifications/?page=1"' in second

    for nonsense in ("999", "0", "-3", "two"):
        response = client.get(f"/w/shop/notifications/?page={nonsense}")
        assert response.status_code == 200


def test_the_page_list_refreshes_as_a_fragment(client, shop, login_as):
    me = login_as(Role.AGENT, shop)
    _sent_rows(shop, me, 1)
    fragment = client.get("/w/shop/notifications/", headers=HTMX).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="inbox-list"')
    assert "1 notification " in fragment or "1 notification\n" in fragment
