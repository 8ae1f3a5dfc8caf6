"""Department names live in policy documents, never as literals in web-app or worker code."""

import io
import re
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LITERALS = ["411 Locals", "CCIMA", "CPB", "Perdu BDC", "Fuente MKT", "OPP lead courriel invalide"]
CODE_DIRS = ["webapp", "workers"]
# Citing a rule (CCIMA-6) is encouraged; naming the department in code is not.
RULE_ID = re.compile(r"\b(?:L411|CPB|CCIMA|TEL|BDC|ALL)-\d+(?:\.\.\d+)?")
PATTERN = re.compile("|".join(re.escape(x) for x in LITERALS))


def _skipped(path: Path) -> bool:
    parts = path.relative_to(ROOT).parts
    return (
        any(p.startswith("demo") for p in parts)
        or any(p in {"locales", "translations"} for p in parts)
        or path.suffix in {".po", ".pot", ".mo"}
    )


def _python_strings(text: str) -> list[tuple[int, str]]:
    """String literals of a Python file (comments are free to cite departments)."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return _template_lines(text)  # a file mid-edit: scan every line instead
    return [(t.start[0], t.string) for t in tokens if t.type == tokenize.STRING]


def _template_lines(text: str) -> list[tuple[int, str]]:
    return list(enumerate(text.splitlines(), 1))


def _candidates():
    for name in CODE_DIRS:
        folder = ROOT / name
        if folder.is_dir():
            for path in folder.rglob("*"):
                if path.suffix in {".py", ".html", ".js"} and not _skipped(path):
                    yield path


def test_no_department_names_in_webapp_or_workers_code():
    if not any((ROOT / d).is_dir() for d in CODE_DIRS):
        pytest.skip("no webapp/ or workers/ yet")
    found = []
    for path in _candidates():
        text = path.read_text("utf-8", errors="replace")
        chunks = _python_strings(text) if path.suffix == ".py" else _template_lines(text)
        for line, chunk in chunks:
            if PATTERN.search(RULE_ID.sub("", chunk)):
                found.append(f"{path.relative_to(ROOT)}:{line}: {chunk.strip()[:80]}")
    assert found == []
