"""The operators' commands: `leadline doctor`, `leadline backup`, `leadline restore` and
`leadline metrics reset`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from webapp.ops import backup as backups
from webapp.ops import multiprocess_dir
from webapp.ops.checks import FAIL, OK, WARN

LABELS = {OK: "OK  ", WARN: "WARN", FAIL: "FAIL"}


def init_app(app: Flask) -> None:
    app.cli.add_command(doctor_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(metrics_group)


@click.command("doctor")
@click.option("--only", multiple=True, help="Run only the checks of this name (repeatable).")
@with_appcontext
def doctor_command(only: tuple[str, ...]) -> None:
    """Check configuration, database, Redis, migrations, workers, clocks and deliveries."""
    from webapp.ops import checks, doctor

    if only:
        known = {"database": checks.database, "migrations": checks.migrations}
        known |= {"redis": checks.redis, "workers": checks.workers}
        unknown = set(only) - set(known)
        if unknown:
            raise click.BadParameter(f"unknown: {', '.join(sorted(unknown))}", param_hint="--only")
        results = [known[name]() for name in only]
    else:
        results = doctor.run_all()
    for check in results:
        click.echo(f"{LABELS[check.state]} {check.name:<14} {check.detail}".rstrip())
    failed = [check.name for check in results if check.state == FAIL]
    if failed:
        click.echo(f"{len(failed)} check(s) failed: {', '.join(failed)}", err=True)
        raise SystemExit(1)


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Back up the database to PATH while Leadline runs (SQLite: online backup; PostgreSQL:
    pg_dump). The instance folder's secret key and files are backed up apart (README)."""
    try:
        click.echo(backups.backup(current_app.config["SQLALCHEMY_DATABASE_URI"], path))
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from error


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(path: Path, yes: bool) -> None:
    """Replace the database with the backup at PATH. Stop the web and the workers first."""
    if not yes:
        click.confirm("This replaces everything in the database. Go on?", abort=True)
    from webapp.extensions import db

    db.engine.dispose()  # no pooled connection of ours holds the old file open
    try:
        click.echo(backups.restore(current_app.config["SQLALCHEMY_DATABASE_URI"], path))
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo("Then: `leadline db upgrade` if the backup is from an older version, and start.")


@click.group("metrics")
def metrics_group() -> None:
    """The metrics directory shared by the processes (PROMETHEUS_MULTIPROC_DIR)."""


@metrics_group.command("reset")
def metrics_reset_command() -> None:
    """Empty PROMETHEUS_MULTIPROC_DIR before the web and workers start (`leadline up` does)."""
    directory = multiprocess_dir.reset()
    click.echo(f"emptied {directory}" if directory else "PROMETHEUS_MULTIPROC_DIR is not set")
