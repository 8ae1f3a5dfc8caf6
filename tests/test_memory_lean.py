"""The processes `leadline up` keeps running leave out what they never use (issue 17 item 5):
the web and worker processes never migrate, so they do not hold Alembic."""

from __future__ import annotations

import subprocess
import sys

from alembic.script import ScriptDirectory

from webapp import MIGRATIONS_DIR
from webapp.ops import checks


def _revisions(down_revision: str | tuple[str, ...] | None) -> frozenset[str]:
    if isinstance(down_revision, str):
        return frozenset([down_revision])
    return frozenset(down_revision or ())


def test_the_readiness_probe_reads_the_same_migration_graph_as_alembic():
    scripts = ScriptDirectory(MIGRATIONS_DIR)
    expected = {
        script.revision: _revisions(script.down_revision) for script in scripts.walk_revisions()
    }
    assert checks.revision_graph(MIGRATIONS_DIR) == expected
    assert checks._migration_heads(MIGRATIONS_DIR) == frozenset(scripts.get_heads())


def _modules_after(code: str, tmp_path) -> set[str]:
    probe = (
        f"import sys\n{code}\n"
        "print(' '.join(sorted({name.split('.')[0] for name in sys.modules})))\n"
    )
    answer = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        env={"LEADLINE_INSTANCE_PATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    return set(answer.stdout.split())


def test_the_served_app_does_not_import_alembic(tmp_path):
    served = _modules_after("import webapp.wsgi", tmp_path)
    assert "flask" in served
    assert not {"alembic", "flask_migrate"} & served


def test_the_app_the_commands_build_still_migrates(tmp_path):
    built = _modules_after(
        "from webapp import create_app\napp = create_app()\nassert 'migrate' in app.extensions",
        tmp_path,
    )
    assert "flask_migrate" in built
