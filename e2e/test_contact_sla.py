"""CCIMA-6 in a real Chromium, with the live server and the real worker firing the deadline.

An advisor who does not contact a new lead in time loses it: the worker's scheduler fires the
contact SLA, the lead moves to another advisor's queue (both queues update without a
reload), and the previous advisor, their manager and the director get a WhatsApp message
through the workspace's Cloud API endpoint (a local HTTP server here). The worker runs in its
own process, whose clock cannot be moved, so the SLA lasts a few seconds instead of 10
minutes; everything else is the CCIMA profile as shipped.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import APIRequestContext, Browser, Page, Playwright, expect
from pytest_httpserver import HTTPServer
from redis import Redis
from rq.job import Job, JobStatus
from sqlalchemy import select

from e2e.conftest import DEMO_PASSWORD
from e2e.test_foundation import signed_in
from tenants.decisions.roster import roster_month
from tenants.policy.common import WEEKDAYS
from tenants.profiles import load_profile
from webapp.clock import now
from webapp.extensions import db
from webapp.models import (
    Deadline,
    DeadlineState,
    Lead,
    Membership,
    Notification,
    NotificationState,
    Role,
    User,
    Workspace,
)
from webapp.operations import api_keys, channels, deadlines, policies, users, workspaces

SLA_SECONDS = 10
# From the SLA's end: RQ's scheduler looks every second, then the fire job, the deliveries
# and the next 3-second poll of the queue; generous, because the machine is shared.
AFTER_DUE_MS = 20_000
LIVE_MS = 10_000  # a queue change shows within one 3-second poll (plus a loaded machine)
WHATSAPP_PHONE_NUMBER_ID = "104729931177"
WHATSAPP_TOKEN = "e2e-whatsapp-token"


@dataclass(frozen=True)
class Person:
    id: int
    email: str
    phone: str

    @property
    def whatsapp_to(self) -> str:
        """The recipient as the Cloud API spells it: the phone's digits."""
        return "".join(ch for ch in self.phone if ch.isdigit())


@dataclass(frozen=True)
class ContactCenter:
    slug: str
    workspace_id: int
    manager: Person
    director: Person
    advisors: tuple[Person, Person]
    api_key: str

    def advisor(self, user_id: int) -> Person:
        return next(a for a in self.advisors if a.id == user_id)

    def other_advisor(self, user_id: int) -> Person:
        return next(a for a in self.advisors if a.id != user_id)


def _policy(sla: str) -> dict[str, Any]:
    """The CCIMA profile with a short contact SLA and hours that include whenever this runs.

    Assignment waits for the opening outside hours (CCIMA-5), and the SLA counts open time:
    opening around the clock keeps both independent of when the test runs.
    """
    document = load_profile("ccima_contact_center")
    document["calendar"]["business_hours"] = {day: ["00:00-24:00"] for day in WEEKDAYS}
    (timer,) = [t for t in document["timers"] if t["name"] == "contact_sla"]
    timer["duration"] = sla
    return document


def _build_contact_center(whatsapp_base_url: str) -> ContactCenter:
    tag = uuid.uuid4().hex[:8]
    workspace = workspaces.create_workspace(
        f"ccima-sla-{tag}",
        f"CCIMA SLA e2e {tag}",
        locale="en",
        time_zone="America/Mexico_City",
        country="MX",
        policy_document=_policy(f"{SLA_SECONDS}s"),
        actor=None,
    )
    team = workspaces.create_team(workspace, "Asesores", actor=None, code="contact_center")
    digits = int(tag[:6], 16) % 10**6
    memberships: dict[int, Membership] = {}

    def member(handle: str, name: str, role: Role, line: int, *, in_team: bool = True) -> Person:
        phone = f"+52 55 {line}{digits:07d}"  # one number per person and per run
        user = users.create_user(f"{handle}-{tag}@e2e.test", name, DEMO_PASSWORD, phone=phone)
        memberships[user.id] = users.add_member(
            workspace, user, role, actor=None, team=team if in_team else None
        )
        return Person(user.id, user.email, phone)

    manager = member("gerente", "Gerente Lozano", Role.MANAGER, 1)
    director = member("directora", "Directora Ibarra", Role.DIRECTOR, 2, in_team=False)
    advisors = (
        member("asesora", "Asesora Campos", Role.AGENT, 3),
        member("asesor", "Asesor Durán", Role.AGENT, 4),
    )
    # CCIMA-4: only advisors who confirmed this month's roster receive leads. The manager is
    # not on it, so the round robin and the reassignment both go between the two advisors.
    month = roster_month(policies.active_policy(workspace), now())
    for advisor in advisors:
        users.put_on_roster(memberships[advisor.id], month, confirmed_at=now(), actor=None)
    channels.save_channel(
        workspace,
        "whatsapp",
        base_url=whatsapp_base_url,
        phone_number_id=WHATSAPP_PHONE_NUMBER_ID,
        token=WHATSAPP_TOKEN,
        chat_id=None,
        enabled=True,
        actor=None,
    )
    _key, secret = api_keys.create_api_key(workspace, "marketing intake", actor=None)
    return ContactCenter(workspace.slug, workspace.id, manager, director, advisors, secret)


@pytest.fixture
def whatsapp(httpserver: HTTPServer) -> HTTPServer:
    """A local stand-in for the WhatsApp Cloud API: answers like it and records each call."""
    httpserver.expect_request(
        f"/{WHATSAPP_PHONE_NUMBER_ID}/messages", method="POST"
    ).respond_with_json({"messaging_product": "whatsapp", "messages": [{"id": "wamid.e2e"}]})
    return httpserver


@pytest.fixture
def contact_center(e2e_app: Flask, whatsapp: HTTPServer) -> Iterator[ContactCenter]:
    """A CCIMA workspace of this test's own: two advisors, their manager, a director."""
    with e2e_app.app_context():
        center = _build_contact_center(whatsapp.url_for("/"))
    yield center
    with e2e_app.app_context():
        people = (center.manager, center.director, *center.advisors)
        db.session.delete(db.session.get(Workspace, center.workspace_id))
        for person in people:
            db.session.delete(db.session.get(User, person.id))
        db.session.commit()


@pytest.fixture
def intake_api(
    playwright: Playwright, live_url: str, contact_center: ContactCenter
) -> Iterator[APIRequestContext]:
    """The REST API as the marketing campaign's system calls it, with the workspace's key."""
    api = playwright.request.new_context(
        base_url=live_url,
        extra_http_headers={"Authorization": f"Bearer {contact_center.api_key}"},
    )
    yield api
    api.dispose()


@pytest.fixture
def second_page(browser: Browser, live_url: str) -> Iterator[Page]:
    """Another person's browser: its own context, so its own session cookie."""
    context = browser.new_context(locale="en-US", base_url=live_url)
    yield context.new_page()
    context.close()


def _post_lead(api: APIRequestContext, name: str) -> dict[str, Any]:
    tag = uuid.uuid4().int % 10**8
    response = api.post(
        "/api/v1/leads",
        data={
            "contact_name": name,
            "phone": f"+52 55 {tag:08d}",
            "source": "digital_marketing",
            "external_id": f"campaign-{tag}",
        },
    )
    assert response.status == 201, response.text()
    return response.json()


def _open_queue(page: Page, center: ContactCenter, person: Person) -> None:
    signed_in(page, person.email)
    page.goto(f"/w/{center.slug}/queue/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My queue")


def _both_queues(page: Page, second_page: Page, center: ContactCenter) -> dict[int, Page]:
    """Each advisor's queue open in their own browser, before any lead arrives."""
    first, second = center.advisors
    _open_queue(page, center, first)
    _open_queue(second_page, center, second)
    for each in (page, second_page):
        each.evaluate("() => { window.e2eSameDocument = true }")  # a reload would drop it
    return {first.id: page, second.id: second_page}


def _never_reloaded(page: Page) -> bool:
    return page.evaluate("() => window.e2eSameDocument === true")


def _eventually(check: Callable[[], bool], *, timeout_ms: int, what: str) -> None:
    """Poll `check` until it holds; the worker acts in its own time, in its own process."""
    give_up = time.monotonic() + timeout_ms / 1000
    while not check():
        if time.monotonic() > give_up:
            pytest.fail(f"still waiting after {timeout_ms / 1000:.0f} s for {what}")
        time.sleep(0.1)


def _outbox(e2e_app: Flask, workspace_id: int) -> list[Notification]:
    with e2e_app.app_context():
        rows = db.session.scalars(
            select(Notification).where(Notification.workspace_id == workspace_id)
        ).all()
        db.session.expunge_all()
        return list(rows)


def _sla_clocks(e2e_app: Flask, lead_id: int) -> list[tuple[int, DeadlineState]]:
    """The lead's contact SLA deadlines (id, state), oldest first."""
    with e2e_app.app_context():
        rows = db.session.execute(
            select(Deadline.id, Deadline.state)
            .where(Deadline.lead_id == lead_id, Deadline.kind == "contact_sla")
            .order_by(Deadline.id)
        )
        return [(row.id, row.state) for row in rows]


def _deadline_due(e2e_app: Flask, deadline_id: int) -> datetime:
    with e2e_app.app_context():
        return db.session.get(Deadline, deadline_id).due_at


def _log_contact(page: Page, lead_name: str) -> None:
    """Open the lead from the queue and record that the call reached the customer."""
    page.get_by_role("link", name=lead_name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(lead_name)
    page.get_by_label("Outcome").select_option("contacted")
    page.get_by_role("button", name="Save outcome").click()
    expect(page.get_by_test_id("lead-status")).to_have_text("Contacted")


def test_ccima_6_an_uncontacted_lead_moves_to_another_advisor_and_whatsapp_tells_three_people(
    page: Page,
    second_page: Page,
    e2e_app: Flask,
    contact_center: ContactCenter,
    intake_api: APIRequestContext,
    whatsapp: HTTPServer,
) -> None:
    center = contact_center
    pages = _both_queues(page, second_page, center)

    name = f"Prospecto Sin Llamada {uuid.uuid4().hex[:5]}"
    lead = _post_lead(intake_api, name)
    # Whoever the round robin picked is "A", who will not call; the other advisor is "B".
    a, b = center.advisor(lead["owner"]["id"]), center.other_advisor(lead["owner"]["id"])
    a_page, b_page = pages[a.id], pages[b.id]
    (sla,) = [d for d in lead["deadlines"] if d["kind"] == "contact_sla"]
    due_in = datetime.fromisoformat(sla["due_at"]) - datetime.fromisoformat(lead["created_at"])
    # Counted from the assignment, a moment after the lead row was created (same request).
    assert timedelta(seconds=SLA_SECONDS) <= due_in < timedelta(seconds=SLA_SECONDS + 5)

    a_row, b_row = a_page.locator(f"#q-lead-{lead['id']}"), b_page.locator(f"#q-lead-{lead['id']}")
    expect(a_row).to_contain_text(name, timeout=LIVE_MS)  # no reload: the poll brought it
    expect(b_row).to_have_count(0)

    # A does nothing. When the SLA runs out the lead leaves A's queue and lands in B's.
    expect(a_row).to_have_count(0, timeout=SLA_SECONDS * 1000 + AFTER_DUE_MS)
    expect(b_row).to_contain_text(name, timeout=LIVE_MS)
    assert _never_reloaded(a_page) and _never_reloaded(b_page)

    # B calls at once (B's own fresh SLA is running), which also ends the story here.
    _log_contact(b_page, name)
    timeline = b_page.get_by_test_id("timeline")
    expect(timeline.locator("li", has_text="Flagged")).to_contain_text(
        "first-contact deadline"
    )  # the timer by its label, not its code

    # The breach flag, as the API shows the lead.
    shown = intake_api.get(f"/api/v1/leads/{lead['id']}").json()
    assert shown["owner"]["id"] == b.id
    assert "contact_sla_breach" in shown["attributes"]["flags"]

    # WhatsApp: A, A's manager and the director, once each, through the Cloud API.
    _eventually(
        lambda: (
            all(n.state == NotificationState.SENT for n in _outbox(e2e_app, center.workspace_id))
            and len(whatsapp.log) >= 3
        ),
        timeout_ms=AFTER_DUE_MS,
        what="three WhatsApp messages to be sent",
    )
    outbox = _outbox(e2e_app, center.workspace_id)
    assert {(n.recipient_user_id, n.channel, n.template) for n in outbox} == {
        (person.id, "whatsapp", "contact_sla_missed")
        for person in (a, center.manager, center.director)
    }
    assert len(whatsapp.log) == 3
    recipients = []
    for request, response in whatsapp.log:
        assert (request.method, request.path) == ("POST", f"/{WHATSAPP_PHONE_NUMBER_ID}/messages")
        assert request.headers["Authorization"] == f"Bearer {WHATSAPP_TOKEN}"
        assert request.headers["Content-Type"] == "application/json"
        assert response.status_code == 200
        body = json.loads(request.get_data())
        assert set(body) == {"messaging_product", "to", "type", "text"}
        assert (body["messaging_product"], body["type"]) == ("whatsapp", "text")
        assert name in body["text"]["body"]
        recipients.append(body["to"])
    assert sorted(recipients) == sorted(p.whatsapp_to for p in (a, center.manager, center.director))

    # A's clock ran out; B's fresh one was met by the call.
    assert [state for _id, state in _sla_clocks(e2e_app, lead["id"])] == [
        DeadlineState.FIRED,
        DeadlineState.CANCELLED,
    ]


def test_ccima_6_a_lead_called_in_time_stays_and_nobody_is_told(
    page: Page,
    second_page: Page,
    e2e_app: Flask,
    e2e_redis_url: str,
    contact_center: ContactCenter,
    intake_api: APIRequestContext,
    whatsapp: HTTPServer,
) -> None:
    center = contact_center
    pages = _both_queues(page, second_page, center)
    name = f"Prospecto Llamado {uuid.uuid4().hex[:5]}"
    lead = _post_lead(intake_api, name)
    a = center.advisor(lead["owner"]["id"])
    a_page = pages[a.id]
    ((sla_id, _state),) = _sla_clocks(e2e_app, lead["id"])
    expect(a_page.locator(f"#q-lead-{lead['id']}")).to_contain_text(name, timeout=LIVE_MS)
    assert _never_reloaded(a_page)
    _log_contact(a_page, name)  # A calls well within the SLA

    # The job of the SLA's due second still runs at its time; it finds the clock met and
    # leaves it (the job drains whatever else is due then: its count is not this SLA's).
    redis = Redis.from_url(e2e_redis_url)
    try:
        with e2e_app.app_context():
            job_id = db.session.get(Deadline, sla_id).job_id
        assert job_id == deadlines.job_id_for_due(_deadline_due(e2e_app, sla_id)), (
            "the SLA's job is its due second's"
        )
        job = Job.fetch(job_id, connection=redis)
        _eventually(
            lambda: job.get_status(refresh=True) in (JobStatus.FINISHED, JobStatus.FAILED),
            timeout_ms=SLA_SECONDS * 1000 + AFTER_DUE_MS,
            what="the SLA's job to run",
        )
        assert job.get_status() == JobStatus.FINISHED
    finally:
        redis.close()

    a_page.goto(f"/w/{center.slug}/queue/")
    expect(a_page.locator(f"#q-lead-{lead['id']}")).to_contain_text(name)
    with e2e_app.app_context():
        stored = db.session.get(Lead, lead["id"])
        assert stored.owner_id == a.id
        assert "flags" not in stored.attributes
    assert _sla_clocks(e2e_app, lead["id"]) == [(sla_id, DeadlineState.CANCELLED)]
    assert _outbox(e2e_app, center.workspace_id) == []
    assert whatsapp.log == []
