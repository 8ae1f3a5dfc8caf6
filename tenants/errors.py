"""Errors the policy engine raises."""

from collections.abc import Iterable
from typing import Any

from tenants.markers import N_


class Refusal(str):
    """A refusal's English text that also carries what it was made of, so the web app can say
    it in the reader's language (issue 16 item 2) while the engine, logs and tests read plain
    English: `template` is the msgid (marked with N_), `params` fill its %(name)s / %(name)r
    placeholders. A refusal that repeats one of pydantic's own errors carries its `type` code
    and `ctx` in `pydantic` instead (its template then has no translation of its own)."""

    template: str
    params: dict[str, Any]
    pydantic: dict[str, Any] | None

    def __new__(cls, template: str, /, **params: Any) -> "Refusal":
        self = super().__new__(cls, template % params if params else template)
        self.template, self.params, self.pydantic = template, params, None
        return self

    @classmethod
    def of_pydantic(cls, error_type: str, ctx: dict[str, Any] | None, text: str) -> "Refusal":
        """pydantic's English `text` for an error of `error_type` with its `ctx` values."""
        self = super().__new__(cls, text)
        self.template, self.params = text, {}
        self.pydantic = {"type": error_type, "ctx": dict(ctx or {}), "msg": text}
        return self

    def __reduce__(self) -> tuple[Any, ...]:  # pickles (RQ, caches) keep the English text
        return (str, (str(self),))


class PolicyInvalid(ValueError):
    """A policy document failed validation; `errors` lists every (path, message) pair."""

    def __init__(self, errors: Iterable[tuple[str, str]]) -> None:
        self.errors: list[tuple[str, str]] = list(errors)
        lines = "\n".join(f"  {path or '<root>'}: {message}" for path, message in self.errors)
        super().__init__(f"invalid policy ({len(self.errors)} error(s)):\n{lines}")


UNKNOWN_CODE_MESSAGES = {  # one full sentence per kind of code (issue 16 item 2)
    "outcome": N_("unknown outcome %(code)r; allowed: %(allowed)s"),
    "answer set": N_("unknown answer set %(code)r; allowed: %(allowed)s"),
    "answer": N_("unknown answer %(code)r; allowed: %(allowed)s"),
    "profile": N_("unknown profile %(code)r; allowed: %(allowed)s"),
}


class UnknownCode(KeyError):
    """A code (outcome, answer set, ...) is not in the policy; the message lists the allowed."""

    def __init__(self, what: str, code: str, allowed: Iterable[str]) -> None:
        self.what, self.code, self.allowed = what, code, sorted(allowed)
        template = UNKNOWN_CODE_MESSAGES.get(
            what, "unknown " + what + " %(code)r; allowed: %(allowed)s"
        )
        self.refusal = Refusal(template, code=code, allowed=", ".join(self.allowed) or "(none)")
        super().__init__(self.refusal)

    def __str__(self) -> str:
        return str(self.args[0])
