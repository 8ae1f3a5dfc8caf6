"""Helpers of the API tests: a workspace key and its Authorization header, a CCIMA workspace."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from tenants.profiles import load_profile
from webapp.extensions import db
from webapp.models import Role
from webapp.operations import workspaces
from webapp.operations.api_keys import create_api_key

MEXICO = ZoneInfo("America/Mexico_City")
NOON_IN_MEXICO = datetime(2026, 11, 18, 12, 0, tzinfo=MEXICO).astimezone(UTC)


def key_headers(workspace, role: str = "agent", **extra: str) -> dict[str, str]:
    """Headers of a request made with a new key of `workspace`."""
    _key, secret = create_api_key(workspace, f"{role} key", actor=None, role=role)
    return {"Authorization": f"Bearer {secret}", **extra}


def count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def ccima_with_advisors(make_workspace, make_member, advisors: int = 2):
    """The CCIMA policy with `advisors` advisors on this month's roster, confirmed (CCIMA-2,
    4), in the team that receives the leads (CCIMA-1): (workspace, people)."""
    workspace = make_workspace(
        slug="cc",
        time_zone="America/Mexico_City",
        country="MX",
        policy_document=load_profile("ccima_contact_center"),
    )
    team = workspaces.create_team(workspace, "Asesores", actor=None, code="contact_center")
    people = [make_member(workspace, Role.AGENT, name=f"Asesor {n}") for n in range(advisors)]
    for membership in (m for p in people for m in p.memberships):
        membership.team_id = team.id
        membership.roster_month = NOON_IN_MEXICO.astimezone(MEXICO).date().replace(day=1)
        membership.roster_confirmed_at = NOON_IN_MEXICO - timedelta(days=1)
    db.session.commit()
    return workspace, people
