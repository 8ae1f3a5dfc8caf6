"""Tenant isolation has one door: only `webapp/tenancy.py` compares `workspace_id` in a query.

Every other module asks `tenancy.scoped(Model, workspace)` for a SELECT, or
`tenancy.owned_by(Model, workspace)` for a condition (a column-only SELECT, a subquery, a
join's ON clause, an UPDATE). The check reads the AST of webapp/ and workers/ and flags the
hand-written forms of the filter:

- `X.workspace_id == ...` / `!=` where X is a model (a capitalised name) or an alias called
  inline, or where the comparison is an argument of a call (`.where(...)`, `and_(...)`,
  `.join(Model, ...)`), which is where conditions go;
- `X.workspace_id.in_(...)` and the other column operators (`not_in`, `is_`, `between`, ...);
- `.filter_by(workspace_id=...)` / `.where_by`, and raw SQL text naming `workspace_id =`.

Constructing a row (`Lead(workspace_id=...)`), a model's column definition, a migration, and
a Python comparison of two loaded rows (`if task.workspace_id != deadline.workspace_id:`)
are not query filters and pass.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
THE_DOOR = ROOT / "webapp" / "tenancy.py"
# Below the door: tenancy reads the active policy (a partner's visibility is a policy setting),
# so the module that finds a workspace's policy versions cannot import tenancy. Its one
# filter is on the workspace's own versions.
BELOW_THE_DOOR = ROOT / "webapp" / "policy_versions.py"
COLUMN_OPERATORS = {
    "in_",
    "not_in",
    "notin_",
    "is_",
    "is_not",
    "isnot",
    "between",
    "op",
    "__eq__",
    "__ne__",
    "any_",
    "is_distinct_from",
    "isnot_distinct_from",
}
FILTER_KEYWORD_CALLS = {"filter_by", "where_by"}
RAW_SQL = re.compile(r"\bworkspace_id\s*(=|!=|<>|\bin\b|\bis\b)", re.IGNORECASE)


def _is_workspace_column(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "workspace_id"


def _names_a_model(column: ast.Attribute) -> bool:
    """`Lead.workspace_id`, `models.Lead.workspace_id`, `aliased(Lead).workspace_id`."""
    owner = column.value
    if isinstance(owner, ast.Attribute):
        owner = ast.Name(id=owner.attr)
    return isinstance(owner, ast.Call) or (isinstance(owner, ast.Name) and owner.id[:1].isupper())


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def _in_call_arguments(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    """Whether `node` is (inside and_/or_/not_, a list or a tuple) an argument of a call."""
    child, parent = node, parents.get(node)
    while isinstance(parent, (ast.BoolOp, ast.UnaryOp, ast.List, ast.Tuple, ast.Starred)):
        child, parent = parent, parents.get(parent)
    if isinstance(parent, ast.keyword):
        return True
    return isinstance(parent, ast.Call) and child is not parent.func


def hand_written_filters(source: str) -> list[tuple[int, str]]:
    """(line, what) for every query filter on `workspace_id` written by hand in `source`."""
    tree = ast.parse(source)
    parents = _parents(tree)
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and any(
            isinstance(op, (ast.Eq, ast.NotEq)) for op in node.ops
        ):
            columns = [s for s in (node.left, *node.comparators) if _is_workspace_column(s)]
            if columns and (
                any(_names_a_model(c) for c in columns) or _in_call_arguments(node, parents)
            ):
                found.append((node.lineno, "workspace_id compared in a query"))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in COLUMN_OPERATORS and _is_workspace_column(node.func.value):
                found.append((node.lineno, f"workspace_id.{node.func.attr}(...)"))
            elif node.func.attr in FILTER_KEYWORD_CALLS and any(
                k.arg == "workspace_id" for k in node.keywords
            ):
                found.append((node.lineno, f"{node.func.attr}(workspace_id=...)"))
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "text":
            for arg in node.args:
                if isinstance(arg, ast.Constant) and RAW_SQL.search(str(arg.value)):
                    found.append((node.lineno, "raw SQL on workspace_id"))
    return sorted(found)


def _checked_files() -> list[Path]:
    files = []
    for folder in ("webapp", "workers"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path in (THE_DOOR, BELOW_THE_DOOR) or "migrations" in path.parts:
                continue
            files.append(path)
    return files


def test_only_the_tenancy_module_filters_on_workspace_id():
    found = [
        f"{path.relative_to(ROOT)}:{line}: {what}"
        for path in _checked_files()
        for line, what in hand_written_filters(path.read_text("utf-8"))
    ]
    assert found == [], "scope the query with webapp.tenancy.scoped() / owned_by()"


PLANTED = """
from sqlalchemy import and_, select, text
from sqlalchemy.orm import aliased

def leads(workspace, lead):
    a = select(Lead).where(Lead.workspace_id == workspace.id)
    b = select(Team.id).where(and_(Team.code == "x", Team.workspace_id == lead.workspace_id))
    c = select(Task).filter_by(workspace_id=workspace.id, state="open")
    d = select(Lead).where(Lead.workspace_id.in_([1, 2]))
    inner = aliased(Lead)
    e = select(inner.id).where(inner.workspace_id == workspace.id)
    f = select(Workspace).join(Team, Workspace.id == Team.workspace_id)
    g = select(aliased(Lead).workspace_id != 3)
    h = db.session.execute(text("SELECT id FROM leads WHERE workspace_id = :w"))
    condition = models.Lead.workspace_id == workspace.id
    return a, b, c, d, e, f, g, h, condition
"""

NOT_FILTERS = """
def make(workspace, task, deadline):
    lead = Lead(workspace_id=workspace.id, name="x")
    db.session.add(Task(workspace_id=lead.workspace_id, kind="call"))
    if deadline.workspace_id != task.workspace_id:
        raise ValueError("another workspace's deadline")
    same = task.workspace_id == deadline.workspace_id
    return scoped(Lead, workspace).where(owned_by(Team, workspace)), same
"""


def test_the_check_catches_every_planted_filter():
    lines = [line for line, _what in hand_written_filters(PLANTED)]
    assert lines == [6, 7, 8, 9, 11, 12, 13, 14, 15]


def test_the_check_passes_construction_and_python_comparisons():
    assert hand_written_filters(NOT_FILTERS) == []
