"""The validated policy of a stored version, and a workspace's active one (cached).

Below both the operations and `webapp.tenancy` (which reads the active policy to narrow a
partner's view): reading a policy changes nothing, so it needs no operation.
"""

from __future__ import annotations

from sqlalchemy import select

from tenants import Policy, load_policy
from tenants.decisions.reporting import policy_in_effect
from webapp.clock import now
from webapp.extensions import db
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
    """The policy that rules the workspace now (a blank one if it has none yet): the active
    version from its effective date on, before it the latest earlier version already in
    effect (CCIMA-14) — for everything the policy decides, assignment, timers, roster and
    reports alike. A version with no earlier one rules from the start."""
    version = workspace.active_policy_version
    if version is None:
        return load_policy({})
    policy, moment = policy_of(version), now()
    while not policy_in_effect(policy, moment):
        earlier = _version_before(workspace, version)
        if earlier is None:
            return policy
        version, policy = earlier, policy_of(earlier)
    return policy


def _version_before(workspace: Workspace, version: PolicyVersion) -> PolicyVersion | None:
    # Not through tenancy.scoped: tenancy imports this module (to narrow a partner's view).
    return db.session.scalar(
        select(PolicyVersion)
        .where(PolicyVersion.workspace_id == workspace.id, PolicyVersion.number < version.number)
        .order_by(PolicyVersion.number.desc())
        .limit(1)
    )
