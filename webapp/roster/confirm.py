"""The signed confirmation link: no sign-in, the signature is the credential (CCIMA-4).

GET shows what is being confirmed; POST (with the page's CSRF token) confirms. A forged link,
one of another workspace or of a member who is gone is a 404; an expired one, or one for a
roster that is no longer the advisor's, a 400. Nothing changes on a refusal.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date

from flask import g, redirect, session, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from webapp import roster_links as links
from webapp.extensions import db
from webapp.models import Membership, Workspace
from webapp.operations import policies, roster
from webapp.rendering import render
from webapp.tenancy import scoped

from .blueprint import link_bp as bp
from .blueprint import month_name


@dataclass(frozen=True)
class Opened:
    """A link that checked out: whose confirmation of which month."""

    workspace: Workspace
    member: Membership
    month: date
    token: str


class Refused(Exception):
    def __init__(self, status: int, title: str, text: str) -> None:
        super().__init__(text)
        self.status, self.title, self.text = status, title, text


def _not_valid() -> Refused:
    return Refused(
        404,
        _("This link is not valid"),
        _("Check that you opened the whole link from your message, or ask your manager."),
    )


def _open(slug: str, token: str) -> Opened:
    try:
        claims = links.read_token(token)
    except links.InvalidLink:
        raise _not_valid() from None
    workspace = db.session.scalar(select(Workspace).where(Workspace.slug == slug))
    if workspace is None or workspace.id != claims.workspace_id:
        raise _not_valid()
    g.workspace = workspace  # the page speaks the workspace's language and time zone
    member = db.session.scalar(
        scoped(Membership, workspace).where(Membership.id == claims.membership_id)
    )
    if member is None:
        raise _not_valid()
    if claims.expired:
        raise Refused(
            400,
            _("This link has expired"),
            _("Ask your manager to send you the roster again."),
        )
    return Opened(workspace, member, claims.month, token)


def _not_current(opened: Opened) -> Refused:
    return Refused(
        400,
        _("This roster is not yours to confirm any more"),
        _(
            "The link is for the roster of %(month)s, which is not your current roster."
            " Ask your manager.",
            month=month_name(opened.month),
        ),
    )


def _in_their_language(member: Membership):
    """The advisor's own language, unless they picked one on the page."""
    locale = member.user.preferred_locale
    return force_locale(locale) if locale and not session.get("locale") else nullcontext()


def _page(opened: Opened, status: int = 200) -> Response:
    member = opened.member
    policy = policies.active_policy(opened.workspace)
    return render(
        "roster/confirm.html",
        status=status,
        member=member,
        workspace=opened.workspace,
        month=month_name(opened.month),
        names=[
            entry.membership.user.name for entry in roster.planned(opened.workspace, opened.month)
        ],
        confirmed_at=member.roster_confirmed_at,
        access_details=policy.roster.access_details_after_confirmation,
        token=opened.token,
    )


def _refusal(refused: Refused) -> Response:
    return render(
        "errors/error.html", status=refused.status, title=refused.title, text=refused.text
    )


@bp.get("/<workspace>/confirm/<token>")
def confirm(workspace: str, token: str) -> Response:
    """What the advisor is confirming, and the button that confirms it."""
    try:
        opened = _open(workspace, token)
    except Refused as refused:
        return _refusal(refused)
    with _in_their_language(opened.member):
        if not roster.confirmable(opened.member, opened.month):
            return _refusal(_not_current(opened))
        return _page(opened)


@bp.post("/<workspace>/confirm/<token>")
def confirm_post(workspace: str, token: str) -> Response:
    """Confirm the roster (once: a second press changes nothing)."""
    try:
        opened = _open(workspace, token)
    except Refused as refused:
        return _refusal(refused)
    with _in_their_language(opened.member):
        try:
            roster.confirm(opened.member, opened.month, via="link")
        except roster.RosterRefused:
            return _refusal(_not_current(opened))
    return redirect(url_for("roster_link.confirm", workspace=workspace, token=token), 303)
