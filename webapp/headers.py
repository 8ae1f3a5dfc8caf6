"""Security headers on every response: what the browser may run, frame, cache and refer.

Pages load script and style from this origin only (no inline script, handler, style or
eval: htmx is configured for that in base.html), nothing may frame them, and no response
but a static file is stored by the browser or a proxy: pages show leads and people, and
some show a secret once.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from werkzeug.wrappers import Response

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# rq-dashboard (operators only, off by default) runs inline scripts and underscore templates.
_RQ_DASHBOARD_POLICY = CONTENT_SECURITY_POLICY.replace(
    "script-src 'self'", "script-src 'self' 'unsafe-inline' 'unsafe-eval'"
).replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")

HSTS = "max-age=31536000; includeSubDomains"


def _is_static() -> bool:
    endpoint = request.endpoint or ""
    return endpoint == "static" or endpoint.endswith(".static")


def add_security_headers(response: Response) -> Response:
    """The headers every answer carries (ASVS 14.4)."""
    headers = response.headers
    rq_dashboard = request.blueprint == "rq_dashboard"
    headers["Content-Security-Policy"] = (
        _RQ_DASHBOARD_POLICY if rq_dashboard else CONTENT_SECURITY_POLICY
    )
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "same-origin"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        headers["Strict-Transport-Security"] = HSTS
    if not _is_static():
        response.cache_control.clear()
        response.cache_control.no_store = True
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
