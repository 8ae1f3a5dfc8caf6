"""Babel catalogues in locales/: extract, update and compile (wrapping pybabel)."""

from __future__ import annotations

import os
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from webapp.i18n import LOCALES_DIR, SUPPORTED_LOCALES

ROOT = LOCALES_DIR.parent
TEMPLATE = LOCALES_DIR / "messages.pot"
TRANSLATED = tuple(code for code in SUPPORTED_LOCALES if code != "en")


def _pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


def extract() -> Path:
    """Collect every translatable string of the code and templates into messages.pot."""
    _pybabel(
        "extract",
        "-F",
        str(ROOT / "babel.cfg"),
        "-k",
        "_l",
        "--no-location",
        "--sort-output",
        "--omit-header",
        "-o",
        str(TEMPLATE),
        str(ROOT),
    )
    return TEMPLATE


def update() -> None:
    """Merge messages.pot into each language's catalogue, creating missing ones.

    Done with Babel's API rather than `pybabel update`: the catalogue keeps its own header
    (its plural forms, which newer CLDR data would otherwise change under the translations),
    new strings arrive untranslated, never as fuzzy guesses, and removed ones are dropped.
    """
    with TEMPLATE.open("rb") as handle:
        template = read_po(handle)
    for code in TRANSLATED:
        po = LOCALES_DIR / code / "LC_MESSAGES" / "messages.po"
        if not po.exists():
            _pybabel("init", "-i", str(TEMPLATE), "-d", str(LOCALES_DIR), "-l", code)
            continue
        with po.open("rb") as handle:
            catalogue = read_po(handle)
        catalogue.update(template, no_fuzzy_matching=True)
        with po.open("wb") as handle:
            write_po(handle, catalogue, no_location=True, ignore_obsolete=True, width=100)


def compile_all() -> list[Path]:
    """Build the .mo files the app reads; run by `leadline up`, the tests and the image.

    Fuzzy entries are left out (they are guesses); a catalogue marked fuzzy as a whole is an
    error rather than a silently English interface.
    """
    written = []
    for po in sorted(LOCALES_DIR.glob("*/LC_MESSAGES/messages.po")):
        with po.open("rb") as handle:
            catalogue = read_po(handle, locale=po.parent.parent.name)
        if catalogue.fuzzy:
            raise RuntimeError(f"{po} is marked fuzzy as a whole: review it, then remove the flag")
        mo = po.with_suffix(".mo")
        # Written aside, then renamed: a process reading the catalogue meanwhile (a parallel
        # test worker, a running server) sees the old file or the new one, never half of one.
        partial = mo.with_name(f"{mo.name}.{os.getpid()}.partial")
        with partial.open("wb") as handle:
            write_mo(handle, catalogue, use_fuzzy=False)
        os.replace(partial, mo)
        written.append(mo)
    return written
