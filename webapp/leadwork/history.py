"""An audit event as a person reads it (ALL-3): what happened, each field's before → after,
who did it and why, in the reader's language: codes become the policy's or our labels."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from webapp import audit_actions as actions
from webapp.extensions import db
from webapp.labels import version_comment
from webapp.models import AuditEvent, PartnerOrganisation, TaskState, User
from webapp.operations.audit import changes_of
from webapp.policy.labels import PolicyLabels
from webapp.queue.tasks_ui import task_kind_label, task_state_label
from webapp.tenancy import scoped

NOBODY = "—"


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class Line:
    at: datetime
    title: str
    changes: tuple[Change, ...]
    actor: str
    reason: str


class Reader:
    """Describes audit events for one reader: the policy's labels, and the people's names."""

    def __init__(self, labels: PolicyLabels, events: Iterable[AuditEvent]) -> None:
        self.labels = labels
        events = list(events)
        ids = {e.actor_id for e in events if e.actor_id}
        for event in events:
            for field, pair in changes_of(event).items():
                if field == "owner_id":
                    ids |= {v for v in pair if isinstance(v, int)}
        rows = db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all()
        self.names: dict[int, str] = {i: name for i, name in rows}

    def line(self, event: AuditEvent) -> Line:
        return Line(
            at=event.created_at,
            title=self.title(event),
            changes=tuple(self.change(f, b, a) for f, (b, a) in changes_of(event).items()),
            actor=self.names.get(event.actor_id, "") if event.actor_id else _("Leadline"),
            reason=self.reason(event.reason or ""),
        )

    def title(self, event: AuditEvent) -> str:
        title = actions.action_label(event.action, self._policy_code)
        after = event.after or {}
        if task := after.get("task"):
            return f"{title}: {task_kind_label(task)}"
        if event.subject_type == "deadlines" and after.get("kind"):
            return f"{title}: {actions.timer_label(after['kind'])}"
        return title

    def _policy_code(self, code: str) -> str:
        label = self.labels.outcome(code)
        return label if label != code else actions.readable(code)

    def field_label(self, field: str) -> str:
        if field.startswith("attributes."):
            return self.labels.field(field.removeprefix("attributes."))
        label = actions.FIELD_LABELS.get(field)
        return str(label) if label else actions.readable(field)

    def change(self, field: str, before: Any, after: Any) -> Change:
        return Change(self.field_label(field), self.value(field, before), self.value(field, after))

    def value(self, field: str, value: Any) -> str:
        if value in (None, "", []):
            return NOBODY
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        if field == "owner_id":
            return self.names.get(value, NOBODY)
        if field == "status":
            return self.labels.status(value)
        if field == "lead_type":
            return self.labels.lead_type(value)
        if field == "state":
            return task_state_label(TaskState(value))
        if field == "comment":  # a policy version's: Leadline's own are said in the reader's
            return version_comment(value)
        if isinstance(value, list):
            return ", ".join(actions.readable(str(v)) for v in value)
        if field.startswith("attributes."):
            return self._answer(field.removeprefix("attributes."), value)
        return str(value)

    def _answer(self, code: str, value: Any) -> str:
        definition = self.labels.policy.intake.field(code)
        if definition is not None and definition.kind == "select":
            from tenants.policy.common import label_for

            for choice in definition.choices:
                if choice.code == str(value):
                    return label_for(
                        choice.labels, self.labels.locale, self.labels.policy.default_locale
                    )
        return str(value)

    def channel(self, code: str) -> str:
        return self.labels.contact_channel(code)

    def organisation(self, organisation_id: int) -> str:
        found = db.session.scalar(
            scoped(PartnerOrganisation).where(PartnerOrganisation.id == organisation_id)
        )
        return found.name if found else NOBODY

    def reason(self, reason: str) -> str:
        """A reason an operation wrote, read: its codes labelled; a person's words as typed."""
        for pattern, render in REASONS:
            if (match := pattern.fullmatch(reason)) is not None:
                text = render(self, *match.groups())
                if text is not None:
                    return text
        return version_comment(reason)  # Leadline's own words (a version comment) translated


def _strategy(reader: Reader, strategy: str, pick: str) -> str | None:
    if strategy not in actions.STRATEGY_LABELS:
        return None
    code, _sep, detail = pick.partition(":")
    label = actions.PICK_LABELS.get(code)
    shown = str(label) if label else actions.readable(code)
    if detail.isdigit() and code == "partner_allocation":  # the organisation's id
        detail = reader.organisation(int(detail))
    return f"{actions.STRATEGY_LABELS[strategy]}: {shown}" + (f" ({detail})" if detail else "")


def _code(table: dict) -> Any:
    return lambda reader, code: str(table[code]) if code in table else None


REASONS = (
    (re.compile(r"(.+)"), _code(actions.FIXED_REASONS)),
    (re.compile(r"(.+)"), _code(actions.PICK_LABELS)),
    (re.compile(r"(.+)"), _code(actions.DUPLICATE_RULE_LABELS)),
    (re.compile(r"(\w+): (\S+)"), _strategy),
    (
        re.compile(r"duplicate: (\w+)"),
        lambda r, rule: _(
            "duplicate: %(rule)s", rule=actions.DUPLICATE_RULE_LABELS.get(rule, rule)
        ),
    ),
    (re.compile(r"outcome (\S+)"), lambda r, c: _("outcome: %(name)s", name=r.labels.outcome(c))),
    (re.compile(r"source (\S+)"), lambda r, c: _("source: %(name)s", name=r.labels.source(c))),
    (re.compile(r"lead (\S+)"), lambda r, c: _("lead %(status)s", status=r.labels.status(c))),
    (
        re.compile(r"timer (\S+): listed on the open (\S+)"),
        lambda r, t, k: _(
            "%(timer)s: listed on the open %(task)s",
            timer=actions.timer_label(t),
            task=task_kind_label(k),
        ),
    ),
    (re.compile(r"timer (\S+)"), lambda r, t: _("timer: %(name)s", name=actions.timer_label(t))),
    (
        re.compile(r"API key '(.*?)' \((\w+)\.\.\.\)(?:: (.*))?"),
        lambda r, name, prefix, why: (
            _("through the API key %(name)s", name=name) + (f": {why}" if why else "")
        ),
    ),
    (
        re.compile(r"webhook '(.*)' \((\w+)\)"),
        lambda r, name, code: _("through the webhook %(name)s", name=name),
    ),
    (
        re.compile(r"lead handed over: (.*)"),
        lambda r, why: _("handed over: %(why)s", why=r.reason(why)),
    ),
    (
        re.compile(r"(\w+) logged"),
        lambda r, channel: _("%(channel)s logged", channel=r.channel(channel)),
    ),
    (
        re.compile(r"task (\w+) (done|cancelled)"),
        lambda r, kind, state: _(
            "task %(task)s %(state)s",
            task=task_kind_label(kind),
            state=task_state_label(TaskState(state)),
        ),
    ),
    (
        re.compile(r"(\d+) days without reaching the customer \((\w+)\)"),
        lambda r, days, cadence: _("%(days)s days without reaching the customer", days=days),
    ),
)
