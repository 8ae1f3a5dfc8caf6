"""`leadline up`: one command that runs the whole product on this machine.

This process only supervises: it imports neither Flask nor the app (`leadline up` execs into
`python -m workers.supervisor`), runs `workers.prepare` in a child that exits, then starts the
worker (`python -m workers worker`: RQ's scheduler and the sweeps are threads of it) and
gunicorn. `python -m tests.bench memory` measures the whole tree (issue 17 item 5).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from types import FrameType

from workers.embedded_redis import EmbeddedRedis

# gunicorn threads per web worker: `leadline up` runs one web worker by default (a process
# holds the whole app, about 110 MiB); its threads serve requests side by side.
WEB_THREADS = 8


def prepare(stopping: Callable[[], bool]) -> int:
    """Run `workers.prepare` (catalogues, migrations, demo seed, metrics folder) in a child
    process that exits when done; set PROMETHEUS_MULTIPROC_DIR to the folder it emptied.
    Returns its exit status."""
    read_end, write_end = os.pipe()
    child = subprocess.Popen(
        [sys.executable, "-m", "workers.prepare", str(write_end)], pass_fds=(write_end,)
    )
    os.close(write_end)
    with os.fdopen(read_end) as report:
        directory = report.read()  # until the child closes its end: done, or gone
    while child.poll() is None:
        if stopping():
            child.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=0.5)
    if child.returncode == 0 and directory:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
    return child.returncode


def _say(message: str, *, err: bool = False) -> None:
    # print, not click.echo: click (with urllib.request, which the probe below does without)
    # is about 8 MiB of a process that only watches the others.
    print(message, file=sys.stderr if err else sys.stdout, flush=True)


def _ready(address: str, port: int) -> bool:
    """Whether GET /readyz answers 200, spoken over a plain socket (see `_say`)."""
    request = f"GET /readyz HTTP/1.0\r\nHost: {address}:{port}\r\n\r\n".encode()
    with socket.create_connection((address, port), timeout=5) as connection:
        connection.sendall(request)
        status_line = connection.makefile("rb").readline()
    return status_line.split()[1:2] == [b"200"]


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
            if _ready(address, port):
                return True
        except OSError:  # not listening yet
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
    embedded = None
    if not os.environ.get("REDIS_URL"):
        embedded = EmbeddedRedis().start()
        os.environ["REDIS_URL"] = embedded.url
        _say(f"Started an embedded Redis server at {embedded.url}")
    os.environ.setdefault("LEADLINE_BASE_URL", f"http://{host}:{port}")
    children: list[subprocess.Popen] = []
    stopping = False

    def request_stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        prepared = prepare(lambda: stopping)
        if stopping:
            return 0
        if prepared != 0:
            _say("Leadline did not start: see the messages above.", err=True)
            return 1
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
                    str(WEB_THREADS),
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
            _say("Leadline did not start: see the messages above.", err=True)
            return 1
        _say(f"Leadline is running at http://{host}:{port}")
        sys.stdout.flush()
        while not stopping:
            if any(child.poll() is not None for child in children):
                _say("A Leadline process stopped unexpectedly; stopping the rest.", err=True)
                return 1
            time.sleep(0.5)  # supervising children, not waiting for a clock
        return 0
    finally:
        _stop(children)
        if embedded is not None:
            embedded.stop()
        _say("Leadline stopped.")


def main(argv: list[str]) -> None:
    host, port, web_workers = argv
    raise SystemExit(run_everything(host, int(port), int(web_workers)))


if __name__ == "__main__":
    main(sys.argv[1:])
