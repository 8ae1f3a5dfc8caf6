"""Domain errors: what an operation raises when it refuses its input.

Views turn them into a message beside the field, the API into a 4xx naming the field; the
HTTP error pages themselves live in `webapp/error_pages.py`.
"""

from __future__ import annotations


class UserError(ValueError):
    """Refused user data; `field` names what was wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
