"""Per-request bookkeeping: the request id, one log line and the HTTP metrics."""

from __future__ import annotations

import logging
import time

from flask import Flask, Response, g, request

from webapp.ops import logs, metrics

REQUEST_ID_HEADER = "X-Request-ID"
log = logging.getLogger("leadline.request")


def init_app(app: Flask) -> None:
    app.before_request(_begin)
    app.after_request(_end)
    app.teardown_request(_forget)


def _begin() -> None:
    g.leadline_started = time.perf_counter()
    g.leadline_request_id = logs.accept_request_id(request.headers.get(REQUEST_ID_HEADER))
    g.leadline_request_token = logs.bind_request_id(g.leadline_request_id)


def _end(response: Response) -> Response:
    started = g.get("leadline_started")
    if started is None:  # a request refused before our hook ran
        return response
    seconds = time.perf_counter() - started
    route = request.url_rule.rule if request.url_rule is not None else "<unmatched>"
    response.headers[REQUEST_ID_HEADER] = g.leadline_request_id
    metrics.request_done(route, request.method, response.status_code, seconds)
    if route not in ("/healthz", "/readyz", "/metrics"):  # probes every few seconds: noise
        log.info(
            "request",
            extra={
                "method": request.method,
                "route": route,
                # Not the path: a roster confirmation's carries its signed token, and the
                # query string a search's names. The workspace and numeric ids are kept.
                **_safe_view_args(),
                "status": response.status_code,
                "duration_ms": round(seconds * 1000, 1),
            },
        )
    return response


def _safe_view_args() -> dict[str, object]:
    args = request.view_args or {}
    kept: dict[str, object] = {k: v for k, v in args.items() if isinstance(v, int)}
    if isinstance(args.get("workspace"), str):
        kept["workspace"] = args["workspace"]
    return kept


def _forget(error: BaseException | None) -> None:
    token = g.pop("leadline_request_token", None)
    if token is not None:
        logs._request_id.reset(token)
