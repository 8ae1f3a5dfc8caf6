"""The agency's library of collateral (CPB-8): PDF and office documents partners download or
send with an e-mail attempt. Files live under the instance folder; a file whose type or size
the library refuses is never stored."""

from __future__ import annotations

import secrets
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from webapp.extensions import db
from webapp.i18n import SUPPORTED_LOCALES
from webapp.models import Collateral, User, Workspace

from . import audit
from .opportunities import StageRefused
from .unit import operation

# Extension -> (content type, how the file starts): PDF, Office Open XML (a zip), and the
# older Office formats (an OLE compound file). The extension alone is never trusted.
ZIP, OLE = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
KINDS = {
    "pdf": ("application/pdf", b"%PDF-"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ZIP),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ZIP),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", ZIP),
    "doc": ("application/msword", OLE),
    "xls": ("application/vnd.ms-excel", OLE),
    "ppt": ("application/vnd.ms-powerpoint", OLE),
}


def folder(workspace_id: int) -> Path:
    return Path(current_app.instance_path) / "collateral" / str(workspace_id)


def path_of(item: Collateral) -> Path:
    return folder(item.workspace_id) / item.stored_name


def _kind(filename: str, content: bytes) -> str | None:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    kind = KINDS.get(extension)
    if kind is None or not content.startswith(kind[1]):
        return None
    return kind[0]


@operation
def upload(
    workspace: Workspace,
    *,
    title: str,
    language: str,
    tags: str,
    category: str | None,
    filename: str,
    content: bytes,
    actor: User | None,
) -> Collateral:
    """Add a document to the library; refused naming every bad field, nothing stored."""
    bad: dict[str, str] = {}
    limit = current_app.config["LEADLINE_COLLATERAL_MAX_BYTES"]
    if not title.strip():
        bad["title"] = _("Give the document a title.")
    if language not in SUPPORTED_LOCALES:
        bad["language"] = _("Choose the document's language.")
    content_type = _kind(filename, content)
    if not content:
        bad["file"] = _("Choose a file.")
    elif len(content) > limit:
        bad["file"] = _("The file is larger than %(size)s MB.", size=limit // (1024 * 1024))
    elif content_type is None:
        bad["file"] = _("Upload a PDF or an office document (Word, Excel, PowerPoint).")
    if bad:
        raise StageRefused(bad)
    item = Collateral(
        workspace_id=workspace.id,
        title=title.strip()[:200],
        language=language,
        category=category or None,
        tags=[t.strip()[:40] for t in tags.split(",") if t.strip()][:10],
        filename=Path(filename).name[:200],
        content_type=content_type,
        size=len(content),
        stored_name=secrets.token_hex(16),
        uploaded_by_id=actor.id if actor else None,
    )
    db.session.add(item)
    audit.record(workspace.id, "collateral.uploaded", item, actor=actor, after={"title": title})
    db.session.flush()  # the row is good: only now is the file written
    target = path_of(item)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    return item


def find(workspace_id: int, collateral_id: object) -> Collateral | None:
    """The workspace's document with this id (an id from a form), else None."""
    try:
        item = db.session.get(Collateral, int(str(collateral_id)))
    except ValueError:
        return None
    return item if item is not None and item.workspace_id == workspace_id else None
