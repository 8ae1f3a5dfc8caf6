"""A policy setting that nothing reads is a defect (issue 11 item 8).

Every field of the policy document (walked from the pydantic models of tenants/policy/) is
either read by the modules `tenants/policy/readers.py` names, each of which must mention the
field's name, or pending with the subject of the open issue that will read it. A pending
field that some code reads already passes (other work reads it before its entry moves).
"""

from __future__ import annotations

import re
from pathlib import Path

from tenants.policy.fields import _pending_subject, policy_fields, settings_markdown
from tenants.policy.readers import PENDING, READERS

ROOT = Path(__file__).resolve().parents[1]
FIELDS = {field.key: field for field in policy_fields()}
MODELS = {key.split(".")[0] for key in FIELDS}


def test_every_field_is_read_or_pending():
    unread = [
        f"{key} ({field.path})"
        for key, field in FIELDS.items()
        if key not in READERS and _pending_subject(key, PENDING) is None
    ]
    assert unread == [], "read these settings, or list them as pending with their issue"


def test_the_registry_names_only_fields_that_exist():
    assert [key for key in READERS if key not in FIELDS] == []
    assert [
        key
        for key in PENDING
        if key not in FIELDS and not (key.endswith(".*") and key[:-2] in MODELS)
    ] == []


def test_each_reader_mentions_the_field_it_reads():
    """`module` mentions the field; `module:name` mentions `name`, a property of the policy
    that reads the field (the module named before it, in tenants/policy/, mentions the field)."""
    wrong = []
    for key, modules in READERS.items():
        for entry in modules:
            module, _, through = entry.partition(":")
            name = through or key.split(".")[1]
            path = ROOT / module
            if not path.is_file() or not re.search(rf"\b{name}\b", path.read_text("utf-8")):
                wrong.append(f"{key}: {entry}")
    assert wrong == []


def test_pending_fields_are_listed(capsys):
    pending = sorted(
        (subject, key)
        for key in FIELDS
        if key not in READERS and (subject := _pending_subject(key, PENDING))
    )
    with capsys.disabled():
        print(f"\n{len(pending)} policy fields pending:")
        for subject, key in pending:
            print(f"  {key} ({FIELDS[key].path}): {subject}")
    assert all(subject for subject, _key in pending)


def test_the_check_catches_an_unread_field_and_a_stale_entry():
    """Planted: a field nobody registered, and an entry for a field that does not exist."""
    fields = {**FIELDS, "IntakeSettings.planted": FIELDS["IntakeSettings.sources"]}
    unread = [k for k in fields if k not in READERS and _pending_subject(k, PENDING) is None]
    assert unread == ["IntakeSettings.planted"]
    readers = {**READERS, "IntakeSettings.gone": ("webapp/tenancy.py",)}
    assert [key for key in readers if key not in FIELDS] == ["IntakeSettings.gone"]


def test_the_settings_page_lists_every_field():
    page = settings_markdown()
    assert all(f"`{key}`" in page for key in FIELDS)
