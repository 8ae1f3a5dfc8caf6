"""Jobs are named once (issue 11 item 3): `webapp.job_names` declares every name, the web
side enqueues by those constants, and `workers.registry` gives each name its function."""

from __future__ import annotations

import ast

from tests.import_graph import modules
from webapp import job_names
from workers.registry import JOBS


def _declared() -> dict[str, str]:
    return {k: v for k, v in vars(job_names).items() if k.isupper() and isinstance(v, str)}


def test_every_declared_name_has_a_job_and_every_job_a_declared_name():
    declared = _declared()
    assert sorted(JOBS) == sorted(declared.values())
    assert sorted(job_names.ALL) == sorted(declared.values())
    assert len(set(declared.values())) == len(declared)  # no two constants share a name
    assert all(callable(func) for func in JOBS.values())


def test_no_job_name_is_written_as_a_literal_outside_the_names_module():
    """A job name typed again (on the web side or in a worker) would only fail when a worker
    ran it; every use goes through the constant instead."""
    names = set(_declared().values())
    found = [
        f"{module.name}:{node.lineno} {node.value!r}"
        for module in modules().values()
        if module.name != "webapp.job_names"
        for node in ast.walk(ast.parse(module.path.read_text("utf-8")))
        if isinstance(node, ast.Constant) and node.value in names
    ]
    assert found == []


def test_the_job_modules_do_not_import_the_runtime():
    """The runtime imports the registry, which imports the jobs: a job importing the runtime
    back would be a cycle."""
    graph = modules()
    for name in ("workers.registry", *(n for n in graph if n.startswith("workers.jobs"))):
        assert "workers.runtime" not in graph[name].imports, name
