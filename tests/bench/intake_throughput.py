"""Intake throughput through the real HTTP stack (gunicorn), side by side in one run (issue 17,
item 4): a bare one-INSERT endpoint, a plain Flask + SQLAlchemy ORM CRUD endpoint (one lead
INSERT, one audit INSERT, one RQ enqueue) and Leadline's `POST /api/v1/leads`, three servers at
once with the same gunicorn settings on the same database, loaded in alternating rounds.
Goals: Leadline >= 1.0 of the CRUD endpoint, on the way to 0.5 of the bare one."""

from __future__ import annotations

import http.client
import json
import os
import socket
import statistics
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
ROUNDS = 5
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


def _load(port: int, path: str, headers: dict, first: int, total: int) -> dict[str, float]:
    """Send `total` POSTs from CLIENTS keep-alive connections, numbered from `first` (every
    lead a new phone); returns requests per second and the median latency in ms."""
    numbers = count(first)
    last = first + total
    latencies: list[float] = []
    failed: list[int] = []

    def client(_: int) -> int:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        sent = 0
        while (n := next(numbers)) < last:
            body = json.dumps(
                {
                    "contact_name": f"Bench {n}",
                    "phone": f"+52 55 {n:08d}"[:16],
                    "source": "digital_marketing",
                }
            )
            began = time.perf_counter()
            try:
                connection.request(
                    "POST", path, body, {"Content-Type": "application/json", **headers}
                )
                response = connection.getresponse()
                response.read()
            except OSError:  # a worker killed by gunicorn's timeout on an overloaded machine
                failed.append(0)
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                continue
            latencies.append((time.perf_counter() - began) * 1000)
            if response.status not in (200, 201):
                failed.append(response.status)  # counted and reported, not measured
                continue
            sent += 1
        connection.close()
        return sent

    started = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        done = sum(pool.map(client, range(CLIENTS)))
    return {
        "rate": done / (time.perf_counter() - started),
        "latency": statistics.median(latencies),
        "failed": len(failed),
    }


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
    sides = (
        ("bare", "tests.bench.bare_app:app", "/", {}),
        ("crud", "tests.bench.crud_app:app", "/leads", {}),
        ("leadline", "webapp.wsgi:app", "/api/v1/leads", {"Authorization": f"Bearer {secret}"}),
    )
    servers = {}
    try:
        for name, target, _path, _headers in sides:
            servers[name] = _serve(target, env)
        per_round = max(total // ROUNDS, 1)
        samples: dict[str, list[dict[str, float]]] = {name: [] for name, *_ in sides}
        for number in range(ROUNDS):
            # Each round loads the three in a rotated order, so none always goes first.
            order = sides[number % 3 :] + sides[: number % 3]
            for name, _target, path, headers in order:
                first = (number * 3 + [s[0] for s in sides].index(name)) * per_round
                samples[name].append(_load(servers[name][1], path, headers, first, per_round))
    finally:
        for process, _port in servers.values():
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
    figures: dict[str, float] = {}
    for name, rounds in samples.items():
        figures[name] = statistics.median(r["rate"] for r in rounds)
        figures[f"{name}_ms"] = statistics.median(r["latency"] for r in rounds)
        figures[f"{name}_failed"] = sum(r["failed"] for r in rounds)
    figures["vs_crud"] = figures["leadline"] / figures["crud"]
    figures["vs_bare"] = figures["leadline"] / figures["bare"]
    return figures


def report(figures: dict[str, float]) -> None:
    print(f"  medians of {ROUNDS} alternating rounds, {CLIENTS} clients:", flush=True)
    for name, label in (
        ("bare", "bare INSERT endpoint"),
        ("crud", "plain CRUD endpoint "),
        ("leadline", "POST /api/v1/leads  "),
    ):
        print(
            f"  {label}: {figures[name]:6.0f} requests/s, median latency"
            f" {figures[name + '_ms']:.1f} ms, {figures[name + '_failed']:.0f} failed",
            flush=True,
        )
    print(f"  Leadline/CRUD: {figures['vs_crud']:.2f} (goal >= 1.0)", flush=True)
    print(f"  Leadline/bare: {figures['vs_bare']:.3f} (on the way to 0.5)", flush=True)
