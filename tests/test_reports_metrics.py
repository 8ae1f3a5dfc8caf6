"""The reporting layer over stored events: figures computed by SQL aggregates from the leads,
activities, deadlines and audit rows a contact centre leaves (CCIMA policy), read through
the API (GET /api/v1/reports/<name>) as a manager's integration would."""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine
from sqlalchemy import select

from tests.api_helpers import key_headers
from tests.test_deal_announcements import _contact_center
from webapp.extensions import db
from webapp.models import Deadline, DeadlineState, Lead, LeadStatusMove, User
from webapp.operations import activities, assignment, deadlines, leads, outcomes


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of November 2026 in Mexico City (UTC-6)."""
    return datetime(2026, 11, day, hour + 6, minute, tzinfo=UTC)


def _lead(workspace, advisor, name: str, when: datetime, **fields):
    with time_machine.travel(when, tick=False):
        lead = leads.create_lead(
            workspace,
            contact_name=name,
            actor=None,
            phone=f"55 1000 {sum(map(ord, name)) % 10000:04d}",
            received_at=when,
            source=fields.pop("source", "digital_marketing"),
            **fields,
            owner=advisor,
        )
    db.session.commit()
    return lead


def _call(lead, advisor, when: datetime) -> None:
    with time_machine.travel(when, tick=False):
        activities.log_activity(lead, "call", actor=advisor)
        db.session.commit()


def _get(client, workspace, path: str, **params):
    headers = key_headers(workspace, "manager")
    return client.get(f"/api/v1/reports{path}", query_string=params, headers=headers)


def _breach(lead, when: datetime) -> None:
    """The lead's pending SLA timer runs out at `when` (fired as the sweep would)."""
    with time_machine.travel(when, tick=False):
        pending = db.session.scalars(
            select(Deadline).where(
                Deadline.lead_id == lead.id, Deadline.state == DeadlineState.PENDING
            )
        ).all()
        for deadline in pending:
            deadlines.fire(deadline.id)
        db.session.commit()


def _week(make_workspace, make_member):
    """Four leads of the week of Monday 16 November 2026: contacted after 4 minutes, after
    6 open minutes (it arrived at 06:00, before the 08:00 opening), after 30 minutes (its
    10-minute SLA ran out first) and never; one reserved with its revenue, one lost."""
    workspace, _team, manager, advisors = _contact_center(make_workspace, make_member)
    ana, luis = advisors[0], advisors[1]
    quick = _lead(workspace, ana, "Rápido", at(17, 10), rating="AAA")
    _call(quick, ana, at(17, 10, 4))
    early = _lead(workspace, luis, "Madrugador", at(16, 6), rating="AA", source="fuente_mkt_ccima")
    _call(early, luis, at(16, 8, 6))
    slow = _lead(workspace, ana, "Lento", at(17, 10), rating="B")
    _breach(slow, at(17, 10, 11))
    _call(slow, ana, at(17, 10, 30))
    _lead(workspace, luis, "Nunca", at(18, 12))
    with time_machine.travel(at(19, 12), tick=False):
        outcomes.change_status(quick, "reserved", actor=ana, revenue="250000")
        outcomes.change_status(early, "lost", actor=luis, reason="Sin presupuesto")
        db.session.commit()
    return workspace, manager, ana, luis


WEEK = {"from": "2026-11-16", "to": "2026-11-22"}


def test_leads_received_per_day_in_the_workspace_zone(client, make_workspace, make_member):
    workspace, *_ = _week(make_workspace, make_member)
    with time_machine.travel(at(23, 9), tick=False):
        body = _get(client, workspace, "/leads_received", group_by="day", **WEEK).get_json()
    assert body["total"]["value"] == 4
    assert [r["key"] for r in body["rows"]][:3] == ["2026-11-16", "2026-11-17", "2026-11-18"]
    assert [r["value"] for r in body["rows"]] == [1, 2, 1, 0, 0, 0, 0]


def test_speed_to_lead_counts_open_time_from_the_opening_median_p90_and_share_in_sla(
    client, make_workspace, make_member
):
    """CCIMA-6's 10-minute business-time SLA: 4 min, 6 min (from the 08:00 opening, not from
    the 06:00 arrival) and 30 min; the lead never contacted is not in the figures."""
    workspace, *_ = _week(make_workspace, make_member)
    with time_machine.travel(at(23, 9), tick=False):
        total = _get(client, workspace, "/speed_to_lead", **WEEK).get_json()["total"]
    assert total["contacted"] == 3
    assert total["median"] == 360
    assert total["p90"] == 360 + (1800 - 360) * 0.8
    assert abs(total["within_sla"] - 2 / 3) < 1e-9


def test_issue_15_speed_to_lead_per_source_and_day_percentiles_taken_by_the_database(
    client, make_workspace, make_member
):
    """Issue 15 item 1: the median and p90 per group come from SQL (percentile_cont on
    PostgreSQL, ranks picked from a window on SQLite), interpolated between the closest
    ranks: digital marketing 4 and 30 minutes, MKT CCIMA 6 open minutes; per day the same."""
    workspace, *_ = _week(make_workspace, make_member)
    with time_machine.travel(at(23, 9), tick=False):
        sources = _get(client, workspace, "/speed_to_lead", group_by="source", **WEEK).get_json()
        days = _get(client, workspace, "/speed_to_lead", group_by="day", **WEEK).get_json()
    digital, ccima = (
        next(r for r in sources["rows"] if r["key"] == key)
        for key in ("digital_marketing", "fuente_mkt_ccima")
    )
    assert digital["contacted"] == 2 and digital["within_sla"] == 0.5
    assert abs(digital["median"] - (240 + (1800 - 240) * 0.5)) < 1e-6
    assert abs(digital["p90"] - (240 + (1800 - 240) * 0.9)) < 1e-6
    assert (ccima["median"], ccima["p90"], ccima["within_sla"]) == (360, 360, 1)
    assert [r["contacted"] for r in days["rows"]] == [1, 2, 0, 0, 0, 0, 0]
    assert days["rows"][0]["median"] == 360 and days["rows"][2]["median"] is None


def test_issue_15_a_status_change_writes_the_move_the_reports_count(
    client, make_workspace, make_member
):
    """The move is a narrow row written with the status change (lead_status_moves), at the
    audit event's moment, with the reason and a won deal's revenue."""
    workspace, *_ = _week(make_workspace, make_member)
    moves = db.session.scalars(
        select(LeadStatusMove).where(LeadStatusMove.workspace_id == workspace.id)
    ).all()
    assert sorted((m.status, m.reason, m.revenue) for m in moves) == [
        ("lost", "Sin presupuesto", None),
        ("reserved", "", 250000),
    ]
    assert {m.moved_at for m in moves} == {at(19, 12)}


def test_sla_compliance_per_timer_met_breached_and_reassigned(client, make_workspace, make_member):
    workspace, *_ = _week(make_workspace, make_member)
    with time_machine.travel(at(23, 9), tick=False):
        body = _get(client, workspace, "/sla_compliance", group_by="timer", **WEEK).get_json()
    sla = next(r for r in body["rows"] if r["key"] == "contact_sla")
    assert sla["breached"] == 1 and sla["reassigned"] == 1
    assert sla["met"] >= 2


def test_contact_rate_conversion_revenue_and_lost_with_reason(client, make_workspace, make_member):
    workspace, *_ = _week(make_workspace, make_member)
    with time_machine.travel(at(23, 9), tick=False):
        contact = _get(client, workspace, "/contact_rate", **WEEK).get_json()["total"]
        revenue = _get(client, workspace, "/won_revenue", **WEEK).get_json()["total"]
        lost = _get(client, workspace, "/leads_lost", group_by="reason", **WEEK).get_json()
        stages = _get(client, workspace, "/conversion", group_by="stage", **WEEK).get_json()
    assert (contact["received"], contact["contacted"], contact["attempts"]) == (4, 3, 3)
    assert contact["contact_rate"] == 0.75
    assert revenue["value"] == 250000
    assert [(r["label"], r["value"]) for r in lost["rows"]] == [("Sin presupuesto", 1)]
    assert {r["key"]: r["leads"] for r in stages["rows"]} == {"reserved": 1, "lost": 1}


def test_ccima_12_share_of_top_rated_prospects_per_source(client, make_workspace, make_member):
    """AAA and AA, the scale's best two: 1 of 3 digital-marketing leads, 1 of 1 MKT CCIMA."""
    workspace, *_ = _week(make_workspace, make_member)
    with time_machine.travel(at(23, 9), tick=False):
        body = _get(client, workspace, "/top_rated_share", group_by="source", **WEEK).get_json()
    shares = {r["key"]: (r["top_rated"], r["received"]) for r in body["rows"]}
    assert shares == {"digital_marketing": (1, 3), "fuente_mkt_ccima": (1, 1)}


def test_bad_period_unknown_metric_and_dimension_are_422_naming_each_parameter(
    client, make_workspace, make_member
):
    workspace, *_ = _contact_center(make_workspace, make_member)
    backwards = _get(
        client, workspace, "/leads_received", **{"from": "2026-11-20", "to": "2026-11-01"}
    )
    assert backwards.status_code == 422
    assert [f["path"] for f in backwards.get_json()["error"]["fields"]] == ["to"]
    too_long = _get(
        client, workspace, "/leads_received", **{"from": "2020-01-01", "to": "2026-01-01"}
    )
    assert too_long.status_code == 422
    both = _get(client, workspace, "/nothing_like_it", group_by="planet")
    assert [f["path"] for f in both.get_json()["error"]["fields"]] == ["name"]
    dimension = _get(client, workspace, "/leads_received", group_by="planet")
    assert [f["path"] for f in dimension.get_json()["error"]["fields"]] == ["group_by"]


def test_report_list_names_the_policy_metrics_and_csv_matches_json(
    client, make_workspace, make_member
):
    workspace, *_ = _week(make_workspace, make_member)
    listed = _get(client, workspace, "").get_json()
    assert {"name", "label", "dimensions", "unit"} <= set(listed[0])
    assert "speed_to_lead" in [m["name"] for m in listed]
    with time_machine.travel(at(23, 9), tick=False):
        csv = _get(client, workspace, "/leads_received", group_by="source", format="csv", **WEEK)
    assert csv.mimetype == "text/csv"
    lines = csv.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0] == "group,value" and lines[-1] == "Total,4"


def test_issue_15_the_migration_backfills_the_status_moves_from_the_audit_trail(
    app, make_workspace, make_member
):
    """0019_rspeed: a database upgraded from 0018 gets a move row for each audited status
    change, at the event's moment, with its reason and the won deal's revenue."""
    from flask_migrate import downgrade, upgrade

    _week(make_workspace, make_member)

    def moves():
        rows = db.session.scalars(select(LeadStatusMove)).all()
        return sorted((m.lead_id, m.status, m.reason, m.revenue, m.moved_at) for m in rows)

    written = moves()
    db.session.commit()
    db.session.remove()
    downgrade(revision="0018_reports")
    upgrade()
    assert len(written) == 2 and moves() == written


def test_issue_15_a_cuts_total_from_its_groups_is_the_ungrouped_total(
    client, make_workspace, make_member
):
    """Issue 15 item 1: a metric of counts and sums adds its groups up for the total, and
    speed to lead on PostgreSQL takes the total with its groups (GROUPING SETS): the same
    total as the report without a dimension, per every cut."""
    workspace, *_ = _week(make_workspace, make_member)
    names = ("leads_received", "contact_rate", "won_revenue", "sla_compliance", "speed_to_lead")
    with time_machine.travel(at(23, 9), tick=False):
        for name in names:
            whole = _get(client, workspace, f"/{name}", **WEEK).get_json()["total"]
            for dimension in ("day", "week", "agent", "team", "source", "lead_type"):
                cut = _get(client, workspace, f"/{name}", group_by=dimension, **WEEK)
                assert cut.get_json()["total"] == whole, (name, dimension)


def test_issue_15_cuts_by_agent_team_and_source_add_up_the_fine_groups_of_the_index(
    client, make_workspace, make_member
):
    """Issue 15 (a year of a million leads under a second on SQLite): per agent, team and
    source, the leads are grouped along ix_leads_report by day and the index's columns, then
    added up. A lead held by a member of a team counts for that team; one held by a member of
    no team falls in the none group. ("Lento" ran out of its SLA and went to a third advisor.)"""
    workspace, _manager, ana, luis = _week(make_workspace, make_member)
    third = db.session.scalar(select(Lead.owner_id).where(Lead.contact_name == "Lento"))
    outsider = db.session.scalar(select(User).where(User.name == "Soporte"))
    team_id = ana.memberships[0].team_id
    _lead(workspace, outsider, "Soporte", at(18, 9), source="fuente_mkt_ccima")
    with time_machine.travel(at(23, 9), tick=False):

        def per(name: str, dimension: str, column: str = "value") -> dict:
            body = _get(client, workspace, f"/{name}", group_by=dimension, **WEEK).get_json()
            return {row["key"]: row[column] for row in body["rows"]}

        assert per("leads_received", "agent") == {ana.id: 1, luis.id: 2, third: 1, outsider.id: 1}
        assert per("leads_received", "team") == {team_id: 4, None: 1}
        assert per("leads_received", "source") == {"digital_marketing": 3, "fuente_mkt_ccima": 2}
        contacted = per("contact_rate", "agent", "contacted")
        assert contacted == {ana.id: 1, luis.id: 1, third: 1, outsider.id: 0}
        assert per("contact_rate", "team", "contact_rate") == {team_id: 3 / 4, None: 0}


def test_issue_15_moves_per_agent_team_and_source_count_the_holder_as_the_lead_moved(
    client, make_workspace, make_member
):
    """Issue 15: a status move records who held the lead, its team and source as it moved,
    so conversion, won revenue and leads lost per agent, team or source read the moves alone
    (no lookup of each lead). Ana won "Rápido"; handed to Luis afterwards, the win is still
    hers."""
    workspace, manager, ana, luis = _week(make_workspace, make_member)
    team_id = ana.memberships[0].team_id
    quick = db.session.scalar(select(Lead).where(Lead.contact_name == "Rápido"))
    with time_machine.travel(at(20, 9), tick=False):
        assignment.reassign(quick, luis, actor=manager)
        db.session.commit()
    with time_machine.travel(at(23, 9), tick=False):

        def per(name: str, dimension: str, column: str = "value") -> dict:
            body = _get(client, workspace, f"/{name}", group_by=dimension, **WEEK).get_json()
            return {row["key"]: row[column] for row in body["rows"]}

        assert per("won_revenue", "agent") == {ana.id: 250000}
        assert per("conversion", "agent", "leads") == {ana.id: 1, luis.id: 1}
        assert per("conversion", "team", "leads") == {team_id: 2}
        assert per("leads_lost", "source") == {"fuente_mkt_ccima": 1}
