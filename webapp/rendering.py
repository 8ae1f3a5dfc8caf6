"""One template per page; htmx requests get a named block of it, other requests the page."""

from __future__ import annotations

from typing import Any

from flask import Response, make_response, render_template
from jinja2_fragments.flask import render_block

from webapp.extensions import htmx


def wants_fragment() -> bool:
    """True for an htmx request that swaps part of a page (a boosted request wants it all, and
    so does htmx restoring a pushed URL's page on Back: it replaces the whole body)."""
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render(template: str, block: str | None = None, status: int = 200, **context: Any) -> Response:
    """Render `block` of `template` for htmx, the whole page otherwise."""
    if block is not None and wants_fragment():
        body = render_block(template, block, **context)
    else:
        body = render_template(template, **context)
    return make_response(body, status)


def add_vary_header(response: Response) -> Response:
    """Caches must key on HX-Request: one URL answers with a page or a fragment."""
    response.vary.add("HX-Request")
    return response
