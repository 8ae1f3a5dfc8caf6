"""Reports over a year of leads: each metric's query over one workspace holding `total`
leads received across 365 days, with a first contact logged for a third of them and a
status move audited for a fifth (won with revenue, or lost). Issue 15 asks < 1 s."""

from __future__ import annotations

import random
import time
from datetime import timedelta

from flask import Flask, g
from sqlalchemy import insert, select

from tests.bench.fixtures import BATCH, make_workspaces
from webapp.clock import now
from webapp.extensions import db
from webapp.models import Activity, AuditEvent, Lead
from webapp.operations import lead_facts, policies
from webapp.reports import catalogue
from webapp.reports.compute import run as run_report
from webapp.reports.cut import Cut, Viewer
from webapp.reports.period import Period, today_in

SOURCES = ("digital_marketing", "fuente_mkt_ccima")
CASES = (
    ("leads_received", None),
    ("leads_received", "month"),
    ("leads_received", "agent"),
    ("leads_received", "source"),
    ("contact_rate", None),
    ("conversion", "stage"),
    ("won_revenue", "month"),
    ("sla_compliance", "team"),
    ("speed_to_lead", None),
    ("speed_to_lead", "month"),
)


def _fill(workspace, agents, total: int, rng: random.Random) -> None:
    """Leads with the facts the operations keep on them (webapp.operations.lead_facts: the
    local day of arrival, the first contact's seconds in the policy's clock, the attempts),
    computed by the same functions, then their activities and status moves."""
    moment = now()
    policy = policies.active_policy(workspace)
    remaining, index = total, 0
    while remaining:
        size = min(BATCH, remaining)
        rows = []
        for _ in range(size):
            index += 1
            created = moment - timedelta(minutes=rng.randrange(60 * 24 * 365))
            first = created + timedelta(minutes=rng.randrange(1, 90)) if index % 3 == 0 else None
            rows.append(
                {
                    "workspace_id": workspace.id,
                    "owner_id": rng.choice(agents).id,
                    "contact_name": "Lead",
                    "source": rng.choice(SOURCES),
                    "status": "new",
                    "attributes": {},
                    "created_at": created,
                    "updated_at": created,
                    "arrived_on": lead_facts.local_day(created, workspace.time_zone),
                    "first_contact_at": first,
                    "first_contact_seconds": (
                        lead_facts.seconds_to_contact(policy, created, first) if first else None
                    ),
                    "contact_attempts": 1 if first else 0,
                }
            )
        db.session.execute(insert(Lead), rows)
        remaining -= size
    db.session.commit()
    leads = db.session.execute(
        select(Lead.id, Lead.created_at, Lead.owner_id, Lead.first_contact_at)
    ).all()
    activities, moves = [], []
    for lead_id, created, owner, first in leads:
        if first is not None:
            activities.append(
                {
                    "workspace_id": workspace.id,
                    "lead_id": lead_id,
                    "channel": "call",
                    "note": "",
                    "user_id": owner,
                    "occurred_at": first,
                }
            )
        if lead_id % 5 == 0:
            won = lead_id % 10 == 0
            moves.append(
                {
                    "workspace_id": workspace.id,
                    "action": "lead.status",
                    "subject_type": "leads",
                    "subject_id": lead_id,
                    "after": {"status": "reserved", "revenue": "1000"}
                    if won
                    else {"status": "lost"},
                    "reason": "",
                    "created_at": created + timedelta(days=1),
                }
            )
    for chunk, model in ((activities, Activity), (moves, AuditEvent)):
        for start in range(0, len(chunk), BATCH):
            db.session.execute(insert(model), chunk[start : start + BATCH])
    db.session.commit()


def run(app: Flask, total: int) -> list[tuple[str, str | None, float, int]]:
    """(metric, group_by, seconds, rows) of each case, best of three."""
    rng = random.Random(15)
    with app.app_context():
        ((workspace, agents),) = make_workspaces(1, 12)
        started = time.perf_counter()
        _fill(workspace, agents, total, rng)
        print(f"  filled {total:,} leads in {time.perf_counter() - started:.0f} s", flush=True)
    figures = []
    with app.test_request_context():
        workspace = db.session.merge(workspace)
        g.workspace, g.membership = workspace, None
        policy = policies.active_policy(workspace)
        today = today_in(workspace.time_zone)
        year = Period(today - timedelta(days=364), today, workspace.time_zone)
        for name, dimension in CASES:
            metric = catalogue.get(name)
            cut = Cut(workspace, policy, year, Viewer(), dimension)
            best, rows = float("inf"), 0
            for _ in range(3):
                start = time.perf_counter()
                report = run_report(metric, cut)
                best = min(best, time.perf_counter() - start)
                rows = len(report.rows)
            figures.append((name, dimension, best, rows))
    return figures


def report(figures: list[tuple[str, str | None, float, int]]) -> None:
    for name, dimension, seconds, rows in figures:
        flag = "" if seconds < 1 else "  (over 1 s)"
        print(
            f"  {name:<16} by {dimension or 'total':<7} {seconds * 1000:8.0f} ms, {rows} rows{flag}"
        )
