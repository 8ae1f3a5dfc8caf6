"""`leadline up` — the README's first command — on SQLite with an embedded Redis."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import urllib.request

import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def up_process(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        LEADLINE_INSTANCE_PATH=str(tmp_path / "instance"),
        PYTHONUNBUFFERED="1",
        LEADLINE_DEMO_PASSWORD="up-test-password",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "workers", "up", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield process, port
    if process.poll() is None:
        process.kill()
        process.wait()


def test_up_migrates_seeds_serves_and_stops_cleanly(up_process):
    process, port = up_process
    lines = []
    for line in process.stdout:  # blocks until `up` reports, with no timing guess
        lines.append(line)
        if line.startswith("Leadline is running at") or process.poll() is not None:
            break
    assert f"Leadline is running at http://127.0.0.1:{port}\n" in lines, "".join(lines)
    assert any("admin@leadline.test" in line for line in lines)
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/login") as response:
        assert response.status == 200
        assert b"Sign in to Leadline" in response.read()
    process.send_signal(signal.SIGTERM)
    rest = process.communicate(timeout=60)[0]
    assert process.returncode == 0, rest
    assert "Leadline stopped." in rest
