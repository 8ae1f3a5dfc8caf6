"""The operations view: deadlines due, late and fired; the outbox; Retry; rq-dashboard."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from rq import Queue

from tests import support
from tests.support import BurstWorker
from tests.test_notification_delivery import smtp_inbox  # noqa: F401  (a fixture)
from webapp.extensions import db
from webapp.models import Notification, NotificationState, Role
from webapp.operations import deadlines, unit
from webapp.operations.notifications import queue_message


def _deliver(redis_conn) -> None:
    BurstWorker([Queue("notify", connection=redis_conn)], connection=redis_conn).work(burst=True)


def _section(page: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}".*?</section>', page, re.S)
    assert match, f"no {testid} section"
    return match.group(0)


def _dead_email(workspace, user, error="SMTP 127.0.0.1:1: Connection refused") -> int:
    with unit.transaction():
        row = queue_message(
            workspace.id, user, "email", "contact_sla_missed", {"contact_name": "Ana"}, key="dead"
        )
    row.state, row.attempts, row.last_error = NotificationState.DEAD, 6, error
    db.session.commit()
    return row.id


@pytest.fixture
def shop(make_workspace):
    return make_workspace(slug="shop", time_zone="America/Los_Angeles")


@pytest.mark.parametrize("role", [Role.AGENT, Role.MANAGER, Role.PARTNER])
def test_agents_and_managers_get_403(client, shop, login_as, role):
    login_as(role, shop)
    assert client.get("/w/shop/operations/").status_code == 403
    assert client.post("/w/shop/operations/messages/1/retry").status_code == 403


def test_directors_read_but_may_not_retry(client, shop, login_as, make_member):
    login_as(Role.DIRECTOR, shop)
    notification_id = _dead_email(shop, make_member(shop))
    page = client.get("/w/shop/operations/").get_data(as_text=True)
    assert "SMTP 127.0.0.1:1: Connection refused" in page
    assert "/retry" not in page
    assert client.post(f"/w/shop/operations/messages/{notification_id}/retry").status_code == 403


def test_navigation_offers_operations_to_admins_only(client, shop, login_as, make_member):
    login_as(Role.ADMIN, shop)
    assert 'href="/w/shop/operations/"' in client.get("/w/shop/").get_data(as_text=True)
    client.post("/logout")
    login_as(Role.AGENT, shop)
    assert 'href="/w/shop/operations/"' not in client.get("/w/shop/").get_data(as_text=True)


def test_a_late_deadline_is_highlighted_apart_from_upcoming_and_fired_ones(
    client, shop, login_as, make_lead
):
    login_as(Role.ADMIN, shop)
    lead = make_lead(shop, contact_name="Late Larry")
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        start = datetime.now(UTC)
        late = deadlines.schedule(shop.id, "contact_sla", start + timedelta(minutes=10), lead=lead)
        deadlines.schedule(shop.id, "callback", start + timedelta(hours=3), lead=lead)
        fired = deadlines.schedule(shop.id, "review", start + timedelta(minutes=5))
        clock.shift(timedelta(minutes=6))
        assert deadlines.fire(fired.id)
        # The sweep never ran: contact_sla is now 10 minutes past due and still pending.
        clock.shift(timedelta(minutes=14))
        page = client.get("/w/shop/operations/").get_data(as_text=True)

    late_section = _section(page, "late-deadlines")
    assert f'<tr data-deadline-id="{late.id}" class="late">' in late_section
    assert "Late Larry" in late_section and "contact_sla" in late_section
    assert "callback" not in late_section
    upcoming = _section(page, "upcoming-deadlines")
    assert "callback" in upcoming and "contact_sla" not in upcoming
    assert "in 3 hours" in upcoming  # 2 h 40 min left, as Babel rounds it
    assert 'class="countdown" data-due=' in upcoming
    assert "review" in _section(page, "fired-deadlines")
    assert "America/Los_Angeles" in page


def test_due_times_are_shown_in_the_workspace_zone(client, shop, login_as):
    login_as(Role.ADMIN, shop, preferred_locale="en")
    deadlines.schedule(shop.id, "cutoff", datetime(2099, 1, 15, 17, 30, tzinfo=UTC))
    upcoming = _section(
        client.get("/w/shop/operations/").get_data(as_text=True), "upcoming-deadlines"
    )
    assert "1/15/99, 9:30\u202fAM" in upcoming  # 17:30 UTC is 09:30 in Los Angeles


def test_filters_narrow_the_lists_and_nonsense_is_ignored(client, shop, login_as, make_member):
    login_as(Role.ADMIN, shop)
    soon = datetime.now(UTC) + timedelta(hours=1)
    deadlines.schedule(shop.id, "contact_sla", soon)
    deadlines.schedule(shop.id, "callback", soon)
    _dead_email(shop, make_member(shop))

    page = client.get("/w/shop/operations/?kind=callback&show=pending").get_data(as_text=True)
    upcoming = _section(page, "upcoming-deadlines")
    assert "callback" in upcoming and "contact_sla" not in upcoming
    assert 'data-testid="late-deadlines"' not in page
    failed_only = client.get("/w/shop/operations/?state=failed").get_data(as_text=True)
    assert "Connection refused" not in _section(failed_only, "undelivered-messages")
    wrong_channel = client.get("/w/shop/operations/?channel=telegram").get_data(as_text=True)
    assert "Connection refused" not in _section(wrong_channel, "undelivered-messages")
    response = client.get("/w/shop/operations/?show=bogus&state=sent&channel=pigeon&kind=")
    assert response.status_code == 200
    assert "Connection refused" in response.get_data(as_text=True)


def test_outbox_counts_by_channel_and_state(client, shop, login_as, make_member, redis_conn):
    admin = login_as(Role.ADMIN, shop)
    for n in range(2):
        with unit.transaction():
            queue_message(shop.id, admin, "in_app", "contact_sla_missed", {}, key=f"in-app-{n}")
    _deliver(redis_conn)
    _dead_email(shop, make_member(shop))

    counts = _section(client.get("/w/shop/operations/").get_data(as_text=True), "outbox-counts")
    in_app = re.search(r'<tr data-channel="in_app">.*?</tr>', counts, re.S).group(0)
    email = re.search(r'<tr data-channel="email">.*?</tr>', counts, re.S).group(0)
    assert '<td data-state="sent" >2</td>' in in_app
    assert '<td data-state="dead" class="bad">1</td>' in email
    assert '<td data-state="sent" >0</td>' in email


def test_retry_requeues_a_dead_message_and_a_real_worker_sends_it(
    client, shop, login_as, make_member, redis_conn, request
):
    mailbox = request.getfixturevalue("smtp_inbox")  # a real SMTP server, local
    login_as(Role.ADMIN, shop)
    advisor = make_member(shop, email="advisor@example.test")
    notification_id = _dead_email(shop, advisor)
    redis_conn.flushdb()  # its job is long gone
    page = client.get("/w/shop/operations/").get_data(as_text=True)
    dead = _section(page, "undelivered-messages")
    assert "advisor@example.test" in dead and "Connection refused" in dead
    assert f"/w/shop/operations/messages/{notification_id}/retry" in dead

    response = client.post(f"/w/shop/operations/messages/{notification_id}/retry")

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/w/shop/operations/")
    db.session.expire_all()
    row = db.session.get(Notification, notification_id)
    assert (row.state, row.attempts) == (NotificationState.PENDING, 0)
    _deliver(redis_conn)
    (mail,) = mailbox.messages
    assert mail["To"] == "advisor@example.test"
    db.session.expire_all()
    assert db.session.get(Notification, notification_id).state == NotificationState.SENT
    after = client.get("/w/shop/operations/").get_data(as_text=True)
    assert "No failed or dead messages." in after


def test_retrying_a_sent_message_does_nothing(client, shop, login_as, redis_conn):
    admin = login_as(Role.ADMIN, shop)
    with unit.transaction():
        row = queue_message(shop.id, admin, "in_app", "contact_sla_missed", {}, key="sent")
    _deliver(redis_conn)
    response = client.post(f"/w/shop/operations/messages/{row.id}/retry")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Notification, row.id).attempts == 1
    page = client.get("/w/shop/operations/").get_data(as_text=True)
    assert "This message is not waiting for a retry." in page


# --- rq-dashboard ------------------------------------------------------------------------


def test_rq_dashboard_is_not_mounted_unless_asked_for(client, login_as):
    login_as(Role.ADMIN)
    assert client.get("/ops/rq/").status_code == 404


@pytest.fixture
def dashboard_client(app, redis_url, tmp_path):
    dashboard_app = support.build_app(
        app.config["SQLALCHEMY_DATABASE_URI"],
        redis_url,
        tmp_path / "instance",
        LEADLINE_RQ_DASHBOARD=True,
        LEADLINE_OPERATORS=frozenset({"ops@leadline.test"}),
    )
    yield dashboard_app.test_client()
    with dashboard_app.app_context():
        db.engine.dispose()


def test_rq_dashboard_is_for_the_named_operators_only(
    dashboard_client, make_workspace, make_member, redis_conn
):
    workspace = make_workspace()
    agent = make_member(workspace, Role.AGENT)
    admin = make_member(workspace, Role.ADMIN)
    operator = make_member(workspace, Role.AGENT, email="ops@leadline.test")
    from tests.conftest import PASSWORD

    anonymous = dashboard_client.get("/ops/rq/")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]

    # A workspace's administrator is not an operator: the dashboard spans every workspace.
    for user in (agent, admin):
        dashboard_client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert dashboard_client.get("/ops/rq/").status_code == 403
        assert dashboard_client.get("/ops/rq/0/data/queues.json").status_code == 403
        dashboard_client.post("/logout")

    dashboard_client.post("/login", data={"email": operator.email, "password": PASSWORD})
    Queue("notify", connection=redis_conn).enqueue("workers.runtime.perform", "noop")
    page = dashboard_client.get("/ops/rq/")
    assert page.status_code == 200 and "RQ" in page.get_data(as_text=True)
    queues = dashboard_client.get("/ops/rq/0/data/queues.json")
    assert queues.status_code == 200
    assert {"name": "notify", "count": 1}.items() <= next(
        q for q in queues.json["queues"] if q["name"] == "notify"
    ).items()


def _failed_messages(workspace, people, channel, error, count, start=0) -> None:
    """`count` messages on `channel` that failed with `error` (made dead past the first)."""
    with unit.transaction():
        rows = [
            queue_message(
                workspace.id,
                people[n % len(people)],
                "in_app",
                "contact_sla_missed",
                {"contact_name": f"Ana {n}"},
                key=f"{channel}-{n}",
            )
            for n in range(start, start + count)
        ]
    for n, row in enumerate(rows):
        row.channel, row.last_error, row.attempts = channel, error, 6
        row.state = NotificationState.DEAD if n else NotificationState.FAILED
    db.session.commit()


def test_failures_are_grouped_by_channel_and_error_and_the_rest_is_paged(
    client, shop, login_as, make_member
):
    """ALL-5, issue 9 item 14: 230 messages failing the same way made a wall of identical rows
    (5,700 pixels); Operations now counts them per channel and error, one line each, and pages
    the messages themselves: a plain link for a full page, htmx swapping only the list."""
    login_as(Role.ADMIN, shop)
    people = [make_member(shop) for _ in range(3)]
    not_set_up = "whatsapp is not set up for this workspace (Settings → Channels)"
    _failed_messages(shop, people, "whatsapp", not_set_up, 200)
    _failed_messages(shop, people, "email", "SMTP 127.0.0.1:25: refused", 30, start=200)

    page = client.get("/w/shop/operations/").get_data(as_text=True)
    section = _section(page, "undelivered-messages")
    groups = re.search(r'data-testid="failure-groups".*?</table>', section, re.S).group(0)
    rows = re.findall(r"<tr data-channel=\"(\w+)\">(.*?)</tr>", groups, re.S)
    assert [channel for channel, _cells in rows] == ["whatsapp", "email"]  # the largest first
    cells = [re.findall(r"<td>(.*?)</td>", body, re.S) for _channel, body in rows]
    assert [c[1:5] for c in cells] == [
        # Shown with the channel's name (issue 16 item 2), stored with its code.
        ["WhatsApp" + not_set_up.removeprefix("whatsapp"), "1", "199", "200"],
        ["SMTP 127.0.0.1:25: refused", "1", "29", "30"],
    ]
    assert section.count("data-notification-id=") == 25  # one page, not 230 rows
    assert "Page 1 of 10" in section
    older = re.search(r'<a href="([^"]+)" rel="next" hx-get="([^"]+)"', section)
    assert older and older.group(1) == older.group(2) == "/w/shop/operations/?page=2"

    # htmx: the list alone, to swap in place; without htmx, the same link is a whole page.
    fragment = client.get(older.group(1), headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.lstrip().startswith('<section class="card" id="undelivered-messages"')
    assert "late-deadlines" not in fragment and "<html" not in fragment
    assert fragment.count("data-notification-id=") == 25 and "Page 2 of 10" in fragment
    full = client.get(older.group(1)).get_data(as_text=True)
    assert "<html" in full and "Page 2 of 10" in full and "late-deadlines" in full
    # The pager pushes its URL: Back to it restores the whole page, not the list alone.
    restore = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    restored = client.get(older.group(1), headers=restore).get_data(as_text=True)
    assert "late-deadlines" in restored and "Page 2 of 10" in restored
    first_ids = set(re.findall(r'data-notification-id="(\d+)"', section))
    assert first_ids.isdisjoint(re.findall(r'data-notification-id="(\d+)"', fragment))

    # A group's "Show these" lists only its messages, paged with the filter kept.
    show = re.search(r'<a href="([^"]+)">Show these</a>', groups).group(1).replace("&amp;", "&")
    narrowed = _section(client.get(show).get_data(as_text=True), "undelivered-messages")
    assert "channel=whatsapp" in show and "error=whatsapp" in show
    listed = narrowed.split("failure-groups")[-1].split("</table>", 1)[1]
    assert "Page 1 of 8" in listed and "SMTP" not in listed
    assert re.search(r'rel="next" hx-get="[^"]*channel=whatsapp[^"]*error=whatsapp', listed)


def test_a_message_sent_on_the_fallback_channel_says_so_in_operations(
    client, shop, login_as, make_member
):
    """ALL-5, issue 9 item 14: a failed message that stood in for WhatsApp says so, in the
    reader's language."""
    login_as(Role.ADMIN, shop, preferred_locale="es")
    with unit.transaction():
        row = queue_message(
            shop.id, make_member(shop), "whatsapp", "contact_sla_missed", {}, key="fb"
        )
    assert (row.channel, row.fallback_from) == ("in_app", "whatsapp")
    row.state, row.last_error = NotificationState.FAILED, "boom"
    db.session.commit()
    page = client.get("/w/shop/operations/").get_data(as_text=True)
    from flask_babel import force_locale
    from markupsafe import escape

    from webapp.channels.labels import fallback_note

    with force_locale("es"):
        note = str(escape(fallback_note("whatsapp", "not_set_up")))
    assert not note.startswith("instead of")  # in Spanish
    assert note in _section(page, "undelivered-messages")
