"""Kept-alive HTTP connections to the channels' APIs, one per endpoint and thread.

Opening a connection per message cost a TCP (and, in production, a TLS) handshake per
WhatsApp or Telegram message; a burst of deadlines sends thousands (issue 17 item 2). Each
worker thread keeps one connection per scheme, host and port and reuses it while the server
keeps it open. A connection the server has closed meanwhile is noticed before it is reused
(its socket reads as ready at end of file) and replaced, so a message is never written to a
dead socket and then sent again: a send that fails is a SendError, retried by the outbox
with its idempotency key like any other.
"""

from __future__ import annotations

import http.client
import select
import threading
from urllib.parse import urlsplit

_local = threading.local()


class HttpFailure(Exception):
    """No answer came (connection refused, timed out, dropped)."""


def _pool() -> dict[tuple[str, str, int | None], http.client.HTTPConnection]:
    pool = getattr(_local, "pool", None)
    if pool is None:
        pool = _local.pool = {}
    return pool


def _still_open(connection: http.client.HTTPConnection) -> bool:
    sock = connection.sock
    if sock is None:
        return False
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return False
    return not readable  # an idle kept-alive socket has nothing to read unless it was closed


def _connection(
    scheme: str, host: str, port: int | None, timeout: float
) -> http.client.HTTPConnection:
    key = (scheme, host, port)
    pool = _pool()
    found = pool.get(key)
    if found is not None and _still_open(found):
        return found
    if found is not None:
        found.close()
    kind = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
    made = kind(host, port, timeout=timeout)
    pool[key] = made
    return made


def _forget(key: tuple[str, str, int | None]) -> None:
    connection = _pool().pop(key, None)
    if connection is not None:
        connection.close()


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int, bytes]:
    """POST `body` to `url` over this thread's connection to its endpoint; returns the
    status and the answer's body. Raises HttpFailure when no answer came."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise HttpFailure(f"not an http(s) address: {url.split('/bot')[0]}")
    key = (parts.scheme, parts.hostname, parts.port)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection = _connection(parts.scheme, parts.hostname, parts.port, timeout)
    try:
        connection.request("POST", path, body=body, headers=headers)
        answer = connection.getresponse()
        data = answer.read()
    except (OSError, http.client.HTTPException) as error:
        _forget(key)
        raise HttpFailure(str(error) or type(error).__name__) from error
    if answer.will_close:
        _forget(key)
    return answer.status, data


def close_all() -> None:
    """Close this thread's connections (a worker stopping, a test ending)."""
    for key in list(_pool()):
        _forget(key)
