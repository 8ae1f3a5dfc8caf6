"""The roster's blueprints: the managers' pages, the advisors' signed confirmation links
(no sign-in: the link is the credential) and WhatsApp's inbound webhook."""

from __future__ import annotations

from datetime import date

from flask import Blueprint
from flask_babel import format_date

from webapp.tenancy import workspace_blueprint

bp = workspace_blueprint("roster", __name__, url_prefix="/roster")
link_bp = Blueprint("roster_link", __name__, url_prefix="/roster")
whatsapp_bp = Blueprint("whatsapp_inbound", __name__, url_prefix="/inbound/whatsapp")


def month_name(month: date) -> str:
    """ "December 2026" in the request's locale (the pages and the confirmation link)."""
    return format_date(month, "LLLL y")
