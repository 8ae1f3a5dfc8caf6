"""The collateral library's pages (CPB-8): the agency uploads, everyone in the workspace
(partners included) lists and downloads."""

from __future__ import annotations

from urllib.parse import quote

from flask import abort, current_app, flash, g, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.extensions import db
from webapp.i18n import LOCALE_NAMES
from webapp.models import Collateral
from webapp.operations import collateral as library
from webapp.operations import policies
from webapp.operations.opportunities import StageRefused
from webapp.rendering import render
from webapp.tenancy import get_or_404, requires_role, scoped

from . import context
from .agency import STAFF
from .blueprint import bp


def documents() -> list[Collateral]:
    return list(db.session.scalars(scoped(Collateral).order_by(Collateral.title)))


def _page(status: int = 200, errors: dict | None = None, form: dict | None = None) -> Response:
    policy = policies.active_policy(g.workspace)
    kind = policy.records.kinds.get("collateral")
    return render(
        "portal/collateral.html",
        "content",
        status=status,
        documents=documents(),
        categories=list(kind.categories) if kind else [],
        languages=LOCALE_NAMES,
        limit_mb=current_app.config["LEADLINE_COLLATERAL_MAX_BYTES"] // (1024 * 1024),
        record_label=lambda code: context.record_label(policy, "collateral", code),
        errors=errors or {},
        form=form or {},
    )


@bp.route("/collateral")
def collateral() -> Response:
    """The library of documents partners send to prospects."""
    return _page()


@bp.post("/collateral")
@requires_role(*STAFF)
def upload_collateral() -> Response:
    """The agency adds a document (PDF or office file, up to the size limit)."""
    file = request.files.get("file")
    form = request.form.to_dict()
    content = file.read() if file else b""
    if file:
        file.close()  # a large upload is spooled to a temporary file: let it go now
    try:
        library.upload(
            g.workspace,
            title=form.get("title", ""),
            language=form.get("language", ""),
            tags=form.get("tags", ""),
            category=form.get("category"),
            filename=file.filename if file else "",
            content=content,
            actor=current_user,
        )
    except StageRefused as refusal:
        return _page(422, {"upload": refusal.fields}, form)
    flash(_("Document added to the library."), "success")
    return redirect(url_for("portal.collateral"))


@bp.get("/collateral/<int:collateral_id>/download")
def download_collateral(collateral_id: int) -> Response:
    """The document itself, as uploaded."""
    item = get_or_404(Collateral, collateral_id)
    if not library.path_of(item).is_file():  # the row outlived its file (a restore without it)
        abort(404)
    # Read whole (a few MB at most): nothing holds the file open after the response.
    response = make_response(library.path_of(item).read_bytes())
    response.headers["Content-Type"] = item.content_type
    response.headers["Content-Disposition"] = content_disposition(item.filename)
    return response


def content_disposition(filename: str) -> str:
    """An attachment header for any file name (RFC 6266: ASCII fallback and UTF-8 name)."""
    fallback = filename.encode("ascii", "replace").decode().replace('"', "")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
