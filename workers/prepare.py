"""`leadline up`'s first step, in a process of its own that exits when done: build the
catalogues, apply migrations, seed the demo into an empty database and empty the metrics
folder. The supervisor that runs it never imports the app, so it stays small (issue 17 item 5).

    python -m workers.prepare FD    # writes the metrics folder to file descriptor FD
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from flask_migrate import upgrade
from sqlalchemy import func, select

from webapp import catalogues, create_app
from webapp.extensions import db
from webapp.models import Workspace
from webapp.ops import multiprocess_dir


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


def main(report_fd: int) -> None:
    catalogues.compile_all()
    instance_path = prepare_database()
    # Every process `up` starts records its metrics there; /metrics adds them up.
    directory = multiprocess_dir.reset(Path(instance_path) / "metrics") or ""
    with os.fdopen(report_fd, "w") as report:
        report.write(directory)
    sys.stdout.flush()


if __name__ == "__main__":
    main(int(sys.argv[1]))
