"""REST API v1 (bearer API keys), signed webhooks, and the API's documentation."""

from . import accounts, lead_edits, leads, people, policy, portal, reports, tasks, telecom  # noqa: F401  (their routes register on the blueprint)
from .blueprint import bp
from .docs import bp as docs_bp
from .hooks import bp as hooks_bp

__all__ = ["bp", "docs_bp", "hooks_bp"]
