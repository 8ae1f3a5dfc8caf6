"""CSV import of leads: upload, mapping, a dry run naming bad lines, a job that imports each
good row once (issue 4)."""

from __future__ import annotations

import io
import re

import pytest
from rq import Queue
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tenants.profiles import load_profile
from tests.support import BurstWorker
from webapp.extensions import db
from webapp.lead_csv import mapping, parsing
from webapp.models import AuditEvent, ImportState, Lead, LeadImport, Role
from webapp.operations import lead_imports, policies
from workers import runtime

GOOD_AND_BAD = (
    "Name,Phone,E-mail,Budget\n"
    "Ada Lovelace,+1 415 555 0101,ada@example.test,100\n"
    "Bad Phone,12,bad@example.test,200\n"
    "Grace Hopper,+1 415 555 0102,grace@example.test,300\n"
)


def _work(redis_conn) -> None:
    queues = [Queue(name, connection=redis_conn) for name in ("timers", "notify", "default")]
    BurstWorker(queues, connection=redis_conn).work(burst=True)


def _upload(client, slug: str, text: str | bytes, filename: str = "leads.csv"):
    data = text.encode() if isinstance(text, str) else text
    # Encoded here: the test client would spool a large body to a file it never closes.
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), filename)})
    return client.post(
        f"/w/{slug}/leads/import/",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def _selects(page: str) -> dict[str, str]:
    """The mapping's selects as the page offers them: name → selected value."""
    chosen = {}
    for name, body in re.findall(r'<select id="[^"]+" name="([^"]+)">(.*?)</select>', page, re.S):
        match = re.search(r'<option value="([^"]*)" selected>', body)
        chosen[name] = match.group(1) if match else ""
    return chosen


def _count_leads(workspace) -> int:
    return db.session.scalar(select(func.count(Lead.id)).where(Lead.workspace_id == workspace.id))


@pytest.fixture
def shop(make_workspace):
    return make_workspace(slug="shop")


@pytest.fixture
def ccima(make_workspace):
    return make_workspace(
        slug="ccima-import",
        locale="es",
        time_zone="America/Mexico_City",
        country="MX",
        policy_document=load_profile("ccima_contact_center"),
    )


def test_csv_import_reports_the_bad_line_imports_the_good_rows_once(
    client, shop, login_as, redis_conn
):
    admin = login_as(Role.ADMIN, shop, preferred_locale="en")
    uploaded = _upload(client, "shop", GOOD_AND_BAD)
    assert uploaded.status_code == 302, uploaded.get_data(as_text=True)
    preview_url = uploaded.headers["Location"]
    page = client.get(preview_url).get_data(as_text=True)
    assert "2 rows can be imported" in page and "1 row has errors" in page
    assert '<tr data-line="3"><td>3</td><td>Phone</td>' in page
    selects = _selects(page)
    assert selects == {
        "column-0": "contact_name",
        "column-1": "phone",
        "column-2": "email",
        "column-3": "attributes.Budget",
    }
    assert _count_leads(shop) == 0  # the dry run writes nothing

    started = client.post(preview_url.replace("/preview", "/start"), data=selects)
    assert started.status_code == 302
    progress = client.get(started.headers["Location"]).get_data(as_text=True)
    assert 'hx-trigger="every 1s"' in progress and "<progress" in progress

    _work(redis_conn)

    done = client.get(started.headers["Location"]).get_data(as_text=True)
    assert re.search(r'data-count="imported">2<', done)
    assert re.search(r'data-count="failed">1<', done)
    assert '<tr data-line="3"><td>3</td><td>Phone</td>' in done
    status = client.get(started.headers["Location"] + "/status", headers={"HX-Request": "true"})
    assert status.status_code == 286
    leads = db.session.scalars(select(Lead).order_by(Lead.contact_name)).all()
    assert [(x.contact_name, x.attributes["Budget"]) for x in leads] == [
        ("Ada Lovelace", "100"),
        ("Grace Hopper", "300"),
    ]
    assert all(x.attributes["channel"] == "import" for x in leads)
    created = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "lead.created"))
    assert {e.actor_id for e in created} == {admin.id}

    # The same file again: nothing new, both rows counted as already imported.
    again = _upload(client, "shop", GOOD_AND_BAD)
    client.post(again.headers["Location"].replace("/preview", "/start"), data=selects)
    _work(redis_conn)
    second = db.session.scalars(select(LeadImport).order_by(LeadImport.id.desc())).first()
    assert (second.imported_count, second.skipped_count, second.failed_count) == (0, 2, 1)
    assert _count_leads(shop) == 2


def test_an_import_job_run_twice_imports_nothing_twice(shop, make_member):
    admin = make_member(shop, Role.ADMIN)
    lead_import = lead_imports.upload(shop, "a.csv", GOOD_AND_BAD.encode(), actor=admin)
    lead_imports.start(lead_import, dict(lead_import.mapping), actor=admin)
    assert runtime.perform("lead_import.run", lead_import.id) is True
    assert runtime.perform("lead_import.run", lead_import.id) is False
    db.session.expire_all()
    assert db.session.get(LeadImport, lead_import.id).imported_count == 2
    assert _count_leads(shop) == 2


def test_a_retried_running_import_skips_the_rows_already_stored(shop, make_member):
    admin = make_member(shop, Role.ADMIN)
    lead_import = lead_imports.upload(shop, "a.csv", GOOD_AND_BAD.encode(), actor=admin)
    lead_imports.start(lead_import, dict(lead_import.mapping), actor=admin)
    lead_imports.claim(lead_import.id)  # a worker that died after claiming it
    assert runtime.perform("lead_import.run", lead_import.id) is True
    assert runtime.perform("lead_import.run", lead_import.id) is False
    assert _count_leads(shop) == 2


def test_a_file_over_the_size_cap_is_refused_beside_the_field(client, shop, login_as):
    login_as(Role.MANAGER, shop, preferred_locale="en")
    big = "Name\n" + "x" * (parsing.MAX_BYTES)
    response = _upload(client, "shop", big)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="file-errors"' in page
    assert "The file is larger than 8 MiB. Split it into smaller files." in page
    assert db.session.scalar(select(func.count(LeadImport.id))) == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This is not a CSV file: it holds binary data."),
        (b"", "The file is empty."),
        (b"\n\n", "The file is empty."),
        (
            b"Ada Lovelace,+1 415 555 0101\nGrace Hopper,+1 415 555 0102\n",
            "The first line must name the columns",
        ),
        (b'Name,Phone\n"Ada,+1 415 555 0101\n', "Line 2 cannot be read as CSV"),
        (
            b"Name,Phone\nA,1,x,y\nB,2,x,y\nC,3,x,y\nD,4\n",
            "3 rows do not have as many values as the header has columns",
        ),
        (b"Name,Name\nA,B\n", "Two columns of the header have the same name."),
        (b"Name,Phone\n", "The file has a header but no rows."),
    ],
)
def test_a_malformed_csv_is_refused_with_a_message_and_nothing_stored(
    client, shop, login_as, content, message
):
    login_as(Role.DIRECTOR, shop, preferred_locale="en")
    response = _upload(client, "shop", content)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="file-errors"' in page and message in page
    assert db.session.scalar(select(func.count(LeadImport.id))) == 0


def test_uploading_without_a_file_asks_for_one(client, shop, login_as):
    login_as(Role.ADMIN, shop, preferred_locale="en")
    response = client.post("/w/shop/leads/import/", data={}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Choose a CSV file." in response.get_data(as_text=True)


def test_a_row_of_the_wrong_width_is_reported_by_line(shop, make_member):
    admin = make_member(shop, Role.ADMIN)
    text = "Name,Phone\nAda,+1 415 555 0101\nBob,+1 415 555 0102,extra\nCy,+1 415 555 0103\n"
    lead_import = lead_imports.upload(shop, "a.csv", text.encode(), actor=admin)
    lead_imports.start(lead_import, dict(lead_import.mapping), actor=admin)
    runtime.perform("lead_import.run", lead_import.id)
    db.session.expire_all()
    done = db.session.get(LeadImport, lead_import.id)
    assert (done.imported_count, done.failed_count) == (2, 1)
    assert done.row_errors == [{"line": 3, "field": "row", "message": "", "width": 3, "columns": 2}]


def test_spanish_headers_semicolons_and_a_bom_are_understood(client, ccima, login_as):
    login_as(Role.MANAGER, ccima, preferred_locale="en")
    text = (
        "\ufeffNombre;Teléfono;Correo;Fuente;Calificación;Empresa\n"
        "Ana;55 1234 5678;ana@x.mx;digital_marketing;AA;ACME\n"
    )
    response = _upload(client, "ccima-import", text)
    assert response.status_code == 302
    lead_import = db.session.scalar(select(LeadImport))
    assert (lead_import.delimiter, lead_import.encoding) == (";", "utf-8")
    assert lead_import.mapping == {
        "Nombre": "contact_name",
        "Teléfono": "phone",
        "Correo": "email",
        "Fuente": "source",
        "Calificación": "rating",
        "Empresa": "company",
    }


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Name", "contact_name"),
        ("NOMBRE", "contact_name"),
        ("Имя", "contact_name"),
        ("Phone", "phone"),
        ("Телефон", "phone"),
        ("E-mail", "email"),
        ("Courriel", "email"),
        ("Correo electrónico", "email"),
        ("Société", "company"),
        ("Source", "source"),
        ("Account", "account_ref"),
        ("External ID", "external_id"),
        ("Favourite colour", "attributes.Favourite colour"),
    ],
)
def test_header_names_are_matched_without_case_or_accents(make_workspace, header, field):
    policy = policies.active_policy(make_workspace())
    assert mapping.propose([header], policy) == {header: field}


def test_a_latin_1_file_is_read_and_the_fallback_reported(client, shop, login_as):
    login_as(Role.ADMIN, shop, preferred_locale="en")
    response = _upload(client, "shop", "Name\tCity\nJosé\tMontréal\n".encode("latin-1"))
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "it was read as Latin-1" in page and "José" in page and "Montréal" in page
    assert db.session.scalar(select(LeadImport.delimiter)) == "\t"


def test_policy_validation_shows_in_the_dry_run(client, ccima, login_as):
    """CCIMA-1: a lead needs a name, a phone (read in region MX) and a known source."""
    login_as(Role.ADMIN, ccima, preferred_locale="en")
    text = (
        "Nombre,Teléfono,Fuente\n"
        "Ana,55 1234 5678,digital_marketing\n"
        "Beto,,digital_marketing\n"
        "Carla,55 8765 4321,\n"
        "Dora,55 1111 2222,radio\n"
    )
    response = _upload(client, "ccima-import", text)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 row can be imported" in page and "3 rows have errors" in page
    assert (
        '<tr data-line="3"><td>3</td><td>Teléfono</td><td>Required by the workspace policy.' in page
    )
    assert (
        '<tr data-line="4"><td>4</td><td>Fuente</td><td>Required by the workspace policy.' in page
    )
    assert (
        '<tr data-line="5"><td>5</td><td>Fuente</td><td>“radio” is not one of: digital_marketing,'
        in page
    )


def test_changing_a_select_rechecks_the_rows_as_a_fragment(client, shop, login_as):
    login_as(Role.ADMIN, shop, preferred_locale="en")
    response = _upload(client, "shop", GOOD_AND_BAD)
    url = response.headers["Location"]
    selects = {**_selects(client.get(url).get_data(as_text=True)), "column-1": ""}
    fragment = client.post(url, data=selects, headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="dry-run"') and "<html" not in body
    assert "3 rows can be imported" in body  # the bad phone is no longer read
    unnamed = client.post(url, data={**selects, "column-0": ""}, headers={"HX-Request": "true"})
    assert "Choose the column that holds the contact name." in unnamed.get_data(as_text=True)
    assert "disabled" in unnamed.get_data(as_text=True)


def test_an_import_without_a_contact_name_column_is_not_started(client, shop, login_as):
    login_as(Role.ADMIN, shop, preferred_locale="en")
    url = _upload(client, "shop", GOOD_AND_BAD).headers["Location"]
    selects = {**_selects(client.get(url).get_data(as_text=True)), "column-0": ""}
    response = client.post(url.replace("/preview", "/start"), data=selects)
    assert response.status_code == 422
    assert db.session.scalar(select(LeadImport.state)) == ImportState.UPLOADED


def test_a_select_value_not_offered_is_a_bad_request(client, shop, login_as):
    login_as(Role.ADMIN, shop)
    url = _upload(client, "shop", GOOD_AND_BAD).headers["Location"]
    selects = {**_selects(client.get(url).get_data(as_text=True)), "column-0": "owner_id"}
    assert client.post(url.replace("/preview", "/start"), data=selects).status_code == 400


@pytest.mark.parametrize("role", [Role.AGENT, Role.PARTNER])
def test_only_administrators_directors_and_managers_import(client, shop, login_as, role):
    login_as(role, shop)
    assert client.get("/w/shop/leads/import/").status_code == 403
    assert "Import leads" not in client.get("/w/shop/leads").get_data(as_text=True)


def test_the_leads_page_links_to_the_import(client, shop, login_as):
    login_as(Role.MANAGER, shop, preferred_locale="en")
    assert 'href="/w/shop/leads/import/">Import leads</a>' in client.get("/w/shop/leads").get_data(
        as_text=True
    )
