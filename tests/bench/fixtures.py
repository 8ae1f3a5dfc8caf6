"""Bulk data for benchmarks: many workspaces, agents and leads, inserted fast."""

from __future__ import annotations

import itertools
import random
from datetime import timedelta

from sqlalchemy import insert, select

from tenants.profiles import load_profile
from webapp.clock import now
from webapp.extensions import db
from webapp.models import Deadline, Lead, Membership, Role, User, Workspace
from webapp.operations import users, workspaces

BATCH = 20_000
STATUSES = ("new", "contacted", "follow_up", "appointment_held", "reserved", "lost")


def make_workspaces(count: int, agents_per_workspace: int) -> list[tuple[Workspace, list[User]]]:
    """`count` CCIMA-policy workspaces, each with its agents (passwords hashed once)."""
    made = []
    password_hash = None
    for n in range(count):
        workspace = workspaces.create_workspace(
            f"bench-{n}",
            f"Bench {n}",
            locale="es",
            time_zone="America/Mexico_City",
            country="MX",
            policy_document=load_profile("ccima_contact_center"),
            actor=None,
        )
        agents = []
        for a in range(agents_per_workspace):
            user = User(email=f"agent{a}@bench-{n}.test", name=f"Agent {a}", password_hash="x")
            db.session.add(user)
            agents.append(user)
        db.session.flush()
        password_hash = password_hash or _hash()
        for user in agents:
            user.password_hash = password_hash
            db.session.add(Membership(workspace_id=workspace.id, user_id=user.id, role=Role.AGENT))
        db.session.commit()
        made.append((workspace, agents))
    return made


def _hash() -> str:
    probe = User(email="probe@bench.test", name="probe", password_hash="")
    probe.set_password("bench-password")
    return probe.password_hash


def add_leads(
    made: list[tuple[Workspace, list[User]]], total: int, seed: int = 7, focus: int = 0
) -> None:
    """`total` leads spread over the workspaces' agents, a deadline for each new one.

    The first `focus` of them go to the first agent of the first workspace (the one whose
    queue is measured), so its page is the same size whatever the size of the database.
    """
    rng = random.Random(seed)
    moment = now()
    owners = [(ws.id, agent.id) for ws, agents in made for agent in agents]
    measured, others = owners[0], owners[1:]
    cycle = itertools.chain(itertools.repeat(measured, focus), itertools.cycle(others))
    remaining = total
    while remaining:
        size = min(BATCH, remaining)
        rows = []
        for _ in range(size):
            workspace_id, owner_id = next(cycle)
            created = moment - timedelta(minutes=rng.randrange(60 * 24 * 90))
            rows.append(
                {
                    "workspace_id": workspace_id,
                    "owner_id": owner_id,
                    "contact_name": f"Lead {rng.randrange(10**9)}",
                    "source": "digital_marketing",
                    "status": rng.choice(STATUSES),
                    "attributes": {},
                    "created_at": created,
                    "updated_at": created,
                }
            )
        db.session.execute(insert(Lead), rows)
        remaining -= size
    db.session.commit()
    _add_deadlines(moment)


def _add_deadlines(moment) -> None:
    """A pending contact deadline for every lead still new (what the queue sorts by)."""
    ids = db.session.execute(select(Lead.id, Lead.workspace_id).where(Lead.status == "new")).all()
    for start in range(0, len(ids), BATCH):
        db.session.execute(
            insert(Deadline),
            [
                {
                    "workspace_id": ws,
                    "lead_id": lead_id,
                    "kind": "contact_sla",
                    "due_at": moment + timedelta(minutes=lead_id % 600 - 300),
                    "state": "pending",
                    "payload": {},
                }
                for lead_id, ws in ids[start : start + BATCH]
            ],
        )
    # What the deadline operations keep for each lead: its earliest pending deadline.
    db.session.execute(
        db.text(
            "UPDATE leads SET next_due_at = (SELECT min(d.due_at) FROM deadlines d "
            "WHERE d.lead_id = leads.id AND d.state = 'pending') WHERE status = 'new'"
        )
    )
    db.session.commit()


def sign_in_user(made) -> User:
    return made[0][1][0]


__all__ = ["add_leads", "make_workspaces", "sign_in_user", "users"]
