"""Operability: health endpoints, metrics, structured logs, and the operators' commands."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from webapp.ops import commands, health

    app.register_blueprint(health.bp)
    commands.init_app(app)
