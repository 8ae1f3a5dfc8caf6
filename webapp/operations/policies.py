"""Saving and activating versions of a workspace's policy document."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from tenants import load_policy
from webapp.extensions import db
from webapp.models import PolicyVersion, User, Workspace
from webapp.policy_versions import active_policy, policy_of
from webapp.tenancy import owned_by

from . import audit

__all__ = ["activate_version", "active_policy", "policy_of", "save_version"]
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
