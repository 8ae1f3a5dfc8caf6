"""The collateral library (CPB-8): the agency uploads checked documents; a partner downloads
one or sends it with an e-mail attempt, and the lead's timeline says what went to whom."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.test_partner_portal import T0, cpb_workspace, qualified
from webapp.extensions import db
from webapp.models import Activity, AuditEvent, Collateral

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _an_hour_after_allocation():
    with time_machine.travel(T0 + timedelta(hours=1), tick=True):
        yield


@pytest.fixture
def cpb(make_workspace, make_user):
    return cpb_workspace(make_workspace, make_user)


def _upload(client, content=PDF, filename="brochure.pdf", **fields):
    data = {"title": "Fleet brochure", "language": "en", "tags": "fleet, 2027", **fields}
    data["file"] = FileStorage(io.BytesIO(content), filename)
    # Encoded here: the test client would spool a large body to a file it never closes.
    boundary, body = encode_multipart(data)
    return client.post(
        "/w/cpb/portal/collateral",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def test_cpb_8_the_agency_uploads_a_pdf_and_a_partner_downloads_it(cpb, client, login):
    login(cpb.manager)
    assert _upload(client, category="brochure").status_code == 302
    item = db.session.scalar(select(Collateral))
    assert (item.content_type, item.tags, item.size) == (
        "application/pdf",
        ["fleet", "2027"],
        len(PDF),
    )
    client.post("/logout")
    login(cpb.aisha)
    page = client.get("/w/cpb/portal/collateral").get_data(as_text=True)
    assert "Fleet brochure" in page
    download = client.get(f"/w/cpb/portal/collateral/{item.id}/download")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    download.close()


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"MZ\x90\x00 not a pdf", "brochure.pdf", "Upload a PDF or an office document"),
        (PDF, "brochure.exe", "Upload a PDF or an office document"),
        (b"%PDF-" + b"x" * (5 * 1024 * 1024), "big.pdf", "larger than 5 MB"),
    ],
)
def test_cpb_8_a_refused_type_or_size_is_named_and_nothing_is_stored(
    cpb, client, login, app, content, filename, message
):
    login(cpb.manager)
    library = Path(app.instance_path) / "collateral"
    before = sorted(library.rglob("*"))
    response = _upload(client, content=content, filename=filename, title="")
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert message in text and "Give the document a title." in text
    assert db.session.scalar(select(Collateral.id)) is None
    assert sorted(library.rglob("*")) == before


def test_cpb_8_partners_may_not_upload(cpb, client, login):
    login(cpb.daniel)
    assert _upload(client).status_code == 403


def test_cpb_8_collateral_sent_with_an_email_attempt_is_on_the_timeline(cpb, client, login):
    login(cpb.manager)
    _upload(client)
    item = db.session.scalar(select(Collateral))
    lead = qualified(cpb)
    client.post("/logout")
    login(cpb.daniel)
    response = client.post(
        f"/w/cpb/portal/leads/{lead.id}/attempts",
        data={"channel": "email", "subject": "Our brochure", "collateral": item.id},
    )
    assert response.status_code == 302
    activity = db.session.scalar(select(Activity))
    assert activity.details == {"subject": "Our brochure", "collateral": "Fleet brochure"}
    sent = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "collateral.sent"))
    assert sent.after["to"] == "ian@acme-logistics.test"
    assert "Fleet brochure" in client.get(f"/w/cpb/portal/leads/{lead.id}").get_data(as_text=True)
