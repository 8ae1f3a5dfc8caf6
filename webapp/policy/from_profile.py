"""Start an existing workspace's policy over from a built-in profile: the profile is shown
against the active version first, and saved as a new version only once confirmed."""

from __future__ import annotations

from flask import flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape
from werkzeug.wrappers import Response

from tenants.profiles import load_profile
from webapp.operations import policies
from webapp.people.forms import FromProfileForm
from webapp.rendering import render
from webapp.tenancy import requires_role

from . import documents
from .blueprint import bp
from .views import EDITORS


@bp.route("/from-profile", methods=["GET", "POST"])
@requires_role(*EDITORS)
def from_profile() -> Response:
    """Choose a profile, see what would change, then save it as a new version."""
    form = FromProfileForm(request.form if request.method == "POST" else None)
    table = None
    if request.method == "POST" and form.validate_on_submit():
        document = load_profile(form.profile.data)
        if form.confirm.data:
            version = policies.save_version(
                g.workspace,
                document,
                author=current_user,
                comment=_("started from the profile %(name)s", name=form.profile.data),
                activate=False,
            )
            flash(_("Saved as version %(number)d.", number=version.number), "info")
            return redirect(url_for("policy.versions"))
        active = g.workspace.active_policy_version
        table = Markup(
            documents.side_by_side(
                dict(active.document) if active else {},
                document,
                str(escape(_("Active policy"))),
                str(escape(form.profile.data)),
            )
        )
    return render("policy/from_profile.html", form=form, table=table)
