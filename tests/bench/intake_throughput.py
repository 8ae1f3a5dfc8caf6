"""Intake throughput through the real HTTP stack (gunicorn) against a bare one-INSERT endpoint
on the same database, measured in the same run. Goal (issue 4): ratio >= 0.5."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from itertools import count

from flask import Flask

from tenants.profiles import load_profile
from webapp.clock import now
from webapp.extensions import db
from webapp.models import Role
from webapp.operations import api_keys, users, workspaces

CLIENTS = 8
GUNICORN = ["--workers", "2", "--threads", "4", "--log-level", "warning"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(target: str, env: dict) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", *GUNICORN, "--bind", f"127.0.0.1:{port}", target],
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, port
        except OSError:
            time.sleep(0.1)  # waiting for gunicorn to bind
    process.kill()
    raise RuntimeError(f"{target} did not start")


def _load(port: int, path: str, headers: dict, total: int) -> float:
    """Send `total` POSTs from CLIENTS keep-alive connections; returns requests per second."""
    numbers = count()

    def client(_: int) -> int:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        sent = 0
        while (n := next(numbers)) < total:
            body = json.dumps(
                {
                    "contact_name": f"Bench {n}",
                    "phone": f"+52 55 {n:08d}"[:16],
                    "source": "digital_marketing",
                }
            )
            connection.request("POST", path, body, {"Content-Type": "application/json", **headers})
            response = connection.getresponse()
            response.read()
            if response.status not in (200, 201):
                raise RuntimeError(f"{path} answered {response.status}")
            sent += 1
        connection.close()
        return sent

    started = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        done = sum(pool.map(client, range(CLIENTS)))
    return done / (time.perf_counter() - started)


def _always_open(document: dict) -> dict:
    """The contact-center policy open around the clock, so every run measures a lead being
    assigned and its SLA started, whatever the hour (outside hours a lead only waits)."""
    days = document["calendar"]["business_hours"]
    return {
        **document,
        "calendar": {
            **document["calendar"],
            "business_hours": {day: ["00:00-23:59"] for day in days},
        },
    }


def run(app: Flask, database: str, redis_url: str, total: int) -> dict[str, float]:
    with app.app_context():
        workspace = workspaces.create_workspace(
            "bench",
            "Bench",
            locale="en",
            time_zone="America/Mexico_City",
            country="MX",
            policy_document=_always_open(load_profile("ccima_contact_center")),
            actor=None,
        )
        team = workspaces.create_team(workspace, "Asesores", actor=None, code="contact_center")
        for n in range(5):
            user = users.create_user(f"agent{n}@bench.test", f"Agent {n}", "bench-password")
            membership = users.add_member(workspace, user, Role.AGENT, actor=None, team=team)
            users.put_on_roster(membership, now().date(), confirmed_at=now(), actor=None)
        _key, secret = api_keys.create_api_key(workspace, "bench", actor=None)
        db.session.remove()
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "REDIS_URL": redis_url,
        "SECRET_KEY": "bench",
        "LEADLINE_INSTANCE_PATH": app.instance_path,
        "API_REQUESTS_PER_MINUTE": "100000000",  # measure intake, not the rate limit
    }
    figures = {}
    for name, target, path, headers in (
        ("bare", "tests.bench.bare_app:app", "/", {}),
        ("leadline", "webapp.wsgi:app", "/api/v1/leads", {"Authorization": f"Bearer {secret}"}),
    ):
        process, port = _serve(target, env)
        try:
            figures[name] = _load(port, path, headers, total)
        finally:
            process.terminate()
            process.wait(timeout=10)
    figures["ratio"] = figures["leadline"] / figures["bare"]
    return figures


def report(figures: dict[str, float]) -> None:
    print(f"  bare INSERT endpoint: {figures['bare']:.0f} requests/s", flush=True)
    print(f"  POST /api/v1/leads:   {figures['leadline']:.0f} requests/s", flush=True)
    print(f"  ratio: {figures['ratio']:.2f} (goal >= 0.5)", flush=True)
