"""The policy document: defaults, validation errors by path, versions, schema, registries."""

import ast
import json
import typing
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import tenants
from tenants import FORMAT_VERSION, PolicyInvalid, load_policy
from tenants.decisions.assignment import ASSIGNMENT_STRATEGIES, ELIGIBILITY_FILTERS
from tenants.decisions.cadences import CADENCE_KINDS
from tenants.decisions.duplicates import PRECEDENCE_RULES
from tenants.decisions.gates import GATE_CONDITIONS
from tenants.decisions.outcomes import OUTCOME_EFFECTS
from tenants.durations import Duration
from tenants.policy import migrations
from tenants.policy.assignment import Eligibility, Strategy
from tenants.policy.cadences import Cadence
from tenants.policy.duplicates import PrecedenceRule
from tenants.policy.gates import GateCondition
from tenants.policy.jsonschema import SCHEMA_PATH, policy_json_schema, schema_text
from tenants.policy.outcomes import Effect

PACKAGE = Path(tenants.__file__).parent


def test_blank_policy_is_valid_with_defaults():
    policy = load_policy({})
    assert policy.format_version == FORMAT_VERSION
    assert policy.intake.initial_status == "new"
    assert policy.assignment.strategy.strategy == "round_robin"


def test_invalid_document_lists_every_error_by_path():
    doc = {
        "calendar": {"time_zone": "Mars/Olympus", "business_hours": {"mon": ["18:00-08:00"]}},
        "timers": [
            {"name": "t", "starts_on": "lead.assigned", "duration": "0m", "actions": []},
            {
                "name": "u",
                "starts_on": "lead.assigned",
                "duration": "10m",
                "actions": [{"kind": "reassign", "strategy": {"strategy": "coin_flip"}}],
            },
        ],
        "reporting": {
            "commission_sharing": {"agent_percent": 150, "manager_percent": 1, "pool_team": "x"}
        },
        "surprise": True,
    }
    with pytest.raises(PolicyInvalid) as caught:
        load_policy(doc)
    paths = dict(caught.value.errors)
    assert set(paths) == {
        "calendar.time_zone",
        "calendar.business_hours.mon.0",
        "timers.0.duration",
        "timers.0.actions",
        "timers.1.actions.0.strategy",
        "reporting.commission_sharing.agent_percent",
        "surprise",
    }
    assert "must be positive" in paths["timers.0.duration"]
    assert "'coin_flip'" in paths["timers.1.actions.0.strategy"]
    assert "top_performer" in paths["timers.1.actions.0.strategy"]


def test_unknown_effect_names_the_allowed_ones():
    doc = {
        "outcomes": {
            "codes": [{"code": "x", "labels": {"en": "X"}, "effects": [{"kind": "party"}]}]
        }
    }
    with pytest.raises(PolicyInvalid) as caught:
        load_policy(doc)
    ((path, message),) = caught.value.errors
    assert path == "outcomes.codes.0.effects.0"
    assert "cooldown" in message and "counts_as" in message


def test_dangling_status_reference_is_reported_with_its_path():
    doc = {"cadences": [{"kind": "daily_rounds", "name": "d", "lost_status": "perdu"}]}
    with pytest.raises(PolicyInvalid) as caught:
        load_policy(doc)
    assert caught.value.errors[0][0] == "cadences.0.lost_status"
    assert "allowed: invalid, lost, new, open, won" in caught.value.errors[0][1]


def test_business_time_timer_refuses_days():
    doc = {
        "timers": [
            {
                "name": "t",
                "starts_on": "lead.assigned",
                "duration": "2d",
                "actions": [{"kind": "flag_breach"}],
            }
        ]
    }
    with pytest.raises(PolicyInvalid, match="clock: wall"):
        load_policy(doc)


@pytest.mark.parametrize("text", ["10m", "15m", "24h", "30d", "1w", "366d"])
def test_duration_round_trips_to_the_same_compact_string(text):
    assert str(Duration.parse(text)) == text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0m", "positive"),
        ("-5m", "positive"),
        ("367d", "366 days"),
        ("53w", "366 days"),
        ("10x", "not a duration"),
        ("", "not a duration"),
    ],
)
def test_duration_refuses_zero_negative_absurd_and_garbage(text, message):
    with pytest.raises(ValueError, match=message):
        Duration.parse(text)


@given(st.integers(min_value=1, max_value=366 * 24 * 60), st.sampled_from(["m", "h", "d", "w"]))
def test_duration_parse_is_total_and_exact(amount, unit):
    text = f"{amount}{unit}"
    try:
        parsed = Duration.parse(text)
    except ValueError as exc:
        assert "366 days" in str(exc)
        return
    assert str(parsed) == text and parsed.seconds > 0


def test_newer_format_version_is_refused_clearly():
    with pytest.raises(PolicyInvalid, match="newer than supported"):
        load_policy({"format_version": FORMAT_VERSION + 1})


def test_older_format_version_without_migration_is_refused_clearly():
    with pytest.raises(PolicyInvalid, match="too old"):
        load_policy({"format_version": 0})


def test_older_format_version_goes_through_the_migration_hook(monkeypatch):
    def rename_zone(doc):
        return {"calendar": {"time_zone": doc.pop("timezone")}, **doc}

    monkeypatch.setitem(migrations.MIGRATIONS, 0, rename_zone)
    policy = load_policy({"format_version": 0, "timezone": "Europe/Paris"})
    assert policy.calendar.time_zone == "Europe/Paris"


def test_json_schema_file_is_current():
    assert SCHEMA_PATH.read_text("utf-8") == schema_text(), "run: python -m tenants.policy"
    assert json.loads(SCHEMA_PATH.read_text("utf-8"))["properties"]["format_version"]
    assert policy_json_schema()["title"] == "Policy"


def _tags(annotated) -> set[str]:
    union = typing.get_args(annotated)[0]
    out = set()
    for model in typing.get_args(union):
        (field,) = [
            f
            for n, f in model.model_fields.items()
            if n in {"kind", "strategy", "rule", "condition"}
        ]
        out.add(field.default)
    return out


@pytest.mark.parametrize(
    ("annotated", "registry"),
    [
        (Strategy, ASSIGNMENT_STRATEGIES),
        (Eligibility, ELIGIBILITY_FILTERS),
        (PrecedenceRule, PRECEDENCE_RULES),
        (GateCondition, GATE_CONDITIONS),
        (Effect, OUTCOME_EFFECTS),
        (Cadence, CADENCE_KINDS),
    ],
)
def test_every_document_block_has_a_registered_decision(annotated, registry):
    assert _tags(annotated) == set(registry)


def test_tenants_imports_neither_flask_nor_sqlalchemy():
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = (
                [a.name for a in getattr(node, "names", [])] if isinstance(node, ast.Import) else []
            )
            module = getattr(node, "module", None) if isinstance(node, ast.ImportFrom) else None
            for name in [*names, module or ""]:
                assert not name.startswith(("flask", "sqlalchemy")), f"{path} imports {name}"
