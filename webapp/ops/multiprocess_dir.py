"""The directory prometheus_client's multiprocess mode shares between processes."""

from __future__ import annotations

import os
from pathlib import Path

VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def reset(default: Path | None = None) -> str | None:
    """Empty (or create) the directory, defaulting it to `default` when the environment names
    none; returns it. Call before any process that records metrics starts."""
    directory = os.environ.get(VARIABLE) or (str(default) if default else None)
    if not directory:
        return None
    path = Path(directory)
    if path.exists():
        for child in path.glob("*.db"):  # prometheus_client's files only: it may be shared
            child.unlink()
    path.mkdir(parents=True, exist_ok=True)
    os.environ[VARIABLE] = directory
    return directory
