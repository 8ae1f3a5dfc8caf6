"""Bring an older policy document up to FORMAT_VERSION, or refuse it clearly."""

from collections.abc import Callable
from typing import Any

from tenants.errors import PolicyInvalid, Refusal
from tenants.markers import N_
from tenants.policy.document import FORMAT_VERSION

Migration = Callable[[dict[str, Any]], dict[str, Any]]

# MIGRATIONS[n] turns a version-n document into version n+1. Version 1 is the first format,
# so nothing is registered yet; a future format 2 adds MIGRATIONS[1].
MIGRATIONS: dict[int, Migration] = {}


def migrate(data: dict[str, Any]) -> dict[str, Any]:
    """Return `data` at the current format version; a missing version means current."""
    version = data.get("format_version", FORMAT_VERSION)
    if not isinstance(version, int) or isinstance(version, bool):
        message = Refusal(N_("must be an integer, got %(version)r"), version=version)
        raise PolicyInvalid([("format_version", message)])
    if version > FORMAT_VERSION:
        message = Refusal(
            N_("version %(version)s is newer than supported (%(supported)s)"),
            version=version,
            supported=FORMAT_VERSION,
        )
        raise PolicyInvalid([("format_version", message)])
    while version < FORMAT_VERSION:
        step = MIGRATIONS.get(version)
        if step is None:
            message = Refusal(
                N_("version %(version)s is too old and cannot be migrated to %(supported)s"),
                version=version,
                supported=FORMAT_VERSION,
            )
            raise PolicyInvalid([("format_version", message)])
        data = {**step(dict(data)), "format_version": version + 1}
        version += 1
    return data
