"""Domain errors: what an operation raises when it refuses its input.

Views turn them into a message beside the field, the API into a 4xx naming the field; the
HTTP error pages themselves live in `webapp/error_pages.py`.
"""

from __future__ import annotations


class UserError(ValueError):
    """Refused user data; `field` names what was wrong. `message` is a tenants.errors.Refusal
    (an N_-marked msgid with its values, English as its text) or an already translated text;
    `str()` says it in the request's language (issue 16 item 2), so a view or the API that
    shows `str(error)` cannot forget to translate it. Outside a request it is the English."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message

    def __str__(self) -> str:
        from webapp.validation_messages import engine_message

        return engine_message(self.message)
