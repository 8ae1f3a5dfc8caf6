"""The operators' commands: `leadline doctor`, `leadline backup`, `leadline restore`."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    pass
