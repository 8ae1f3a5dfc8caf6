"""What `leadline up` holds in memory: every process of its tree, RSS and PSS (issue 17 item 5).

Starts `python -m workers up` on a free port with a temporary instance folder (SQLite, embedded
Redis), waits until it serves the demo, signs in as the demo admin and opens a few pages, then
reads /proc/<pid>/smaps_rollup of every process in the tree. RSS counts a page shared by
copy-on-write once per process; PSS divides it among the processes sharing it, so the PSS
total is what the whole tree really costs the machine. Goal: ≤ 300 MiB.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

GOAL_MIB = 300
PAGES = (
    "/",
    "/w/ccima/queue/",
    "/w/ccima/reports/weekly",
    "/w/ccima/policy/",
    "/w/locals411/queue/",
)
ADMIN = ("admin@leadline.test", "leadline-demo")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(child) for child in (task / "children").read_text().split()]
    return found


def _tree(pid: int) -> list[int]:
    pids = [pid]
    for child in _children(pid):
        pids += _tree(child)
    return pids


def _memory(pid: int) -> dict[str, int]:
    """RSS and PSS in KiB from smaps_rollup."""
    figures = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("Rss", "Pss"):
            figures[key.lower()] = int(rest.split()[0])
    return figures


def _name(pid: int) -> str:
    argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    words = [word.decode(errors="replace") for word in argv if word]
    comm = Path(f"/proc/{pid}/comm").read_text().strip()
    text = " ".join(Path(word).name if i == 0 else word for i, word in enumerate(words))
    if comm and comm not in text:
        text = f"[{comm}] {text}"
    return text[:70]


def _threads(pid: int) -> int:
    return len(list(Path(f"/proc/{pid}/task").glob("*")))


def _browse(port: int) -> list[tuple[str, int]]:
    """Sign in as the demo admin and open a few pages; the status of each."""
    base = f"http://127.0.0.1:{port}"
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    seen = []
    with opener.open(f"{base}/login", timeout=30) as answer:
        page = answer.read().decode()
        seen.append(("/login", answer.status))
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    form = {"email": ADMIN[0], "password": ADMIN[1]}
    if token:
        form["csrf_token"] = token.group(1)
    with opener.open(
        f"{base}/login", data=urllib.parse.urlencode(form).encode(), timeout=30
    ) as answer:
        seen.append((f"POST /login -> {urllib.parse.urlparse(answer.url).path}", answer.status))
    for path in PAGES:
        try:
            with opener.open(f"{base}{path}", timeout=60) as answer:
                answer.read()
                seen.append((path, answer.status))
        except urllib.error.HTTPError as error:
            seen.append((path, error.code))
        except TimeoutError:  # a loaded machine: the memory is still worth reading
            seen.append((path, "timed out"))
    return seen


def run(web_workers: int | None = None) -> dict:
    with tempfile.TemporaryDirectory(prefix="leadline-memory-") as tmp:
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
        env.update(LEADLINE_INSTANCE_PATH=str(Path(tmp) / "instance"), PYTHONUNBUFFERED="1")
        env.pop("LEADLINE_DEMO_PASSWORD", None)
        command = [sys.executable, "-m", "workers", "up", "--port", str(port)]
        if web_workers is not None:
            command += ["--workers", str(web_workers)]
        log_path = Path(tmp) / "up.log"
        with log_path.open("w") as log:
            process = subprocess.Popen(
                command, env=env, stdout=subprocess.PIPE, stderr=log, text=True
            )
        try:
            for line in process.stdout:  # blocks until `up` reports
                if line.startswith("Leadline is running at") or process.poll() is not None:
                    break
            if process.poll() is not None:
                raise RuntimeError(f"leadline up stopped:\n{log_path.read_text()[-3000:]}")
            pages = _browse(port)
            rows = []
            for pid in _tree(process.pid):
                try:
                    rows.append({"pid": pid, "name": _name(pid), "threads": _threads(pid)})
                    rows[-1].update(_memory(pid))
                except OSError:  # gone meanwhile
                    rows.pop()
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()
        return {"pages": pages, "processes": rows, "returncode": process.returncode}


def report(figures: dict) -> None:
    for path, status in figures["pages"]:
        print(f"  {status} {path}")
    print(f"  {'pid':>7} {'threads':>7} {'RSS MiB':>8} {'PSS MiB':>8}  process")
    for row in figures["processes"]:
        print(
            f"  {row['pid']:>7} {row['threads']:>7} {row['rss'] / 1024:>8.1f}"
            f" {row['pss'] / 1024:>8.1f}  {row['name']}"
        )
    rss = sum(row["rss"] for row in figures["processes"]) / 1024
    pss = sum(row["pss"] for row in figures["processes"]) / 1024
    print(
        f"  {len(figures['processes'])} processes: RSS {rss:.1f} MiB, PSS {pss:.1f} MiB"
        f" (goal ≤ {GOAL_MIB} MiB); `leadline up` exited {figures['returncode']}",
        flush=True,
    )
