"""`leadline up`: one command that runs the whole product on this machine."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import FrameType

import click
from flask_migrate import upgrade
from sqlalchemy import func, select

from webapp import catalogues, create_app
from webapp.extensions import db
from webapp.models import Workspace
from webapp.ops import multiprocess_dir
from workers.embedded_redis import EmbeddedRedis


def prepare_database() -> str:
    """Apply migrations; seed the five demo workspaces into an empty database. Returns the
    instance folder."""
    app = create_app()
    with app.app_context():
        upgrade()
        if db.session.scalar(select(func.count(Workspace.id))) == 0:
            from webapp.demo import seed_demo

            password = os.environ.get("LEADLINE_DEMO_PASSWORD", "leadline-demo")
            click.echo(f"Seeding the demo workspaces (password for every login: {password})")
            for email, description in seed_demo(password):
                click.echo(f"  {email:<34} {description}")
    return app.instance_path


def _wait_for_port(host: str, port: int, children: list[subprocess.Popen], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(child.poll() is not None for child in children):
            return False
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.2)  # waiting for gunicorn to bind, not for a clock
    return False


def _wait_until_ready(
    host: str, port: int, children: list[subprocess.Popen], timeout: float
) -> bool:
    """Poll /readyz (database, migrations, Redis, a worker's heartbeat) until it says 200."""
    address = "127.0.0.1" if host in ("0.0.0.0", "") else host
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(child.poll() is not None for child in children):
            return False
        try:
            with urllib.request.urlopen(f"http://{address}:{port}/readyz", timeout=5) as answer:
                if answer.status == 200:
                    return True
        except OSError:  # not listening yet, or 503 (urllib raises HTTPError, an OSError)
            pass
        time.sleep(0.3)  # waiting for the processes to start, not for a clock
    return False


def _stop(children: list[subprocess.Popen]) -> None:
    for child in children:
        if child.poll() is None:
            child.terminate()
    for child in children:
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def run_everything(host: str, port: int, web_workers: int) -> int:
    """Start Redis if needed, the worker and gunicorn; stop them all on Ctrl-C or SIGTERM."""
    catalogues.compile_all()
    embedded = None
    if not os.environ.get("REDIS_URL"):
        embedded = EmbeddedRedis().start()
        os.environ["REDIS_URL"] = embedded.url
        click.echo(f"Started an embedded Redis server at {embedded.url}")
    os.environ.setdefault("LEADLINE_BASE_URL", f"http://{host}:{port}")
    children: list[subprocess.Popen] = []
    stopping = False

    def request_stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        instance_path = prepare_database()
        # Every process below records its metrics there; /metrics adds them up.
        multiprocess_dir.reset(Path(instance_path) / "metrics")
        children.append(subprocess.Popen([sys.executable, "-m", "workers", "worker"]))
        children.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "--bind",
                    f"{host}:{port}",
                    "--workers",
                    str(web_workers),
                    "--threads",
                    "4",
                    "--config",
                    "python:webapp.ops.gunicorn_conf",
                    "--graceful-timeout",
                    "10",
                    "webapp.wsgi:app",
                ]
            )
        )
        if not _wait_for_port(host, port, children, timeout=60) or not _wait_until_ready(
            host, port, children, timeout=60
        ):
            click.echo("Leadline did not start: see the messages above.", err=True)
            return 1
        click.echo(f"Leadline is running at http://{host}:{port}", color=False)
        sys.stdout.flush()
        while not stopping:
            if any(child.poll() is not None for child in children):
                click.echo("A Leadline process stopped unexpectedly; stopping the rest.", err=True)
                return 1
            time.sleep(0.5)  # supervising children, not waiting for a clock
        return 0
    finally:
        _stop(children)
        if embedded is not None:
            embedded.stop()
        click.echo("Leadline stopped.")
