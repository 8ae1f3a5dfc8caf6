"""Offers for a caller's number on the interaction screen with 50 active campaigns and 1 M
customers (issue 14 item 11): the number's tariff and services from the base, the campaigns
targeting it, the exceptions, and the whole screen rendered.

Goal: p95 < 50 ms. Half the campaigns go to every number, half to a list of 2,000 numbers
(the measured one on some of them); a few have tariff or service exceptions.
"""

from __future__ import annotations

import time

from flask import Flask
from sqlalchemy import insert

from tenants.profiles import load_profile
from tests.bench.measure import counting_statements, percentiles, timed
from webapp.extensions import db
from webapp.models import Campaign, CampaignTarget, Customer, Membership, Role, User
from webapp.operations import campaigns, interactions, policies, workspaces

CAMPAIGNS = 50
TARGETS_PER_LIST = 2_000
BATCH = 50_000
REPEAT = 200
MEASURED = "9000000007"
TARIFFS = ("Базовый", "Смарт", "Корпоративный")


def _ctn(n: int) -> str:
    return f"{9_000_000_000 + n}"


def _setup(customers: int):
    workspace = workspaces.create_workspace(
        "bench-telecom",
        "Bench telecom",
        locale="ru",
        time_zone="Europe/Moscow",
        country="RU",
        policy_document=load_profile("telecom_inbound_offers"),
        actor=None,
    )
    agent = User(email="agent@bench-telecom.test", name="Agent", password_hash="x")
    agent.set_password("bench-password")
    db.session.add(agent)
    db.session.flush()
    db.session.add(Membership(workspace_id=workspace.id, user_id=agent.id, role=Role.AGENT))
    rows = []
    for n in range(CAMPAIGNS):
        rows.append(
            Campaign(
                workspace_id=workspace.id,
                code=f"C{n:02d}",
                name=f"Campaign {n}",
                priority=n + 1,
                active=True,
                targets_all=n % 2 == 0,
                script="Script " * 20,
                excluded_tariffs=["Корпоративный"] if n % 10 == 3 else [],
                excluded_services=["S7"] if n % 10 == 5 else [],
            )
        )
    db.session.add_all(rows)
    db.session.flush()
    for n, campaign in enumerate(rows):
        if campaign.targets_all:
            continue
        start = 0 if n % 4 == 1 else 100_000 + n * TARGETS_PER_LIST  # some list the measured one
        db.session.execute(
            insert(CampaignTarget),
            [
                {"workspace_id": workspace.id, "campaign_id": campaign.id, "ctn": _ctn(start + i)}
                for i in range(TARGETS_PER_LIST)
            ],
        )
    for first in range(0, customers, BATCH):
        db.session.execute(
            insert(Customer),
            [
                {
                    "workspace_id": workspace.id,
                    "ctn": _ctn(i),
                    "tariff": TARIFFS[i % 3],
                    "services": [f"S{i % 9}"],
                }
                for i in range(first, min(first + BATCH, customers))
            ],
        )
    db.session.commit()
    return workspace, agent


def run(app: Flask, customers: int) -> dict:
    with app.app_context():
        started = time.perf_counter()
        workspace, agent = _setup(customers)
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
        setup_s = time.perf_counter() - started
        policy = policies.active_policy(workspace)

        def offers() -> None:
            known = interactions.customer(workspace, MEASURED)
            shown, _excluded = campaigns.for_number(
                workspace,
                policy,
                MEASURED,
                known.tariff,
                known.services,
                campaigns.local_day(workspace),
            )
            assert shown and len(shown) < CAMPAIGNS

        with counting_statements(db.engine) as statements:
            offers()
        figures = {
            "setup_s": setup_s,
            "offers": percentiles(timed(offers, REPEAT)),
            "statements": len(statements),
        }
        interaction = interactions.open_interaction(workspace, MEASURED, agent=agent, actor=None)
        interaction_id, email = interaction.id, agent.email
    client = app.test_client()
    assert (
        client.post("/login", data={"email": email, "password": "bench-password"}).status_code
        == 302
    )

    def screen() -> None:
        assert client.get(f"/w/bench-telecom/interactions/{interaction_id}").status_code == 200

    figures["screen"] = percentiles(timed(screen, REPEAT // 2))
    return figures


def report(figures: dict, customers: int) -> None:
    print(
        f"  set up {CAMPAIGNS} campaigns and {customers:,} customers in {figures['setup_s']:.1f} s"
    )
    o, s = figures["offers"], figures["screen"]
    print(
        f"  offers for a CTN: p50 {o['p50']:.1f} ms, p95 {o['p95']:.1f} ms, max {o['max']:.1f} ms,"
        f" {figures['statements']} SQL statements"
    )
    print(
        f"  whole interaction screen: p50 {s['p50']:.1f} ms, p95 {s['p95']:.1f} ms,"
        f" max {s['max']:.1f} ms"
    )
