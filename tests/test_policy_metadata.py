"""Every setting of the policy document is readable: a label, a help text and, where it has
one, a unit, from the model's own metadata, in en, es, fr and ru (issue 16 item 1; ALL-6)."""

from __future__ import annotations

from functools import cache

import pytest
from babel.messages.pofile import read_po

from webapp.i18n import LOCALES_DIR
from webapp.policy import choices, settings

TRANSLATED = ("es", "fr", "ru")


@cache
def _catalogue(locale: str) -> dict[str, str]:
    with (LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return {m.id: m.string for m in read_po(handle) if isinstance(m.id, str) and m.id}


def _texts(setting: settings.Setting) -> list[str]:
    return [t for t in (setting.info.title, setting.info.description, setting.unit) if t]


def test_every_field_of_the_document_has_a_label_and_a_help_text() -> None:
    every = settings.every_setting()
    assert len(every) > 250  # the walk reaches the nested models, not only the sections
    unlabelled = [s.key for s in every if not s.info.title or not s.info.description]
    assert unlabelled == []


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_label_help_and_unit_is_translated(locale: str) -> None:
    catalogue = _catalogue(locale)
    untranslated = sorted(
        {
            f"{s.key}: {text!r}"
            for s in settings.every_setting()
            for text in _texts(s)
            if not catalogue.get(text)
        }
    )
    assert untranslated == [], f"run `leadline i18n extract` and translate them in {locale}"


def test_every_fixed_value_of_the_model_has_words() -> None:
    """A select offers words, never a bare code: each Literal value has its entry."""
    values = set()
    for setting in settings.every_setting():
        values |= set(settings.literal_values(setting.annotation))
        if (item := settings.item_annotation(setting.annotation)) is not None:
            values |= set(settings.literal_values(item))
    values -= {1}  # format_version, shown read-only
    assert sorted(str(v) for v in values if str(v) not in choices.VALUE_WORDS) == []


def test_a_path_of_the_document_resolves_to_its_model_field() -> None:
    document = {
        "assignment": {"strategy": {"strategy": "top_performer", "top_n": 3}},
        "timers": [{"name": "contact_sla", "actions": [{"kind": "notify", "roles": []}]}],
    }
    assert settings.resolve(document, "assignment.strategy.top_n").key == "TopPerformer.top_n"
    assert settings.resolve(document, "timers.0.duration").key == "Timer.duration"
    assert settings.resolve(document, "timers.0.actions.0.roles").key == "Notify.roles"
    assert settings.resolve(document, "assignment.nope") is None
