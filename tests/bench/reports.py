"""Reports over a year of leads: each metric x cut (total, per month, agent, team, source)
over one workspace holding `total` leads received across 365 days, with a first contact
logged for a third of them and a status move for a fifth (won with revenue, or lost),
written as the operations write them (the lead's facts, the audit event and the
lead_status_moves row). Issue 15 asks < 1 s.

With `reuse`, a database already seeded with `total` leads (by an earlier run with the same
BENCH_DATABASE_URL and --reuse) is measured as it is, without seeding it again."""

from __future__ import annotations

import os
import random
import time
from datetime import timedelta

from flask import Flask, g
from sqlalchemy import func, insert, select

from tests.bench.fixtures import BATCH, make_workspaces
from webapp.clock import now
from webapp.extensions import db
from webapp.models import Activity, AuditEvent, Lead, LeadStatusMove, Workspace
from webapp.operations import lead_facts, policies
from webapp.reports import catalogue
from webapp.reports.compute import run as run_report
from webapp.reports.cut import Cut, Viewer
from webapp.reports.period import Period, today_in

SOURCES = ("digital_marketing", "fuente_mkt_ccima")
METRICS = (
    "leads_received",
    "contact_rate",
    "speed_to_lead",
    "conversion",
    "won_revenue",
    "leads_lost",
    "sla_compliance",
)
CUTS = (None, "month", "agent", "team", "source")
CASES = tuple((name, cut) for name in METRICS for cut in CUTS)


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
    activities, moves, facts = [], [], []
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
            status, moved = ("reserved" if won else "lost"), created + timedelta(days=1)
            moves.append(
                {
                    "workspace_id": workspace.id,
                    "action": "lead.status",
                    "subject_type": "leads",
                    "subject_id": lead_id,
                    "after": {"status": status, "revenue": "1000"} if won else {"status": status},
                    "reason": "",
                    "created_at": moved,
                }
            )
            facts.append(
                {
                    "workspace_id": workspace.id,
                    "lead_id": lead_id,
                    "status": status,
                    "moved_at": moved,
                    "reason": "",
                    "revenue": 1000.0 if won else None,
                }
            )
    for chunk, model in ((activities, Activity), (moves, AuditEvent), (facts, LeadStatusMove)):
        for start in range(0, len(chunk), BATCH):
            db.session.execute(insert(model), chunk[start : start + BATCH])
    db.session.commit()


def _settle() -> None:
    """What autovacuum would have done by the time a year of leads is reported on: the
    planner's statistics, and (PostgreSQL) the visibility map index-only scans need."""
    db.session.commit()
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                "VACUUM ANALYZE"
            )
        else:
            connection.exec_driver_sql("ANALYZE")
            connection.commit()


def run(
    app: Flask, total: int, reuse: bool = False
) -> list[tuple[str, str | None, float, float, int]]:
    """(metric, group_by, seconds, CPU seconds, rows) of each case, best of three (of two
    from a million leads: the figures are steady there, and the machine is shared). The CPU
    seconds are this process's own: on SQLite, which runs in the process, the whole work of a
    report, and steadier than the wall clock when other work shares the machine."""
    rng = random.Random(15)
    with app.app_context():
        workspace = db.session.scalar(select(Workspace).where(Workspace.slug == "bench-0"))
        held = db.session.scalar(select(func.count(Lead.id))) if workspace else 0
        if reuse and held == total:
            _settle()
            print(f"  reusing the {total:,} leads seeded before", flush=True)
        else:
            if workspace is not None:
                raise SystemExit("the database holds another size: run without --reuse")
            ((workspace, agents),) = make_workspaces(1, 12)
            started = time.perf_counter()
            _fill(workspace, agents, total, rng)
            _settle()
            print(f"  filled {total:,} leads in {time.perf_counter() - started:.0f} s", flush=True)
        if os.environ.get("BENCH_SEED_ONLY"):
            return []
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
            best = cpu = float("inf")
            rows = 0
            for _ in range(3 if total < 1_000_000 else 2):
                start, start_cpu = time.perf_counter(), time.process_time()
                report = run_report(metric, cut)
                best = min(best, time.perf_counter() - start)
                cpu = min(cpu, time.process_time() - start_cpu)
                rows = len(report.rows)
            figures.append((name, dimension, best, cpu, rows))
    return figures


def report(figures: list[tuple[str, str | None, float, float, int]]) -> None:
    """Two tables, a metric per line and its milliseconds per cut: the wall clock, then this
    process's CPU time."""
    for title, index in (("ms", 2), ("CPU ms", 3)):
        print(f"  {title:<16}" + "".join(f"{cut or 'total':>9}" for cut in CUTS), flush=True)
        times = {(f[0], f[1]): f[index] for f in figures}
        for name in METRICS:
            cells = "".join(
                f"{times[name, cut] * 1000:8.0f}{'!' if times[name, cut] >= 1 else ' '}"
                for cut in CUTS
            )
            print(f"  {name:<16}{cells}", flush=True)
    worst = max(figures, key=lambda f: f[2])
    print(
        f"  slowest: {worst[0]} by {worst[1] or 'total'}, {worst[2] * 1000:.0f} ms"
        f" (CPU {worst[3] * 1000:.0f} ms; ! = over 1 s)"
    )
