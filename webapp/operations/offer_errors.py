"""Refusals of the inbound-call offer operations (TEL-1..10), for pages and the API alike."""

from __future__ import annotations

from typing import Any


class OfferInvalid(ValueError):
    """Bad input, every field at fault at once: (field, message in the user's language)."""

    def __init__(self, errors: list[tuple[str, Any]]) -> None:
        super().__init__("; ".join(f"{f}: {m}" for f, m in errors))
        self.errors = [(field, str(message)) for field, message in errors]

    def message_for(self, field: str) -> str | None:
        return next((m for f, m in self.errors if f == field), None)


class AnswerRefused(Exception):
    """TEL-4: a saved answer may not change this way; `allowed` are the moves it may make."""

    def __init__(self, old: str, new: str, allowed: list[str], message: Any) -> None:
        super().__init__(str(message))
        self.old, self.new, self.allowed, self.message = old, new, allowed, str(message)


class InteractionRefused(Exception):
    """The interaction cannot do this now (closed already, a second-line agent's offer, a
    transfer before any offer without confirming it: TEL-2, TEL-8)."""

    def __init__(self, reason: str, message: Any) -> None:
        super().__init__(str(message))
        self.reason, self.message = reason, str(message)
