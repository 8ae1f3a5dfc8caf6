"""The validated policy of a stored version, and a workspace's active one (cached).

Below both the operations and `webapp.tenancy` (which reads the active policy to narrow a
partner's view): reading a policy changes nothing, so it needs no operation.
"""

from __future__ import annotations

from tenants import Policy, load_policy
from webapp.models import PolicyVersion, Workspace

_validated: dict[tuple, Policy] = {}
_CACHE_SIZE = 512


def policy_of(version: PolicyVersion) -> Policy:
    """The validated Policy of a stored version, cached: a version row never changes.

    Keyed by id and creation time, so a database rebuilt with the same ids (tests, a restore)
    never serves another document's policy.
    """
    key = (version.id, version.created_at)
    policy = _validated.get(key)
    if policy is None:
        if len(_validated) >= _CACHE_SIZE:
            _validated.clear()
        policy = _validated[key] = load_policy(version.document)
    return policy


def active_policy(workspace: Workspace) -> Policy:
    """The workspace's active policy (a blank one if it has none yet)."""
    version = workspace.active_policy_version
    return policy_of(version) if version is not None else load_policy({})
