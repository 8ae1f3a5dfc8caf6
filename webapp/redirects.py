"""Where a `next` parameter may send the browser: a path on this site, nothing else.

Browsers repair URLs before following them (they drop tabs and newlines, read `\\` as `/`,
decode some escapes), so a target is judged as a browser would read it: any character a
browser might drop or reinterpret refuses the whole target instead of being cleaned up.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from flask import redirect
from werkzeug.wrappers import Response

MAX_LENGTH = 2048


def _suspicious(text: str) -> bool:
    return any(ch == "\\" or ord(ch) < 0x21 or 0x7F <= ord(ch) <= 0x9F for ch in text)


def _same_origin_path(text: str) -> bool:
    if not text.startswith("/") or text.startswith("//"):
        return False
    parts = urlsplit(text)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None) -> str | None:
    """`target` when it is a path on this site (`/w/acme/?q=1`), else None.

    Refused: absolute and scheme-relative URLs (`https://x`, `//x`, `https:x`), backslashes,
    whitespace and control characters, and anything that becomes one of these once
    percent-decoded (`/%2F/x`, `/%09/x`, `/%5Cx`).
    """
    if not target or len(target) > MAX_LENGTH or _suspicious(target):
        return None
    if not _same_origin_path(target):
        return None
    # The path is where a decoded `/` or `\\` would move the host; a query may hold `%20`.
    path = target.split("?", 1)[0].split("#", 1)[0]
    for _ in range(3):  # escapes of escapes (`%252F`) too
        decoded = unquote(path)
        if decoded == path:
            return target
        if _suspicious(decoded) or not _same_origin_path(decoded):
            return None
        path = decoded
    return None


def redirect_next(target: str | None, fallback: str) -> Response:
    """A redirect to `target` if it is a safe `next`, else to `fallback` (one of our URLs)."""
    return redirect(safe_next(target) or fallback)
