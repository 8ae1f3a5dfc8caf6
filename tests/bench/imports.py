"""A large CSV import end to end: upload, dry run and start through the web pages, then a real
worker process (`python -m workers worker`) imports it chunk by chunk.

Prints how long each step took, rows per second, how many chunk jobs ran, and checks that
every row became exactly one lead (issue 10 item 9: a 50,000-row file once stopped at row
10,450 when RQ's 180 s timeout killed its single job).
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tenants.profiles import load_profile
from webapp.extensions import db
from webapp.models import ImportState, Lead, LeadImport, Role
from webapp.operations import users, workspaces

REPO_ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "bench-password-1"
AREA_CODES = ("415", "510", "650", "408", "707", "925", "628", "669", "209", "916")
PATIENCE_SECONDS = 4 * 3600


def csv_rows(count: int) -> bytes:
    """`count` distinct leads: name, phone, e-mail, company (about 60 bytes a row)."""
    lines = [
        f"Person {n},+1 {AREA_CODES[n // 10000 % 10]} 555 {n % 10000:04d},"
        f"person{n}@example.test,Company {n % 997}"
        for n in range(count)
    ]
    return ("Name,Phone,E-mail,Company\n" + "\n".join(lines) + "\n").encode()


def _post_file(client, url: str, data: bytes):
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), "big.csv")})
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def _selects(page: str) -> dict[str, str]:
    chosen = {}
    for name, body in re.findall(r'<select id="[^"]+" name="([^"]+)">(.*?)</select>', page, re.S):
        match = re.search(r'<option value="([^"]*)" selected>', body)
        chosen[name] = match.group(1) if match else ""
    return chosen


def run(app: Flask, database: str, redis_url: str, rows: int) -> dict:
    data = csv_rows(rows)
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "REDIS_URL": redis_url,
        "SECRET_KEY": app.config["SECRET_KEY"],
        "LEADLINE_INSTANCE_PATH": app.instance_path,
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "workers", "worker"],
        cwd=REPO_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        with app.app_context():
            workspace = workspaces.create_workspace(
                "bulk",
                "Bulk",
                locale="en",
                time_zone="UTC",
                country="US",
                policy_document=load_profile("blank"),
                actor=None,
            )
            admin = users.create_user("importer@bench.test", "Importer", PASSWORD)
            users.add_member(workspace, admin, Role.ADMIN, actor=None)
            client = app.test_client()
            client.post("/login", data={"email": admin.email, "password": PASSWORD})
            figures = {"rows": rows, "bytes": len(data)}
            t0 = time.perf_counter()
            uploaded = _post_file(client, "/w/bulk/leads/import/", data)
            assert uploaded.status_code == 302, uploaded.status_code
            t1 = time.perf_counter()
            preview = client.get(uploaded.headers["Location"])
            t2 = time.perf_counter()
            started = client.post(
                uploaded.headers["Location"].replace("/preview", "/start"),
                data=_selects(preview.get_data(as_text=True)),
            )
            assert started.status_code == 302, started.status_code
            import_id = int(started.headers["Location"].rstrip("/").rsplit("/", 1)[1])
            t3 = time.perf_counter()
            figures.update(upload_s=t1 - t0, dry_run_s=t2 - t1)
            give_up = time.monotonic() + PATIENCE_SECONDS
            while True:
                db.session.rollback()
                row = db.session.get(LeadImport, import_id)
                if row.state in (ImportState.DONE, ImportState.FAILED):
                    break
                if worker.poll() is not None or time.monotonic() > give_up:
                    raise RuntimeError(f"the import stopped at row {row.rows_done}")
                time.sleep(1)  # polling the worker's progress, not waiting for a clock
            t4 = time.perf_counter()
            leads = db.session.scalar(
                select(func.count(Lead.id)).where(Lead.workspace_id == workspace.id)
            )
            figures.update(
                job_s=t4 - t3,
                total_s=t4 - t0,
                state=row.state.value,
                imported=row.imported_count,
                skipped=row.skipped_count,
                failed=row.failed_count,
                leads=leads,
                chunks=-(-rows // app.config["LEADLINE_IMPORT_CHUNKS"].rows),
            )
            return figures
    finally:
        worker.terminate()
        worker.wait(timeout=60)


def report(figures: dict, database: str) -> None:
    print(
        f"  {figures['rows']:,} rows ({figures['bytes'] / 1e6:.1f} MB) on {database}:"
        f" upload {figures['upload_s']:.1f} s, dry run {figures['dry_run_s']:.1f} s,"
        f" import job {figures['job_s']:.0f} s in {figures['chunks']} chunks"
        f" ({figures['rows'] / figures['job_s']:.0f} rows/s), total {figures['total_s']:.0f} s;"
        f" {figures['state']}: {figures['imported']:,} imported, {figures['skipped']} skipped,"
        f" {figures['failed']} failed, {figures['leads']:,} leads stored",
        flush=True,
    )
