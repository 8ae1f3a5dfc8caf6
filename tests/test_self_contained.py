"""The repository carries everything it needs (issue 9 item 15).

A user's clone has nothing beside it: no file of the project may read or link a folder outside
the repository, so the documentation links work and the test suite passes on a bare clone.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTSIDE = re.compile(r"\.\./shared|parents\[\d\]\.parent|ROOT\.parent")


def _tracked_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    return [ROOT / name for name in listed.split("\0") if name]


def test_no_tracked_file_reaches_outside_the_repository():
    this_file = Path(__file__).resolve()
    offenders = []
    for path in _tracked_files():
        if path == this_file or not path.is_file() or path.suffix in {".png", ".mo"}:
            continue
        text = path.read_text("utf-8", errors="ignore")
        offenders += [
            f"{path.relative_to(ROOT)}:{n}"
            for n, line in enumerate(text.splitlines(), 1)
            if OUTSIDE.search(line)
        ]
    assert offenders == []


def test_the_readme_links_resolve_inside_the_repository():
    readme = (ROOT / "README.md").read_text("utf-8")
    targets = re.findall(r"\]\(([^)#\s]+)\)", readme)
    assert "docs/rules.md" in targets and "docs/architecture.md" in targets
    missing = [t for t in targets if "://" not in t and not (ROOT / t).exists()]
    assert missing == []
