"""`leadline backup` / `leadline restore` (issue 18): a backup restored holds every lead,
deadline and policy version the database held when it was taken."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from tests import support
from webapp.extensions import db
from webapp.models import Deadline, Lead, PolicyVersion, Workspace
from webapp.ops.commands import backup_command, restore_command


def snapshot() -> dict[str, set]:
    """What must survive: each row's id with what identifies it to a person."""
    return {
        "leads": set(db.session.execute(select(Lead.id, Lead.workspace_id, Lead.contact_name))),
        "deadlines": set(
            db.session.execute(select(Deadline.id, Deadline.kind, Deadline.due_at, Deadline.state))
        ),
        "policy versions": set(
            db.session.execute(
                select(PolicyVersion.id, PolicyVersion.workspace_id, PolicyVersion.number)
            )
        ),
    }


@pytest.fixture
def seeded_sqlite(tmp_path: Path, redis_url: str):
    """A database of its own, on SQLite whatever the suite runs on, with the five demo
    workspaces seeded as `leadline up` seeds them."""
    from webapp.demo import seed_demo

    database = tmp_path / "live.sqlite3"
    app = support.build_app(f"sqlite:///{database}", redis_url, tmp_path / "instance")
    support.migrate_fresh(app)
    with app.app_context():
        seed_demo("backup-test-password")
    yield app, database
    with app.app_context():
        db.engine.dispose()


def test_sqlite_backup_restores_every_lead_deadline_and_policy_version(seeded_sqlite, tmp_path):
    app, database = seeded_sqlite
    with app.app_context():
        before = snapshot()
        db.session.remove()
    assert all(before.values()), {name: len(rows) for name, rows in before.items()}
    backup = tmp_path / "backups" / "leadline.sqlite3"
    runner = app.test_cli_runner()
    result = runner.invoke(backup_command, [str(backup)])
    assert result.exit_code == 0, result.output
    assert "online backup" in result.output

    with app.app_context():  # the database is lost, WAL and all
        db.engine.dispose()
    for leftover in database.parent.glob(database.name + "*"):
        leftover.unlink()

    result = runner.invoke(restore_command, ["--yes", str(backup)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert snapshot() == before
        assert db.session.scalar(select(Workspace.slug).where(Workspace.slug == "ccima"))


def test_restore_asks_first_and_backup_names_a_missing_tool(seeded_sqlite, tmp_path):
    app, _database = seeded_sqlite
    runner = app.test_cli_runner()
    backup = tmp_path / "b.sqlite3"
    assert runner.invoke(backup_command, [str(backup)]).exit_code == 0
    refused = runner.invoke(restore_command, [str(backup)], input="n\n")
    assert refused.exit_code == 1 and "Aborted" in refused.output


@pytest.mark.skipif(
    not support.database_url(Path("/nonexistent")).startswith("postgresql"),
    reason="the suite runs on SQLite (DATABASE_URL unset)",
)
@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed")
def test_postgresql_backup_and_restore_with_pg_dump(
    app: Flask, runner, make_workspace, make_lead, tmp_path
):
    workspace = make_workspace(slug="kept")
    make_lead(workspace, contact_name="Kept Lead")
    before = snapshot()
    backup = tmp_path / "leadline.pgdump"
    result = runner.invoke(backup_command, [str(backup)])
    assert result.exit_code == 0, result.output
    assert backup.stat().st_size > 0

    db.session.delete(db.session.get(Workspace, workspace.id))  # cascades to its rows
    db.session.commit()
    assert not snapshot()["leads"]
    db.session.remove()
    db.engine.dispose()  # pg_restore drops tables: no connection of ours may hold them

    result = runner.invoke(restore_command, ["--yes", str(backup)])
    assert result.exit_code == 0, result.output
    assert snapshot() == before
