"""People: who belongs to a workspace, its teams and partner organisations, and accounts."""

from . import account, groups, views  # noqa: F401  (their routes register on the blueprints)
from .blueprint import account_bp, bp

__all__ = ["account_bp", "bp"]
