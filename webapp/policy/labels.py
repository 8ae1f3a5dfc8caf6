"""The policy's own words for its codes, in the language of the request (ALL-6)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from tenants import Policy
from tenants.policy.common import label_for

# The product's words for the contact channels, where the policy gives none of its own.
CONTACT_CHANNEL_WORDS = {
    "call": _l("Call"),
    "sms": _l("Text message"),
    "email": _l("E-mail"),
    "whatsapp": _l("WhatsApp"),
    "social": _l("Social"),
    "voicemail": _l("Voicemail"),
    "in_person": _l("In person"),
    "note": _l("Internal note"),
}

# The product's words for the built-in statuses, where the policy names them in English only.
STATUS_WORDS = {
    "new": _l("New"),
    "open": _l("In progress"),
    "won": _l("Won"),
    "lost": _l("Lost"),
    "invalid": _l("Invalid"),
}


@dataclass(frozen=True)
class PolicyLabels:
    """Labels of a policy's statuses, lead types, sources, outcomes, gates and scripts."""

    policy: Policy
    locale: str

    @classmethod
    def for_request(cls, policy: Policy) -> PolicyLabels:
        return cls(policy, str(get_locale() or policy.default_locale))

    def _pick(self, items, code: str | None, words=None) -> str:
        for item in items:
            if item.code == code:
                if self.locale not in item.labels and words and code in words:
                    return str(words[code])  # the policy has no word in this language
                return label_for(item.labels, self.locale, self.policy.default_locale)
        if words and code in words:
            return str(words[code])
        return code or ""

    def status(self, code: str | None) -> str:
        return self._pick(self.policy.intake.statuses, code, STATUS_WORDS)

    def lead_type(self, code: str | None) -> str:
        return self._pick(self.policy.intake.lead_types, code)

    def source(self, code: str | None) -> str:
        return self._pick(self.policy.intake.sources, code)

    def outcome(self, code: str | None) -> str:
        return self._pick(self.policy.outcomes.codes, code)

    def gate_reason(self, name: str) -> str:
        gate = next((g for g in self.policy.gates if g.name == name), None)
        return label_for(gate.reason, self.locale, self.policy.default_locale) if gate else name

    def gate_passes(self, name: str) -> str | None:
        """What the policy says of a gate that lets the offer through ("Not cancelled")."""
        gate = next((g for g in self.policy.gates if g.name == name), None)
        if gate is None or not gate.passes:
            return None
        return label_for(gate.passes, self.locale, self.policy.default_locale)

    def script(self, name: str | None) -> str | None:
        labels = self.policy.scripts.get(name or "")
        return label_for(labels, self.locale, self.policy.default_locale) if labels else None

    def open_statuses(self) -> list[tuple[str, str]]:
        """(code, label) of the statuses a queue shows: the ones that do not close a lead."""
        return [
            (s.code, self.status(s.code)) for s in self.policy.intake.statuses if not s.terminal
        ]

    def statuses(self) -> list[tuple[str, str]]:
        return [(s.code, self.status(s.code)) for s in self.policy.intake.statuses]

    def lead_types(self) -> list[tuple[str, str]]:
        return [(t.code, self.lead_type(t.code)) for t in self.policy.intake.lead_types]

    def field(self, code: str) -> str:
        """The policy's label for lead attribute `code`, else its name made readable."""
        definition = self.policy.intake.field(code)
        if definition is not None:
            return label_for(definition.labels, self.locale, self.policy.default_locale)
        return code.replace("_", " ").capitalize()

    def channel(self, code: str | None) -> str:
        return self._pick(self.policy.intake.channels, code)

    def channels(self) -> list[tuple[str, str]]:
        return [(c.code, self.channel(c.code)) for c in self.policy.intake.channels]

    def sources(self) -> list[tuple[str, str]]:
        return [(s.code, self.source(s.code)) for s in self.policy.intake.sources]

    def contact_channel(self, code: str) -> str:
        """A contact channel's label: the policy's (outcomes.contact_channels), else ours."""
        own = next((c for c in self.policy.outcomes.contact_channels if c.code == code), None)
        if own is not None and own.labels:
            return label_for(own.labels, self.locale, self.policy.default_locale)
        return str(CONTACT_CHANNEL_WORDS.get(code, code))

    def contact_channels(self) -> list[tuple[str, str]]:
        """(code, label) of the channels an agent may log a contact on, the note last."""
        codes = [c.code for c in self.policy.outcomes.contact_channels]
        return [(code, self.contact_channel(code)) for code in [*codes, "note"]]
