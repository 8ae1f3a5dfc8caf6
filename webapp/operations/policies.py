"""Saving and activating versions of a workspace's policy document."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from tenants import Policy, load_policy
from webapp.extensions import db
from webapp.models import PolicyVersion, User, Workspace
from webapp.tenancy import owned_by

from . import audit
from .unit import operation


@operation
def save_version(
    workspace: Workspace,
    document: dict[str, Any],
    *,
    author: User | None,
    comment: str = "",
    activate: bool = True,
) -> PolicyVersion:
    """Validate `document` and store it as the workspace's next version; activate if asked.

    Raises tenants.PolicyInvalid (every error by path) and stores nothing when it is invalid.
    """
    # The stored form is the validated model's JSON: dates and durations in one spelling.
    canonical = load_policy(document).dump()
    number = (
        db.session.scalar(
            select(func.max(PolicyVersion.number)).where(owned_by(PolicyVersion, workspace))
        )
        or 0
    ) + 1
    version = PolicyVersion(
        workspace_id=workspace.id,
        number=number,
        document=canonical,
        author_id=author.id if author else None,
        comment=comment,
    )
    db.session.add(version)
    audit.record(
        workspace.id,
        "policy.saved",
        version,
        actor=author,
        after={"number": number},
        reason=comment,
    )
    if activate:
        activate_version(workspace, version, actor=author)
    return version


@operation
def activate_version(workspace: Workspace, version: PolicyVersion, *, actor: User | None) -> None:
    before = workspace.active_policy_version.number if workspace.active_policy_version else None
    workspace.active_policy_version = version
    audit.record(
        workspace.id,
        "policy.activated",
        workspace,
        actor=actor,
        before={"policy_version": before},
        after={"policy_version": version.number},
    )


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
