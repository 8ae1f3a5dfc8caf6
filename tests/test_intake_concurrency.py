"""Simultaneous intakes never push an agent past capacity (real threads, real database).

Without the per-workspace lock this fails on PostgreSQL every time (seen: loads [4, 5, 6, 7]);
SQLite serialises its writers, so there it mostly guards the lock against deadlocks.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from tenants.profiles import load_profile
from webapp.extensions import db
from webapp.models import Lead, Role
from webapp.operations.intake import IntakeRequest, receive_lead

CAPACITY, AGENTS, THREADS, EACH = 3, 4, 8, 4


def test_concurrent_intakes_respect_the_capacity_cap(app, make_workspace, make_member):
    document = load_profile("blank")
    document["assignment"] = {
        "strategy": {"strategy": "least_loaded"},
        "eligibility": [{"kind": "capacity", "max_open_leads": CAPACITY}],
    }
    workspace = make_workspace(policy_document=document)
    for _ in range(AGENTS):
        make_member(workspace, Role.AGENT)
    workspace_id = workspace.id

    def intake(thread: int) -> None:
        with app.app_context():
            from webapp.models import Workspace

            ws = db.session.get(Workspace, workspace_id)
            for n in range(EACH):
                receive_lead(ws, IntakeRequest(f"T{thread}-{n}"), actor=None)
            db.session.remove()

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(intake, range(THREADS)))
    db.session.expire_all()
    loads = dict(
        db.session.execute(
            select(Lead.owner_id, func.count())
            .where(Lead.owner_id.is_not(None))
            .group_by(Lead.owner_id)
        ).all()
    )
    assert db.session.scalar(select(func.count(Lead.id))) == THREADS * EACH
    assert sorted(loads.values()) == [CAPACITY] * AGENTS  # full, and never beyond
