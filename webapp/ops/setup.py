"""What the application factory switches on for operators: JSON logs, request ids and HTTP
metrics on every request, the metrics token, and the operators' commands."""

from __future__ import annotations

import os

from flask import Flask

from webapp.ops import commands, logs, requests


def init_app(app: Flask) -> None:
    logs.configure()
    app.config.setdefault(
        "LEADLINE_METRICS_TOKEN", os.environ.get("LEADLINE_METRICS_TOKEN") or None
    )
    requests.init_app(app)
    commands.init_app(app)
