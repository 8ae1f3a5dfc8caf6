"""Errors the policy engine raises."""

from collections.abc import Iterable


class PolicyInvalid(ValueError):
    """A policy document failed validation; `errors` lists every (path, message) pair."""

    def __init__(self, errors: Iterable[tuple[str, str]]) -> None:
        self.errors: list[tuple[str, str]] = list(errors)
        lines = "\n".join(f"  {path or '<root>'}: {message}" for path, message in self.errors)
        super().__init__(f"invalid policy ({len(self.errors)} error(s)):\n{lines}")


class UnknownCode(KeyError):
    """A code (outcome, answer set, ...) is not in the policy; the message lists the allowed."""

    def __init__(self, what: str, code: str, allowed: Iterable[str]) -> None:
        self.what, self.code, self.allowed = what, code, sorted(allowed)
        super().__init__(f"unknown {what} {code!r}; allowed: {', '.join(self.allowed) or '(none)'}")

    def __str__(self) -> str:
        return str(self.args[0])
