"""Scheduled reports (issue 15 item 6): a workspace clock per report in the policy, fired at its
local time by a real worker; the e-mail reaches a real SMTP server with the month's figures
as an .xlsx in the recipient's language, the same figures the API gives, and is sent once."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from babel.dates import format_datetime
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook
from sqlalchemy import select

from tenants.profiles import load_profile
from tests.api_helpers import key_headers
from tests.test_notification_delivery import _work, smtp_inbox  # noqa: F401  (a fixture)
from tests.test_timer_actions import _fire_due
from webapp.audit_actions import SCHEDULED_REPORT_SENT
from webapp.extensions import db
from webapp.models import AuditEvent, Deadline, DeadlineState, Notification, Role
from webapp.operations import deadlines, leads, recurring
from webapp.reports import catalogue

MX = ZoneInfo("America/Mexico_City")
KIND = "reporting.scheduled.1"
# The report's time: Tuesday 1 December 2026, 08:00 in Mexico City (14:00 UTC).
DUE = datetime(2026, 12, 1, 8, 0, tzinfo=MX).astimezone(UTC)
MONTHLY = {
    "every": "month",
    "day": 1,
    "at": "08:00",
    "metrics": ["leads_received", "contact_rate"],
    "to": ["director"],
    "channels": ["email", "in_app"],
}


def mx(month: int, day: int, hour: int = 12) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=MX).astimezone(UTC)


@pytest.fixture
def monthly(make_workspace, make_member):
    """A workspace in Mexico City whose policy sends a monthly report to its directors, an
    English and a Spanish one, with leads in October, November and December."""
    document = load_profile("blank")
    document["calendar"] = {"time_zone": "America/Mexico_City"}
    document["reporting"] = {"metrics_per": ["agent"], "scheduled": [MONTHLY]}
    workspace = make_workspace(
        slug="mensual", time_zone="America/Mexico_City", country="MX", policy_document=document
    )
    english = make_member(workspace, Role.DIRECTOR, email="director@example.test")
    spanish = make_member(
        workspace, Role.DIRECTOR, email="directora@example.test", preferred_locale="es"
    )
    agent = make_member(workspace, Role.AGENT, name="Ana")
    for n, at in enumerate([mx(10, 31, 23), mx(11, 1, 0), mx(11, 15), mx(11, 30, 23), mx(12, 1)]):
        with time_machine.travel(at, tick=False):
            lead = leads.create_lead(
                workspace, contact_name=f"Lead {n}", actor=None, phone=f"55 1000 {n:04d}"
            )
        lead.owner_id = agent.id
    db.session.commit()
    with time_machine.travel(mx(11, 20), tick=False):
        recurring.ensure_all()
    return {"workspace": workspace, "english": english, "spanish": spanish, "agent": agent}


def _rows(workspace) -> list[Deadline]:
    return db.session.scalars(
        select(Deadline)
        .where(Deadline.workspace_id == workspace.id, Deadline.kind == KIND)
        .order_by(Deadline.id)
    ).all()


def _report_messages() -> list[tuple[int, str]]:
    db.session.expire_all()
    rows = db.session.scalars(
        select(Notification).where(Notification.template.like("scheduled_report%"))
    )
    return sorted((n.recipient_user_id, n.channel) for n in rows)


def _sheets(mail) -> dict[str, list[tuple]]:
    (part,) = [p for p in mail.iter_attachments() if p.get_filename().endswith(".xlsx")]
    book = load_workbook(io.BytesIO(part.get_content()))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def test_issue_15_6_the_clock_is_a_row_due_at_the_reports_local_time(monthly):
    (row,) = _rows(monthly["workspace"])
    assert row.state == DeadlineState.PENDING and row.due_at == DUE and row.lead_id is None


def test_issue_15_6_fires_at_0800_local_not_before(monthly, redis_conn, smtp_inbox):  # noqa: F811
    with time_machine.travel(DUE - timedelta(seconds=1), tick=False):
        _fire_due(redis_conn)
        _work(redis_conn)
    assert _report_messages() == [] and smtp_inbox.messages == []
    with time_machine.travel(DUE, tick=False):
        _fire_due(redis_conn)
        _work(redis_conn)
    english, spanish = monthly["english"], monthly["spanish"]
    assert _report_messages() == sorted(
        [
            (english.id, "email"),
            (english.id, "in_app"),
            (spanish.id, "email"),
            (spanish.id, "in_app"),
        ]
    )
    assert sorted(m["To"] for m in smtp_inbox.messages) == [
        "director@example.test",
        "directora@example.test",
    ]
    rows = _rows(monthly["workspace"])
    assert [r.state for r in rows] == [DeadlineState.FIRED, DeadlineState.PENDING]
    assert rows[1].due_at == datetime(2027, 1, 1, 8, 0, tzinfo=MX).astimezone(UTC)


def test_issue_15_6_the_xlsx_figures_match_the_api_for_the_previous_month(
    monthly,
    redis_conn,
    smtp_inbox,  # noqa: F811
    client,
):
    with time_machine.travel(DUE, tick=False):
        _fire_due(redis_conn)
        _work(redis_conn)
    mail = next(m for m in smtp_inbox.messages if m["To"] == "director@example.test")
    sheets = _sheets(mail)
    assert list(sheets) == ["Leads received", "Contact rate"]
    headers = key_headers(monthly["workspace"], role="manager")
    for title, name in (("Leads received", "leads_received"), ("Contact rate", "contact_rate")):
        answer = client.get(
            f"/api/v1/reports/{name}?from=2026-11-01&to=2026-11-30&group_by=agent",
            headers=headers,
        ).get_json()
        header, *body = sheets[title]
        codes = [c.code for c in catalogue.get(name).columns]
        assert header[0] == "Agent" and len(header) == 1 + len(codes)
        expected = [
            (r["label"], *(r[c] for c in codes)) for r in [*answer["rows"], answer["total"]]
        ]
        assert body == expected
    # Three of the five leads arrived in November, Mexico City time: the 31 October 23:00
    # and the 1 December ones did not.
    assert sheets["Leads received"][-1] == ("Total", 3)


def test_issue_15_6_a_spanish_recipient_gets_spanish_sheet_labels(
    monthly,
    redis_conn,
    smtp_inbox,  # noqa: F811
):
    with time_machine.travel(DUE, tick=False):
        _fire_due(redis_conn)
        _work(redis_conn)
    mail = next(m for m in smtp_inbox.messages if m["To"] == "directora@example.test")
    with force_locale("es"):
        leads_received, agent, total = (
            str(_l("Leads received")),
            str(_l("Agent")),
            str(_l("Total")),
        )
        subject = str(_l("Report for %(period)s")) % {"period": "noviembre 2026"}
    assert leads_received != "Leads received"  # the catalogue is compiled and translated
    sheets = _sheets(mail)
    assert leads_received in sheets
    header, *_body, last = sheets[leads_received]
    assert header[0] == agent and last == (total, 3)
    assert mail["Subject"] == subject


def test_issue_15_6_firing_twice_sends_once(monthly, redis_conn, smtp_inbox):  # noqa: F811
    workspace = monthly["workspace"]
    with time_machine.travel(DUE, tick=False):
        # A stray second row for the same time (a restored backup, a race): fired as well.
        deadlines.schedule(workspace.id, KIND, DUE, payload={"handler": KIND})
        _fire_due(redis_conn)
        for row in _rows(workspace):
            deadlines.fire(row.id)
        _work(redis_conn)
    assert len(_report_messages()) == 4
    assert len(smtp_inbox.messages) == 2
    sent = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == SCHEDULED_REPORT_SENT)
    ).all()
    assert len(sent) == 1
    assert sent[0].after["period"] == {"from": "2026-11-01", "to": "2026-11-30"}
    assert sorted(sent[0].after["recipients"]) == sorted(
        [monthly["english"].id, monthly["spanish"].id]
    )


def test_issue_15_6_the_in_app_message_links_to_the_dashboard_for_the_period(
    monthly,
    redis_conn,
    smtp_inbox,  # noqa: F811
    client,
    login,
):
    with time_machine.travel(DUE, tick=False):
        _fire_due(redis_conn)
    db.session.expire_all()
    row = db.session.scalar(
        select(Notification).where(
            Notification.channel == "in_app",
            Notification.recipient_user_id == monthly["english"].id,
        )
    )
    assert row.payload["link"].endswith("/w/mensual/?from=2026-11-01&to=2026-11-30")
    assert "attachments" not in row.payload
    with time_machine.travel(DUE + timedelta(minutes=1), tick=False):
        _work(redis_conn)
        login(monthly["english"])
        panel = client.get(
            "/w/mensual/notifications/panel", headers={"HX-Request": "true"}
        ).get_data(as_text=True)
    assert 'href="/w/mensual/?from=2026-11-01&amp;to=2026-11-30"' in panel
    assert "Report for November 2026" in panel


def test_issue_15_6_the_ccima_profile_sends_its_monthly_report_on_the_1st_at_0800(
    make_workspace,
):
    workspace = make_workspace(
        slug="cc",
        time_zone="America/Mexico_City",
        policy_document=load_profile("ccima_contact_center"),
    )
    with time_machine.travel(mx(11, 20), tick=False):
        recurring.ensure_all()
    (row,) = _rows(workspace)
    assert row.due_at == DUE


def test_issue_15_6_the_dashboard_lists_the_report_and_its_next_run_and_sends_it_now(
    monthly, client, login, redis_conn
):
    with time_machine.travel(mx(12, 2), tick=False):
        login(monthly["spanish"])
        page = client.get("/w/mensual/").get_data(as_text=True)
        with force_locale("es"):
            expected = [str(_l("Scheduled reports")), str(_l("every month")), str(_l("Send now"))]
        assert [t for t in expected if t not in page] == [], page[-3000:]
        # The next run: the pending row, 1 December 08:00 in Mexico City (not fired yet).
        assert format_datetime(DUE, "medium", tzinfo=MX, locale="es") in page
        response = client.post("/w/mensual/reports/scheduled/0/send")
        assert response.status_code == 302
        assert client.post("/w/mensual/reports/scheduled/3/send").status_code == 404
    sent = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == SCHEDULED_REPORT_SENT)
    ).all()
    assert [e.actor_id for e in sent] == [monthly["spanish"].id]
    assert sent[0].after["sent_now"] is True
    assert sent[0].after["period"] == {"from": "2026-11-01", "to": "2026-11-30"}
    assert len(_report_messages()) == 4


def test_issue_15_6_an_agent_neither_sees_nor_sends_scheduled_reports(monthly, client, login):
    login(monthly["agent"])
    assert 'data-testid="scheduled-reports"' not in client.get("/w/mensual/").get_data(as_text=True)
    assert client.post("/w/mensual/reports/scheduled/0/send").status_code in (403, 404)


def test_issue_15_6_the_policy_page_shows_the_setting_in_the_readers_language(
    monthly, client, login
):
    login(monthly["spanish"])
    page = client.get("/w/mensual/policy/sections/reporting").get_data(as_text=True)
    with force_locale("es"):
        wanted = [str(_l("Scheduled reports")), str(_l("Day of the month")), str(_l("every month"))]
    assert [w for w in wanted if w not in page] == []
