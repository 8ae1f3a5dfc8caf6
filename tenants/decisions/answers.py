"""Answer changes: which saved answers may change to which (TEL-3, TEL-4, TEL-5)."""

from dataclasses import dataclass

from tenants.errors import UnknownCode
from tenants.policy import Policy
from tenants.policy.answers import AnswerSet


@dataclass(frozen=True)
class AnswerChange:
    """Verdict on an answer change; truthy when allowed, `reason` is a message key."""

    allowed: bool
    reason: str

    def __bool__(self) -> bool:
        return self.allowed


def answer_set(policy: Policy, name: str) -> AnswerSet:
    """The named answer set, or UnknownCode naming the defined ones."""
    found = next((s for s in policy.answers.sets if s.name == name), None)
    if found is None:
        raise UnknownCode("answer set", name, [s.name for s in policy.answers.sets])
    return found


def may_change_answer(policy: Policy, set_name: str, old: str | None, new: str) -> AnswerChange:
    """May a saved answer `old` (None: not answered yet) become `new`?"""
    answers = answer_set(policy, set_name)
    values = {v.code: v for v in answers.values}
    if new not in values:
        raise UnknownCode("answer", new, values)
    if old is None:
        return AnswerChange(True, "first_answer")
    if old not in values:
        raise UnknownCode("answer", old, values)
    if old == new:
        return AnswerChange(True, "unchanged")
    if values[old].final:
        return AnswerChange(False, "answer_is_final")
    if new in answers.transitions.get(old, []):
        return AnswerChange(True, "transition_allowed")
    return AnswerChange(False, "transition_not_allowed")
