"""Who may import whom (issue 11 items 2 and 3), read from the source by `tests.import_graph`.

`workers → webapp → tenants`; inside `webapp`, the domain side (models, operations, channels,
CSV reading, live versions, tenancy and the other modules outside the feature packages)
never imports a feature package: a feature package is an HTTP adapter over the domain. A
feature may use another feature's helpers (labels, forms, read models), never its views. And
no group of modules imports each other.
"""

from __future__ import annotations

from tests.import_graph import ROOT, cycles, modules

FEATURES = (
    "api",
    "audit",
    "auth",
    "console",
    "inbox",
    "interactions",
    "leadimport",
    "leadwork",
    "people",
    "policy",
    "probes",
    "portal",
    "queue",
    "reports",
    "roster",
    "settings",
    "workspace",
)
# The application factory registers every feature's blueprint: it is above them all.
COMPOSITION = {"webapp", "webapp.factory"}


def feature_of(name: str) -> str | None:
    parts = name.split(".")
    if parts[0] == "webapp" and len(parts) > 1 and parts[1] in FEATURES:
        return parts[1]
    return None


def _is_domain(name: str) -> bool:
    return name.startswith("webapp.") and name not in COMPOSITION and feature_of(name) is None


def _where(importer: str, imported: str) -> str:
    module = modules()[importer]
    return f"{module.path.relative_to(ROOT)}:{module.lines[imported]} imports {imported}"


def _arrows(importer_rule, imported_rule) -> list[str]:
    return [
        _where(name, target)
        for name, module in sorted(modules().items())
        if importer_rule(name)
        for target in sorted(module.imports)
        if imported_rule(name, target)
    ]


def test_the_feature_list_names_every_package_that_declares_routes():
    """A new blueprint package must join FEATURES, or the rules below would not see it."""
    with_routes = {feature_of(n) or n for n, m in modules().items() if m.declares_routes}
    assert with_routes <= set(FEATURES)


def test_domain_side_never_imports_a_feature_package():
    """Models, operations, channels, CSV reading, live versions, tenancy: no arrow to a
    blueprint package (the domain is below the web)."""
    assert _arrows(_is_domain, lambda _n, target: feature_of(target) is not None) == []


def test_workers_never_import_a_feature_package():
    """Jobs call the same operations as the web, never a page's code."""
    assert (
        _arrows(
            lambda name: name.startswith("workers"),
            lambda _n, target: feature_of(target) is not None,
        )
        == []
    )


def test_a_feature_never_imports_another_features_views():
    """Shared pieces of a feature (labels, forms, read models) are importable by another;
    its views (modules that declare routes) are not."""

    def crosses_into_views(name: str, target: str) -> bool:
        other = feature_of(target)
        return other is not None and other != feature_of(name) and modules()[target].declares_routes

    assert _arrows(lambda name: feature_of(name) is not None, crosses_into_views) == []


def test_imports_go_workers_then_webapp_then_tenants():
    """`tenants` imports neither of the others, `webapp` never imports `workers`."""
    assert (
        _arrows(
            lambda name: name.startswith("tenants"),
            lambda _n, target: target.startswith(("webapp", "workers")),
        )
        == []
    )
    assert (
        _arrows(
            lambda name: name.startswith("webapp"), lambda _n, target: target.startswith("workers")
        )
        == []
    )


def test_no_import_cycles():
    """No group of modules imports each other, at the top or inside a function (`if
    TYPE_CHECKING:` imports never run and do not count)."""
    assert cycles() == []


def test_the_graph_sees_the_imports_it_judges():
    """The rules above would pass on an empty graph: check that it reads real arrows."""
    graph = modules()
    assert "webapp.tenancy" in graph["webapp.operations.leads"].imports or any(
        "webapp.operations" in target for target in graph["webapp.leadwork.views"].imports
    )
    assert "webapp.live_versions" in graph["webapp.operations.leads"].imports
    assert graph["webapp.queue.views"].declares_routes
    assert graph["webapp.api.leads"].declares_routes
    assert not graph["webapp.queue.queries"].declares_routes
