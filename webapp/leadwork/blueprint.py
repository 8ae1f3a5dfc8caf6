"""The lead pages' blueprint and what its view modules share: the lead page's work block."""

from __future__ import annotations

from werkzeug.wrappers import Response

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
    **forms,
) -> Response:
    """The lead page's work block, with the message beside the control that asked."""
    context = {
        **page.context(lead, **forms),
        "acknowledge_error": acknowledge_error,
        "task_error": task_error,
        "card_error": card_error,
    }
    return render("workspace/lead.html", "work", status=status, **context)
