"""The probes' blueprint: exempt from CSRF (GET only) and outside every workspace."""

from __future__ import annotations

from flask import Blueprint

from webapp.extensions import csrf

bp = Blueprint("probes", __name__)
csrf.exempt(bp)
