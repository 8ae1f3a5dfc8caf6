"""Backups of the database: SQLite's online backup API, or PostgreSQL's pg_dump/pg_restore.

SQLite's backup API copies a consistent snapshot while the web and workers keep writing
(a plain file copy of a WAL database can miss the pages still in its -wal file).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url


class BackupError(Exception):
    """Said to the operator as it is: what is missing and what to run instead."""


@dataclass(frozen=True)
class PgCommand:
    argv: list[str]
    env: dict[str, str]

    def shown(self) -> str:
        return " ".join(self.argv)  # the password is in PGPASSWORD, never on the line


def backup(database_url: str, target: Path) -> str:
    """Write a backup of the database to `target`; returns what was done, for the operator."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        _sqlite_copy(Path(_sqlite_file(url)), target)
        return f"SQLite database copied to {target} (online backup)"
    if url.get_backend_name() == "postgresql":
        command = _pg(url, "pg_dump", "--format=custom", "--no-owner", f"--file={target}")
        _run(command)
        return f"PostgreSQL database dumped to {target} (pg_dump custom format)"
    raise BackupError(f"no backup method for {url.get_backend_name()} databases")


def restore(database_url: str, source: Path) -> str:
    """Replace the database's contents with the backup at `source`. Stop the web tier and the
    workers first: whatever they write meanwhile is lost."""
    if not source.is_file():
        raise BackupError(f"{source} is not a file")
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        _sqlite_copy(source, Path(_sqlite_file(url)))
        return f"SQLite database restored from {source}"
    if url.get_backend_name() == "postgresql":
        _run(_pg(url, "pg_restore", "--clean", "--if-exists", "--no-owner", str(source)))
        return f"PostgreSQL database restored from {source}"
    raise BackupError(f"no restore method for {url.get_backend_name()} databases")


def _sqlite_file(url: URL) -> str:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up")
    return url.database


def _sqlite_copy(source: Path, target: Path) -> None:
    if not source.is_file():
        raise BackupError(f"{source} does not exist")
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source) as origin, sqlite3.connect(target) as copy:
        origin.backup(copy)
    origin.close()
    copy.close()


def _pg(url: URL, tool: str, *arguments: str) -> PgCommand:
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    argv = [tool, *arguments]
    for flag, value in (("--host", url.host), ("--port", url.port), ("--username", url.username)):
        if value:
            argv.append(f"{flag}={value}")
    argv.append(f"--dbname={url.database}")
    return PgCommand(argv, env)


def _run(command: PgCommand) -> None:
    if shutil.which(command.argv[0]) is None:
        raise BackupError(
            f"{command.argv[0]} is not installed here (Debian: apt-get install postgresql-client"
            f"; the same major version as the server or newer). Run:\n  {command.shown()}"
        )
    finished = subprocess.run(command.argv, env=command.env, capture_output=True, text=True)
    if finished.returncode != 0:
        raise BackupError(f"{command.shown()} failed:\n{finished.stderr.strip()}")
