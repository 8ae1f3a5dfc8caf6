"""The `leadline` command: the web app's commands plus `worker` and `up`.

It lives in `workers` because it composes the whole system (web server, workers, embedded
Redis) and `workers` is the package allowed to import everything else.
"""

from __future__ import annotations

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


@main.command("worker")
@click.option("--burst", is_flag=True, help="Work until the queues are empty, then stop.")
@click.option("--no-sweeper", is_flag=True, help="Do not run the periodic deadline sweep.")
@with_appcontext
def worker_command(burst: bool, no_sweeper: bool) -> None:
    """Run an RQ worker on the timers, notify and default queues."""
    from workers import worker

    worker.run(current_app._get_current_object(), burst=burst, with_sweeper=not no_sweeper)


@main.command("up")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option(
    "--workers",
    "web_workers",
    default=2,
    show_default=True,
    type=int,
    help="gunicorn worker processes",
)
def up_command(host: str, port: int, web_workers: int) -> None:
    """Migrate, seed the demo if empty, and run Redis (embedded if needed), a worker and the web."""
    from workers.supervisor import run_everything

    raise SystemExit(run_everything(host, port, web_workers))
