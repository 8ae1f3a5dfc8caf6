"""The lead pages' blueprint and what its view modules share: the lead page's work block
and the two endings of a lead action."""

from __future__ import annotations

from flask import url_for
from werkzeug.wrappers import Response

from webapp.htmx_answers import redirect_or_fragment
from webapp.models import Lead
from webapp.rendering import render
from webapp.tenancy import workspace_blueprint

from . import page

bp = workspace_blueprint("leadwork", __name__)


def lead_page(
    lead: Lead,
    status: int = 200,
    acknowledge_error: str = "",
    task_error: str = "",
    card_error: str = "",
    lost_error: str = "",
    **forms,
) -> Response:
    """The lead page's work block, with the message beside the control that asked."""
    context = {
        **page.context(lead, **forms),
        "acknowledge_error": acknowledge_error,
        "task_error": task_error,
        "card_error": card_error,
        "lost_error": lost_error,
    }
    return render("workspace/lead.html", "work", status=status, **context)


def done(lead: Lead, message: str) -> Response:
    """A lead action that succeeded: back to the page with `message`, or (htmx) its block."""
    to = url_for("workspace.lead", lead_id=lead.id)
    return redirect_or_fragment(to, lambda: lead_page(lead), message)


def refused(lead: Lead, status: int, message: str, **error: str) -> Response:
    """A lead action refused: back to the page with `message`, or (htmx) the block with the
    message beside the control that asked (`error`, e.g. task_error=...)."""
    to = url_for("workspace.lead", lead_id=lead.id)
    return redirect_or_fragment(to, lambda: lead_page(lead, status, **error), message, "error")
