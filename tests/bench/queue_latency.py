"""Queue fragment latency at 1 k and at 1 M leads across 100 workspaces, and SQL per render.

One agent's queue is measured; it holds the same 300 leads at both sizes (a full page of 100
shown), so the figures show what a million other leads cost that agent.

Goal (issue 4): p95 < 50 ms, and at 1 M at most 1.5x the 1 k figure; statements per render
constant in the number of leads.
"""

from __future__ import annotations

import time

from flask import Flask, url_for

from tests.bench import fixtures
from tests.bench.measure import counting_statements, percentiles, timed
from webapp.extensions import db

WORKSPACES = 100
AGENTS_PER_WORKSPACE = 10
REPEAT = 200
# The measured agent's own leads, the same at both sizes: what grows is everyone else's.
MEASURED_AGENT_LEADS = 300


def _fragment(app: Flask, client, slug: str) -> None:
    response = client.get(f"/w/{slug}/queue/", headers={"HX-Request": "true"})
    assert response.status_code == 200, response.status_code


def run(app: Flask, big: int) -> dict[str, dict]:
    figures: dict[str, dict] = {}
    with app.app_context():
        started = time.perf_counter()
        made = fixtures.make_workspaces(WORKSPACES, AGENTS_PER_WORKSPACE)
        fixtures.add_leads(made, 1_000, focus=MEASURED_AGENT_LEADS)
        agent = made[0][1][0]
        slug = made[0][0].slug
        email = agent.email
        print(f"  set up 1,000 leads in {time.perf_counter() - started:.1f} s", flush=True)
    client = app.test_client()
    assert (
        client.post("/login", data={"email": email, "password": "bench-password"}).status_code
        == 302
    )
    figures["1k"] = _measure(app, client, slug)
    with app.app_context():
        started = time.perf_counter()
        made = [(ws, agents) for ws, agents in _reload(WORKSPACES)]
        fixtures.add_leads(made, big - 1_000, seed=11)
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
        print(f"  added {big - 1_000:,} leads in {time.perf_counter() - started:.1f} s", flush=True)
    figures[f"{big // 1000}k"] = _measure(app, client, slug)
    return figures


def _reload(count: int):
    from sqlalchemy import select

    from webapp.models import Membership, User, Workspace

    for n in range(count):
        workspace = db.session.scalar(select(Workspace).where(Workspace.slug == f"bench-{n}"))
        agents = db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.workspace_id == workspace.id)
            .order_by(User.id)
        ).all()
        yield workspace, agents


def _measure(app: Flask, client, slug: str) -> dict:
    with app.app_context():
        engine = db.engine
    with counting_statements(engine) as statements:
        _fragment(app, client, slug)
    samples = timed(lambda: _fragment(app, client, slug), REPEAT)
    return {**percentiles(samples), "statements": len(statements)}


__all__ = ["run", "url_for"]
