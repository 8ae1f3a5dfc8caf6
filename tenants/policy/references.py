"""Cross-section checks: codes one section uses must exist in the section that defines them."""

from collections.abc import Iterator

from tenants.errors import Refusal
from tenants.markers import N_
from tenants.policy.document import Policy


def _status_refs(policy: Policy) -> Iterator[tuple[str, str]]:
    yield "duplicates.invalid_status", policy.duplicates.invalid_status
    for t, timer in enumerate(policy.timers):
        for a, action in enumerate(timer.actions):
            if action.kind == "set_status":
                yield f"timers.{t}.actions.{a}.status", action.status
    for o, outcome in enumerate(policy.outcomes.codes):
        for e, effect in enumerate(outcome.effects):
            if effect.kind == "set_status":
                yield f"outcomes.codes.{o}.effects.{e}.status", effect.status
    for c, cadence in enumerate(policy.cadences):
        if cadence.kind == "daily_rounds" and cadence.lost_status:
            yield f"cadences.{c}.lost_status", cadence.lost_status
    for field_name, status in policy.reporting.stage_statuses.items():
        yield f"reporting.stage_statuses.{field_name}", status


def _lead_type_refs(policy: Policy) -> Iterator[tuple[str, str]]:
    for t, timer in enumerate(policy.timers):
        for i, code in enumerate(timer.lead_types):
            yield f"timers.{t}.lead_types.{i}", code
    for c, cadence in enumerate(policy.cadences):
        for i, code in enumerate(cadence.lead_types):
            yield f"cadences.{c}.lead_types.{i}", code


def _script_refs(policy: Policy) -> Iterator[tuple[str, str]]:
    for t, timer in enumerate(policy.timers):
        for a, action in enumerate(timer.actions):
            if action.kind == "create_task" and action.script:
                yield f"timers.{t}.actions.{a}.script", action.script


def _outcome_refs(policy: Policy) -> Iterator[tuple[str, str]]:
    for g, gate in enumerate(policy.gates):
        if gate.outcome:
            yield f"gates.{g}.outcome", gate.outcome


def _source_refs(policy: Policy) -> Iterator[tuple[str, str]]:
    for code in policy.assignment.by_source:
        yield f"assignment.by_source.{code}", code


def reference_errors(policy: Policy) -> list[tuple[str, str]]:
    """Every dangling reference as (path, message)."""
    checks = (
        (
            N_("unknown status %(code)r; allowed: %(allowed)s"),
            _status_refs,
            policy.intake.status_codes,
        ),
        (
            N_("unknown lead type %(code)r; allowed: %(allowed)s"),
            _lead_type_refs,
            {t.code for t in policy.intake.lead_types},
        ),
        (N_("unknown script %(code)r; allowed: %(allowed)s"), _script_refs, set(policy.scripts)),
        (
            N_("unknown outcome %(code)r; allowed: %(allowed)s"),
            _outcome_refs,
            {o.code for o in policy.outcomes.codes},
        ),
        (
            N_("unknown source %(code)r; allowed: %(allowed)s"),
            _source_refs,
            {s.code for s in policy.intake.sources},
        ),
    )
    errors: list[tuple[str, str]] = []
    for template, refs, known in checks:
        for path, code in refs(policy):
            if code not in known:
                allowed = ", ".join(sorted(known)) or Refusal(N_("(none defined)"))
                errors.append((path, Refusal(template, code=code, allowed=allowed)))
    return errors
