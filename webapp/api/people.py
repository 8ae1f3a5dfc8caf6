"""Members, teams and partner organisations over the API (administrator keys, issue 12)."""

from __future__ import annotations

from flask import g
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from webapp.extensions import db
from webapp.models import Membership, PartnerOrganisation, Role, Team, User
from webapp.operations import invitations, members, workspaces
from webapp.operations.unit import transaction
from webapp.tenancy import get_or_404, scoped

from .blueprint import body, check_id, endpoint, respond
from .people_schemas import (
    GroupRef,
    MemberIn,
    MemberList,
    MemberOut,
    MemberPatch,
    OrganisationIn,
    OrganisationList,
    OrganisationOut,
    OrganisationPatch,
    TeamDetail,
    TeamIn,
    TeamList,
    TeamPatch,
)
from .schemas import Person

READ_ERRORS = (401, 403, 404, 429)
WRITE_ERRORS = (400, 401, 403, 404, 409, 422, 429)


def _person(user_id: int | None) -> Person | None:
    user = db.session.get(User, user_id) if user_id else None
    return Person(id=user.id, name=user.name) if user else None


def _ref(row) -> GroupRef | None:
    return GroupRef(id=row.id, name=row.name) if row is not None else None


def member_out(m: Membership) -> MemberOut:
    user = m.user
    return MemberOut(
        id=m.id,
        user_id=user.id,
        email=user.email,
        name=user.name,
        role=Role(m.role).value,
        team=_ref(m.team),
        partner_organisation=_ref(m.partner_organisation),
        phone=user.phone,
        telegram_chat_id=user.telegram_chat_id,
        locale=user.preferred_locale,
        authorised=m.authorised,
        available=m.available,
        away_until=m.away_until,
        capacity=m.capacity,
        weight=m.weight,
        line=m.line,
        manager=_person(m.manager_user_id),
        assistant=_person(m.assistant_user_id),
        active=m.active,
        invitation_pending=invitations.pending(m),
    )


@endpoint(
    "GET",
    "/members",
    summary="List the workspace's members",
    responses={200: MemberList},
    errors=(401, 403, 429),
    role="admin",
    tags=("people",),
)
def list_members() -> Response:
    """Every member, active or not, with their role, groups and the fields assignment reads."""
    rows = db.session.scalars(
        scoped(Membership).options(joinedload(Membership.user)).order_by(Membership.id)
    ).all()
    return respond(MemberList(members=[member_out(m) for m in rows]))


@endpoint(
    "POST",
    "/members",
    summary="Invite a member",
    body=MemberIn,
    responses={201: MemberOut},
    errors=(400, 401, 403, 409, 422, 429),
    role="admin",
    tags=("people",),
)
def invite_member() -> Response:
    """Invite `email` (an e-mail with a link to choose a password) or, when the address
    already has an account, add them at once. A malformed address, a duplicate member, an
    unknown role, a team of another workspace or a phone that is not one: 422, every bad
    field named, nothing stored."""
    data = body(MemberIn).model_dump(exclude_unset=True)
    email, role = data.pop("email"), data.pop("role", "agent")
    membership = invitations.invite(g.workspace, email, actor=None, role=role, **data)
    return respond(member_out(membership), 201)


@endpoint(
    "GET",
    "/members/<int:member_id>",
    summary="Read a member",
    responses={200: MemberOut},
    errors=READ_ERRORS,
    role="admin",
    tags=("people",),
)
def get_member(member_id: int) -> Response:
    """One member (the id is the membership's, as in the list)."""
    return respond(member_out(get_or_404(Membership, check_id(member_id))))


@endpoint(
    "PATCH",
    "/members/<int:member_id>",
    summary="Change a member",
    body=MemberPatch,
    responses={200: MemberOut},
    errors=WRITE_ERRORS,
    role="admin",
    tags=("people",),
)
def patch_member(member_id: int) -> Response:
    """Change the fields sent; `active: false` deactivates the member (their open leads and
    tasks are redistributed by the assignment strategy). The last administrator can be
    neither demoted nor deactivated (422)."""
    membership = get_or_404(Membership, check_id(member_id))
    changes = body(MemberPatch).model_dump(exclude_unset=True)
    members.update_member(membership, changes, actor=None)
    return respond(member_out(membership))


def _people_in(column, row_id: int) -> list[Person]:
    rows = db.session.scalars(
        scoped(Membership)
        .where(column == row_id, Membership.active.is_(True))
        .options(joinedload(Membership.user))
        .order_by(Membership.id)
    ).all()
    return [Person(id=m.user.id, name=m.user.name) for m in rows]


def team_out(team: Team) -> TeamDetail:
    return TeamDetail(
        id=team.id,
        name=team.name,
        code=team.code,
        archived=team.archived_at is not None,
        members=_people_in(Membership.team_id, team.id),
    )


def organisation_out(row: PartnerOrganisation) -> OrganisationOut:
    return OrganisationOut(
        id=row.id,
        name=row.name,
        code=row.code,
        crm_reference=row.crm_reference,
        archived=row.archived_at is not None,
        partners=_people_in(Membership.partner_organisation_id, row.id),
    )


@endpoint(
    "GET",
    "/teams",
    summary="List the teams",
    responses={200: TeamList},
    errors=(401, 403, 429),
    role="admin",
    tags=("people",),
)
def list_teams() -> Response:
    """Every team, archived ones too, with its active members."""
    rows = db.session.scalars(scoped(Team).order_by(Team.name)).all()
    return respond(TeamList(teams=[team_out(t) for t in rows]))


@endpoint(
    "POST",
    "/teams",
    summary="Create a team",
    body=TeamIn,
    responses={201: TeamDetail},
    errors=(400, 401, 403, 409, 422, 429),
    role="admin",
    tags=("people",),
)
def create_team() -> Response:
    """A new team; `code` is how the policy names it (names and codes are unique)."""
    data = body(TeamIn)
    team = workspaces.save_team(g.workspace, None, name=data.name, code=data.code, actor=None)
    return respond(team_out(team), 201)


@endpoint(
    "PATCH",
    "/teams/<int:team_id>",
    summary="Change a team",
    body=TeamPatch,
    responses={200: TeamDetail},
    errors=WRITE_ERRORS,
    role="admin",
    tags=("people",),
)
def patch_team(team_id: int) -> Response:
    """Rename a team, change its code, archive it (`archived: true`) or restore it."""
    team = get_or_404(Team, check_id(team_id))
    data = body(TeamPatch).model_dump(exclude_unset=True)
    with transaction():  # a rename and an archiving in one request: both or neither
        _patch_team(team, data)
    return respond(team_out(team))


def _patch_team(team: Team, data: dict) -> None:
    if "name" in data or "code" in data:
        workspaces.save_team(
            g.workspace,
            team,
            name=data.get("name") or team.name,
            code=data.get("code", team.code),
            actor=None,
        )
    if data.get("archived") is not None:
        workspaces.set_archived(team, data["archived"], actor=None)


@endpoint(
    "GET",
    "/partner-organisations",
    summary="List the partner organisations",
    responses={200: OrganisationList},
    errors=(401, 403, 429),
    role="admin",
    tags=("people",),
)
def list_organisations() -> Response:
    """Every partner organisation with its CRM reference and its partner users."""
    rows = db.session.scalars(scoped(PartnerOrganisation).order_by(PartnerOrganisation.name))
    return respond(OrganisationList(partner_organisations=[organisation_out(o) for o in rows]))


@endpoint(
    "POST",
    "/partner-organisations",
    summary="Create a partner organisation",
    body=OrganisationIn,
    responses={201: OrganisationOut},
    errors=(400, 401, 403, 409, 422, 429),
    role="admin",
    tags=("people",),
)
def create_organisation() -> Response:
    """A new partner organisation: its name, code and how the CRM knows it."""
    data = body(OrganisationIn)
    row = workspaces.save_partner_organisation(
        g.workspace,
        None,
        name=data.name,
        code=data.code,
        crm_reference=data.crm_reference,
        actor=None,
    )
    return respond(organisation_out(row), 201)


@endpoint(
    "PATCH",
    "/partner-organisations/<int:organisation_id>",
    summary="Change a partner organisation",
    body=OrganisationPatch,
    responses={200: OrganisationOut},
    errors=WRITE_ERRORS,
    role="admin",
    tags=("people",),
)
def patch_organisation(organisation_id: int) -> Response:
    """Change its name, code or CRM reference; archive it or restore it."""
    row = get_or_404(PartnerOrganisation, check_id(organisation_id))
    data = body(OrganisationPatch).model_dump(exclude_unset=True)
    with transaction():
        _patch_organisation(row, data)
    return respond(organisation_out(row))


def _patch_organisation(row: PartnerOrganisation, data: dict) -> None:
    if data.keys() & {"name", "code", "crm_reference"}:
        workspaces.save_partner_organisation(
            g.workspace,
            row,
            name=data.get("name") or row.name,
            code=data.get("code", row.code),
            crm_reference=data.get("crm_reference", row.crm_reference),
            actor=None,
        )
    if data.get("archived") is not None:
        workspaces.set_archived(row, data["archived"], actor=None)
