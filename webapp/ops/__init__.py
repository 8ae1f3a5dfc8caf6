"""Operability: health endpoints, metrics, structured logs, and the operators' commands."""

from __future__ import annotations

import os

from flask import Flask


def init_app(app: Flask) -> None:
    from webapp.ops import commands, health, logs, web

    logs.configure()
    app.config.setdefault(
        "LEADLINE_METRICS_TOKEN", os.environ.get("LEADLINE_METRICS_TOKEN") or None
    )
    app.register_blueprint(health.bp)
    web.init_app(app)
    commands.init_app(app)
