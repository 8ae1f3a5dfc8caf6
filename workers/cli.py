"""The `leadline` command: the web app's commands plus `worker` and `up`.

It lives in `workers` because it composes the whole system (web server, workers, embedded
Redis) and `workers` is the package allowed to import everything else.
"""

from __future__ import annotations

import os
import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from webapp import create_app


@click.group(
    cls=FlaskGroup,
    create_app=lambda: create_app(),
    add_version_option=False,
    load_dotenv=False,
    set_debug_flag=False,
)
def main() -> None:
    """Leadline: lead management where each department writes its own lead policy."""


def _worker_options(command):
    command = click.option(
        "--no-sweeper", is_flag=True, help="Do not run the periodic deadline sweep."
    )(command)
    return click.option(
        "--burst", is_flag=True, help="Work until the queues are empty, then stop."
    )(command)


def _work(app, burst: bool, no_sweeper: bool) -> None:
    from workers import worker

    worker.run(app, burst=burst, with_sweeper=not no_sweeper)


@main.command("worker")
@_worker_options
@with_appcontext
def worker_command(burst: bool, no_sweeper: bool) -> None:
    """Run an RQ worker on the timers, notify and default queues."""
    _work(current_app._get_current_object(), burst, no_sweeper)


@click.command("worker")
@_worker_options
def standalone_worker(burst: bool, no_sweeper: bool) -> None:
    """`python -m workers worker`: the same worker without the command group, which loads
    every installed `flask.commands` plugin (Flask-Migrate, and with it Alembic: about 11 MiB
    in a process that never migrates)."""
    app = create_app(migrations=False)
    with app.app_context():
        _work(app, burst, no_sweeper)


@main.command("up")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option(
    "--workers",
    "web_workers",
    default=1,
    show_default=True,
    type=int,
    help="gunicorn worker processes (8 threads each)",
)
def up_command(host: str, port: int, web_workers: int) -> None:
    """Migrate, seed the demo if empty, and run Redis (embedded if needed), a worker and the web."""
    # The supervisor stays up as long as Leadline does: exec into a process that has not
    # imported Flask and the app (same pid, so signals sent to `leadline up` reach it).
    sys.stdout.flush()
    command = ["-m", "workers.supervisor", host, str(port), str(web_workers)]
    os.execv(sys.executable, [sys.executable, *command])
