"""The import graph of Leadline's own packages, read from the source (nothing is imported).

Every import counts, at the top of a module or inside a function (a function-level import is
how a cycle hides), except those under `if TYPE_CHECKING:`, which never run.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("tenants", "webapp", "workers")
SKIPPED = ("webapp/migrations/",)  # Alembic's scripts are loaded by Alembic, not imported
ROUTE_DECORATORS = {"get", "post", "put", "patch", "delete", "route"}


@dataclass
class Module:
    name: str
    path: Path
    is_package: bool
    imports: set[str] = field(default_factory=set)
    lines: dict[str, int] = field(default_factory=dict)  # imported module -> first line
    declares_routes: bool = False


def _module_name(path: Path) -> tuple[str, bool]:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    if is_package:
        parts.pop()
    return ".".join(parts), is_package


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk(node: ast.AST):
    """Every node below `node`, skipping the bodies of `if TYPE_CHECKING:`."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child):
            for other in child.orelse:
                yield other
                yield from _walk(other)
            continue
        yield child
        yield from _walk(child)


def _is_route(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    if isinstance(target, ast.Attribute):
        return target.attr in ROUTE_DECORATORS
    return isinstance(target, ast.Name) and target.id == "endpoint"  # the API's routes


@cache
def modules() -> dict[str, Module]:
    """Every module of our packages by dotted name, with the modules of ours it imports."""
    found: dict[str, Module] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if any(path.relative_to(ROOT).as_posix().startswith(s) for s in SKIPPED):
                continue
            name, is_package = _module_name(path)
            found[name] = Module(name, path, is_package)
    for module in found.values():
        _read(module, found)
    return found


def _read(module: Module, known: dict[str, Module]) -> None:
    tree = ast.parse(module.path.read_text("utf-8"))
    for node in _walk(tree):
        if isinstance(node, ast.FunctionDef) and any(map(_is_route, node.decorator_list)):
            module.declares_routes = True
        for target in _targets(module, node, known):
            if target in known and target != module.name:
                module.imports.add(target)
                module.lines.setdefault(target, node.lineno)


def _targets(module: Module, node: ast.AST, known: dict[str, Module]) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    if node.level:
        base_parts = module.name.split(".")
        if not module.is_package:
            base_parts = base_parts[:-1]
        base_parts = base_parts[: len(base_parts) - (node.level - 1)]
        base = ".".join([*base_parts, *([node.module] if node.module else [])])
    else:
        base = node.module or ""
    # `from package import module` imports the module; `from module import name`, the module.
    return [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]


def cycles() -> list[list[str]]:
    """Each strongly connected group of modules that import each other (Tarjan), sorted."""
    graph = {name: sorted(m.imports) for name, m in modules().items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(start: str) -> None:
        # Iterative, so a deep graph cannot hit the recursion limit.
        work = [(start, iter(graph[start]))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph[child])))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        groups.append(sorted(group))

    for name in graph:
        if name not in index:
            visit(name)
    return sorted(groups)
