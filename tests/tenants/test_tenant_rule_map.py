"""Every rule identifier of docs/rules.md maps to settings that exist in a profile."""

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

import tenants
from tenants.profiles import list_profiles, load_profile

RULES = Path(__file__).resolve().parents[2] / "docs" / "rules.md"
RULE_MAP = yaml.safe_load((Path(tenants.__file__).parent / "rule_map.yaml").read_text("utf-8"))
DEPARTMENT_PROFILES = [p for p in list_profiles() if p != "blank"]


def _rule_ids() -> list[str]:
    return sorted(
        set(re.findall(r"^- ((?:L411|CPB|CCIMA|TEL|BDC|ALL)-\d+) ", RULES.read_text("utf-8"), re.M))
    )


def _resolve(document: Any, dotted: str) -> Any:
    node = document
    for part in dotted.split("."):
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def test_the_rules_page_lists_every_department_rule():
    ids = _rule_ids()
    assert len(ids) == 12 + 10 + 14 + 10 + 8 + 6


def test_every_rule_is_mapped():
    assert sorted(set(_rule_ids()) - set(RULE_MAP)) == []
    assert sorted(set(RULE_MAP) - set(_rule_ids())) == []


@pytest.mark.parametrize("rule", sorted(RULE_MAP))
def test_mapped_setting_exists_in_its_profile(rule):
    entry = RULE_MAP[rule]
    if entry["profile"] == "platform":
        assert entry["note"].strip()
        return
    profiles = DEPARTMENT_PROFILES if entry["profile"] == "*" else [entry["profile"]]
    assert entry["paths"]
    for name in profiles:
        document = load_profile(name)
        for path in entry["paths"]:
            try:
                _resolve(document, path)
            except (KeyError, IndexError, TypeError):
                pytest.fail(f"{rule}: {name} has no setting {path}")
