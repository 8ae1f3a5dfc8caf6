"""Bodies of the people routes: members, teams, partner organisations (issue 12 item 6).

Roles, lines, languages and ids are checked by the operations rather than here, so one 422
names every bad field at once (a role that does not exist beside a team of another
workspace), not only the first the schema trips on.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from .schemas import Body, Person, UTCDatetime

Id = int
ROLES_TEXT = "one of admin, director, manager, agent, partner"


class MemberFields(Body):
    """The fields of a member that assignment and messages read."""

    name: str | None = Field(None, max_length=200)
    role: str | None = Field(None, max_length=20, description=ROLES_TEXT)
    team: Id | None = Field(None, description="a team id of this workspace, or null")
    partner_organisation: Id | None = Field(None, description="a partner organisation id")
    phone: str | None = Field(None, max_length=40, description="stored in E.164 (WhatsApp)")
    telegram_chat_id: str | None = Field(None, max_length=64)
    locale: str | None = Field(None, max_length=10, description="en, es, fr, ru or null")
    authorised: bool | None = Field(None, description="receives leads (CCIMA-2)")
    available: bool | None = None
    away_until: UTCDatetime | None = Field(None, description="skipped until then (BDC-4)")
    capacity: int | None = Field(None, description="most open leads at once; null: policy's")
    weight: int | None = Field(None, description="share of leads for the weighted strategy")
    line: str | None = Field(None, max_length=10, description="first or second (TEL-8)")
    manager: Id | None = Field(None, description="the user id of a member")
    assistant: Id | None = Field(None, description="the user id of a member (BDC-4)")


class MemberIn(MemberFields):
    """Invite someone (a new address gets an e-mail to choose a password) or add a user."""

    email: str = Field(max_length=254)
    role: str = Field("agent", max_length=20, description=ROLES_TEXT)


class MemberPatch(MemberFields):
    """Change any of the fields; `active: false` deactivates (leads and tasks redistributed)."""

    active: bool | None = None


class GroupRef(BaseModel):
    id: int
    name: str


class MemberOut(BaseModel):
    id: int = Field(description="the membership's id (the URL's)")
    user_id: int
    email: str
    name: str
    role: str
    team: GroupRef | None
    partner_organisation: GroupRef | None
    phone: str | None
    telegram_chat_id: str | None
    locale: str | None
    authorised: bool
    available: bool
    away_until: datetime | None
    capacity: int | None
    weight: int
    line: str
    manager: Person | None
    assistant: Person | None
    active: bool
    invitation_pending: bool


class MemberList(BaseModel):
    members: list[MemberOut]


class TeamIn(Body):
    name: str = Field(min_length=1, max_length=120)
    code: str | None = Field(None, max_length=40, description="how the policy names the team")


class TeamPatch(Body):
    name: str | None = Field(None, min_length=1, max_length=120)
    code: str | None = Field(None, max_length=40)
    archived: bool | None = None


class TeamDetail(BaseModel):
    id: int
    name: str
    code: str | None
    archived: bool
    members: list[Person]


class TeamList(BaseModel):
    teams: list[TeamDetail]


class OrganisationIn(Body):
    name: str = Field(min_length=1, max_length=200)
    code: str | None = Field(None, max_length=40)
    crm_reference: str | None = Field(None, max_length=120)


class OrganisationPatch(Body):
    name: str | None = Field(None, min_length=1, max_length=200)
    code: str | None = Field(None, max_length=40)
    crm_reference: str | None = Field(None, max_length=120)
    archived: bool | None = None


class OrganisationOut(BaseModel):
    id: int
    name: str
    code: str | None
    crm_reference: str | None
    archived: bool
    partners: list[Person] = Field(description="its contacts: the partner users")


class OrganisationList(BaseModel):
    partner_organisations: list[OrganisationOut]
