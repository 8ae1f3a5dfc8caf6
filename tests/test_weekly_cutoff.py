"""The weekly cut-off, Monday 09:00 in Mexico City (CCIMA-7, CCIMA-8): fired by a real worker,
it stores each advisor's report over a seeded week, says who is incomplete, tells them and
their manager, and never sends anything twice."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from tenants.profiles import load_profile
from tests.test_deal_announcements import _contact_center
from tests.test_notification_delivery import _channel, _work
from tests.test_timer_actions import _fire_due
from webapp.channels.messages import lead_link, render_message
from webapp.extensions import db
from webapp.models import Deadline, DeadlineState, Lead, Notification, Role, WeeklyReport
from webapp.operations import deadlines, leads, outcomes, policies, recurring, reporting
from webapp.operations.intake import IntakeRequest, receive_lead
from webapp.report_fields import reason_label

MX = ZoneInfo("America/Mexico_City")
CUTOFF = datetime(2026, 11, 23, 9, 0, tzinfo=MX).astimezone(UTC)  # Monday 09:00, 15:00 UTC
WEEKLY = ("weekly_report", "weekly_cutoff_incomplete")


def mx(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=MX).astimezone(UTC)


def _seed(workspace, advisor, name: str, at: datetime, **fields) -> Lead:
    """A lead straight into the advisor's books at `at` (no assignment: its SLA clock is not
    what this test is about)."""
    with time_machine.travel(at, tick=False):
        lead = leads.create_lead(
            workspace,
            contact_name=name,
            actor=None,
            phone=f"55 1000 {sum(map(ord, name)) % 10000:04d}",
            received_at=at,
            source=fields.pop("source", "digital_marketing"),
            **fields,
        )
    lead.owner_id = advisor.id
    db.session.commit()
    return lead


def _status(lead: Lead, status: str, at: datetime, actor) -> None:
    with time_machine.travel(at, tick=False):
        outcomes.change_status(lead, status, actor=actor)


def _outcome(lead: Lead, code: str, at: datetime, actor) -> None:
    with time_machine.travel(at, tick=False):
        outcomes.record_outcome(lead, code, actor=actor)


@pytest.fixture
def week(make_workspace, make_member, httpserver):
    """Advisor 0's and advisor 1's week from Monday 16 to Monday 23 November 2026."""
    workspace, _team, manager, advisors = _contact_center(make_workspace, make_member)
    for person in (manager, *advisors):
        person.preferred_locale = "es"
    db.session.commit()
    ana, luis = advisors[0], advisors[1]
    _channel(workspace, "whatsapp", httpserver.url_for(""), phone_number_id="77", token="wa")
    httpserver.expect_request("/77/messages", method="POST").respond_with_json({})
    with time_machine.travel(mx(16, 10), tick=False):
        recurring.ensure_all()  # the cut-off's first row: next Monday 09:00

    alma = _seed(workspace, ana, "Alma", mx(5, 10), rating="AAA")
    _status(alma, "follow_up", mx(6, 10), ana)
    _status(alma, "appointment_held", mx(17, 10), ana)
    eva = _seed(workspace, ana, "Eva", mx(2, 10), rating="AA")
    _status(eva, "contacted", mx(3, 10), ana)  # and nothing since: not worked this week
    beto = _seed(workspace, ana, "Beto", mx(17, 11), rating="AAA")
    _outcome(beto, "contacted", mx(17, 11, 5), ana)
    _outcome(beto, "reservation", mx(19, 12), ana)
    carla = _seed(workspace, ana, "Carla", mx(18, 10), rating="A")
    _outcome(carla, "contacted", mx(18, 10, 5), ana)
    _status(carla, "appointment_held", mx(19, 10), ana)
    _status(carla, "opportunity", mx(20, 10), ana)
    _seed(workspace, ana, "Dora", mx(18, 15))  # no rating, never touched
    with time_machine.travel(mx(17, 12), tick=False):  # CCIMA-10: through intake
        fito = receive_lead(
            workspace,
            IntakeRequest(
                "Fito",
                phone="55 2000 0001",
                source="fuente_mkt_ccima",
                rating="B",
                taken_by_id=ana.id,
            ),
            actor=None,
        ).lead
    _outcome(fito, "contacted", mx(17, 12, 5), ana)
    gabi = _seed(workspace, luis, "Gabi", mx(17, 13), rating="AA")
    _outcome(gabi, "contacted", mx(17, 13, 5), luis)
    return {
        "workspace": workspace,
        "manager": manager,
        "ana": ana,
        "luis": luis,
        "third": advisors[2],
    }


def _reports() -> dict[str, WeeklyReport]:
    db.session.expire_all()
    return {r.user.name: r for r in db.session.scalars(select(WeeklyReport))}


def _weekly_messages() -> list[tuple[int, str, str]]:
    rows = db.session.scalars(select(Notification).where(Notification.template.in_(WEEKLY)))
    return sorted((n.recipient_user_id, n.template, n.channel) for n in rows)


def _cutoff_rows(workspace) -> list[Deadline]:
    return db.session.scalars(
        select(Deadline)
        .where(Deadline.workspace_id == workspace.id, Deadline.kind == reporting.CUTOFF)
        .order_by(Deadline.due_at)
    ).all()


def _fired(redis_conn) -> None:
    with time_machine.travel(CUTOFF, tick=False):
        _fire_due(redis_conn)
        _work(redis_conn)


def test_ccima_7_8_the_cutoff_fires_at_monday_0900_not_0859(week, redis_conn):
    with time_machine.travel(CUTOFF - timedelta(seconds=1), tick=False):
        _fire_due(redis_conn)
    assert _reports() == {}
    (row,) = _cutoff_rows(week["workspace"])
    assert row.state == DeadlineState.PENDING and row.due_at == CUTOFF
    _fired(redis_conn)
    # Every authorised advisor, with leads or not; not the manager (no leads of his own) nor
    # the unauthorised support agent.
    assert set(_reports()) == {"Asesor 0", "Asesor 1", "Asesor 2"}
    first, following = _cutoff_rows(week["workspace"])
    assert first.state == DeadlineState.FIRED
    assert following.state == DeadlineState.PENDING
    assert following.due_at == datetime(2026, 11, 30, 9, 0, tzinfo=MX)


def test_ccima_8_the_report_counts_the_seeded_week(week, redis_conn):
    _fired(redis_conn)
    ana, luis = _reports()["Asesor 0"], _reports()["Asesor 1"]
    assert ana.week_start == datetime(2026, 11, 16, 9, 0, tzinfo=MX)
    assert ana.cutoff_at == CUTOFF
    assert ana.figures == {
        "leads_received": 4,  # Beto, Carla, Dora, Fito
        "prospects_in_follow_up": 4,  # Alma, Carla, Eva, Fito
        "appointments_held": 2,  # Alma, Carla
        "sales_opportunities_from_appointments": 1,  # Carla
        "reservations": 1,  # Beto
        "aaa_prospects_count": 2,
        "aaa_prospect_names": ["Alma", "Beto"],
    }
    # CCIMA-10: the referral through its source is counted as such.
    assert ana.received_by_source == {"digital_marketing": 3, "fuente_mkt_ccima": 1}
    assert luis.figures["leads_received"] == 1 and luis.figures["aaa_prospect_names"] == []


def test_ccima_7_who_is_incomplete_and_why(week, redis_conn):
    _fired(redis_conn)
    ana, luis = _reports()["Asesor 0"], _reports()["Asesor 1"]
    assert [(x["contact_name"], x["reasons"]) for x in ana.incomplete] == [
        ("Dora", ["missing_rating", "status_not_updated", "not_worked_this_week"]),
        ("Eva", ["not_worked_this_week"]),
    ]
    assert luis.incomplete == []


def test_the_report_and_the_incomplete_leads_reach_advisor_and_manager(
    week, redis_conn, httpserver
):
    _fired(redis_conn)
    ana, luis, third, manager = week["ana"], week["luis"], week["third"], week["manager"]
    both = ("in_app", "whatsapp")
    reported = (ana, luis, third, manager, manager, manager)  # the manager gets all three
    expected = sorted(
        [(p.id, "weekly_report", c) for p in reported for c in both]
        + [(p.id, "weekly_cutoff_incomplete", c) for p in (ana, manager) for c in both]
    )
    assert _weekly_messages() == expected
    sent = {
        json.loads(call.data)["text"]["body"]
        for call, _ in httpserver.log
        if call.path == "/77/messages"
    }
    rows = db.session.scalars(
        select(Notification).where(
            Notification.template.in_(WEEKLY), Notification.channel == "whatsapp"
        )
    ).all()
    # Each WhatsApp message is its text in the recipient's language (Spanish here).
    assert {
        render_message(n.template, n.payload, "es", lead_link("cc", n.payload)).text for n in rows
    } <= sent
    assert len(rows) == 8
    (report,) = [n for n in rows if n.template == "weekly_report" and n.recipient_user_id == ana.id]
    assert report.payload["figures"]["leads_received"] == 4
    text = render_message("weekly_report", report.payload, "es", None).text
    assert "23 nov 2026" in text and "Alma, Beto" in text and ": 4" in text
    (incomplete,) = [
        n
        for n in rows
        if n.template == "weekly_cutoff_incomplete" and n.recipient_user_id == ana.id
    ]
    assert incomplete.payload["names"] == "Dora, Eva" and incomplete.payload["count"] == 2


def test_firing_again_sends_nothing_twice(week, redis_conn, httpserver):
    _fired(redis_conn)
    (row, _next) = _cutoff_rows(week["workspace"])
    messages, calls = _weekly_messages(), len(httpserver.log)
    with time_machine.travel(CUTOFF + timedelta(minutes=5), tick=False):
        assert deadlines.fire(row.id) is False
        assert reporting.run_cutoff(week["workspace"], CUTOFF, occurrence=row.id) == 0
        _fire_due(redis_conn)
        _work(redis_conn)
    assert _weekly_messages() == messages
    assert len(httpserver.log) == calls
    assert db.session.scalar(select(func.count(WeeklyReport.id))) == 3


def _page(client, **query) -> tuple[int, str]:
    response = client.get("/w/cc/reports/weekly", query_string=query)
    return response.status_code, response.get_data(as_text=True)


def test_managers_see_who_is_incomplete_and_every_report(week, redis_conn, client, login):
    _fired(redis_conn)
    login(week["manager"])
    status, page = _page(client)
    assert status == 200
    assert "Asesor 0" in page and "Asesor 1" in page
    with force_locale("es"):
        reasons = [reason_label("not_worked_this_week"), reason_label("missing_rating")]
    assert "Dora" in page and all(str(reason) in page for reason in reasons)
    assert "23 nov 2026" in page  # the cut-off in the workspace's language (Babel)
    assert "Fuente MKT CCIMA: 1" in page  # the source's label, counted (CCIMA-10)
    status, _same = _page(client, cutoff=CUTOFF.isoformat())
    assert status == 200
    assert _page(client, cutoff="not-a-date")[0] == 404
    assert _page(client, cutoff=(CUTOFF - timedelta(days=7)).isoformat())[0] == 404


def test_an_advisor_sees_only_their_own_report(week, redis_conn, client, login):
    _fired(redis_conn)
    login(week["luis"])
    status, page = _page(client)
    assert status == 200 and "Asesor 1" in page
    assert "Asesor 0" not in page and "Dora" not in page


def test_before_the_first_cutoff_the_page_says_so(week, client, login):
    login(week["manager"])
    status, page = _page(client)
    with force_locale("es"):
        expected = _("No cut-off has been made yet: the first report comes at the next one.")
    assert status == 200 and expected in page


def test_partners_may_not_read_reports(week, client, login_as):
    login_as(Role.PARTNER, week["workspace"])
    assert _page(client)[0] == 403


def test_a_workspace_made_after_mondays_cutoff_waits_for_the_next_one(make_workspace, redis_conn):
    tuesday = mx(24, 10)
    with time_machine.travel(tuesday, tick=False):
        workspace = make_workspace(
            slug="new-cc",
            time_zone="America/Mexico_City",
            policy_document=load_profile("ccima_contact_center"),
        )
        _fire_due(redis_conn)
        _work(redis_conn)
    (row,) = _cutoff_rows(workspace)
    assert row.state == DeadlineState.PENDING
    assert row.due_at == datetime(2026, 11, 30, 9, 0, tzinfo=MX)
    assert _reports() == {} and _weekly_messages() == []


def test_ccima_8_the_policy_names_who_receives_the_weekly_report(week, redis_conn):
    """reporting.weekly_report_recipients: here the advisors only, not their manager."""
    workspace = week["workspace"]
    document = policies.active_policy(workspace).dump()
    document["reporting"]["weekly_report_recipients"] = ["agent"]
    policies.save_version(workspace, document, author=None)
    _fired(redis_conn)
    reported = {person for person, template, _ in _weekly_messages() if template == WEEKLY[0]}
    assert reported == {week["ana"].id, week["luis"].id, week["third"].id}
