"""The departments' numbers are policy settings, never constants in web or worker code.

docs/rules.md marks each department default in bold (**10 minutes**, **30 days**, **24 hours**...).
This test reads those defaults and fails when webapp/ or workers/ spell one of them as a
duration: a string such as "10m" or a timedelta(minutes=10). The demo seed is exempt.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "docs" / "rules.md"
UNITS = {"minute": "m", "hour": "h", "day": "d", "week": "w"}
TIMEDELTA_UNITS = {"minutes": "m", "hours": "h", "days": "d", "weeks": "w"}


def rule_durations() -> set[str]:
    """Every bold duration of docs/rules.md in compact form: {"10m", "15m", "24h", "48h", ...}."""
    found = set()
    for bold in re.findall(r"\*\*([^*]+)\*\*", RULES.read_text("utf-8")):
        for numbers, unit in re.findall(
            r"(\d+(?:-\d+)?)\s*(?:consecutive\s+)?(minute|hour|day|week)s?", bold
        ):
            found.update(f"{n}{UNITS[unit]}" for n in numbers.split("-"))
    return found


def _literals(tree: ast.AST) -> list[tuple[int, str]]:
    spelled = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if re.fullmatch(r"\d+[mhdw]", node.value.strip()):
                spelled.append((node.lineno, node.value.strip()))
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) == "timedelta"
        ):
            for keyword in node.keywords:
                if keyword.arg in TIMEDELTA_UNITS and isinstance(keyword.value, ast.Constant):
                    spelled.append(
                        (node.lineno, f"{keyword.value.value}{TIMEDELTA_UNITS[keyword.arg]}")
                    )
    return spelled


def test_the_rules_page_defaults_are_read():
    assert {"10m", "15m", "24h", "48h", "30d", "7d", "1w"} <= rule_durations()


def test_no_rule_duration_is_a_constant_in_webapp_or_workers():
    forbidden = rule_durations()
    found = []
    for folder in ("webapp", "workers"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path.name.startswith("demo") or "migrations" in path.parts:
                continue
            for line, duration in _literals(ast.parse(path.read_text("utf-8"))):
                if duration in forbidden:
                    found.append(f"{path.relative_to(ROOT)}:{line}: {duration}")
    assert found == [], "a department's duration belongs in its policy document"
