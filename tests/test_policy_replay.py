"""Policy replay: a draft version re-run over a past period shows what would differ."""

from __future__ import annotations

import copy
import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from rq import Queue
from sqlalchemy import event, func, select

from tenants.profiles import load_profile
from tests.support import BurstWorker
from webapp.clock import now
from webapp.extensions import db
from webapp.models import AuditEvent, PolicyReplay, ReplayState, Role
from webapp.operations import activities, policies, replays
from webapp.operations import replay_run as replay_data
from workers import runtime

MX = ZoneInfo("America/Mexico_City")


@pytest.fixture
def ccima(make_workspace):
    return make_workspace(
        slug="ccima-replay",
        locale="es",
        time_zone="America/Mexico_City",
        country="MX",
        policy_document=load_profile("ccima_contact_center"),
    )


def _draft_with_sla(workspace, minutes: int):
    document = copy.deepcopy(workspace.active_policy_version.document)
    next(t for t in document["timers"] if t["name"] == "contact_sla")["duration"] = f"{minutes}m"
    return policies.save_version(
        workspace, document, author=None, comment=f"SLA {minutes}m", activate=False
    )


def _today():
    return now().astimezone(MX).date()


def _opening(days_ago: int) -> datetime:
    """09:00 in Mexico City, `days_ago` days ago: inside CCIMA-5's business hours."""
    return datetime.combine(_today() - timedelta(days=days_ago), time(9), tzinfo=MX).astimezone(UTC)


def _log_contact(lead, at: datetime, channel: str = "call") -> None:
    activities.log_activity(lead, channel, actor=None, occurred_at=at)


def _work(redis_conn) -> None:
    queues = [Queue(name, connection=redis_conn) for name in ("timers", "notify", "default")]
    BurstWorker(queues, connection=redis_conn).work(burst=True)


def _form(draft_id: int, first_days_ago: int = 6, last_days_ago: int = 0) -> dict[str, str]:
    today = _today()
    return {
        "draft": str(draft_id),
        "first_day": (today - timedelta(days=first_days_ago)).isoformat(),
        "last_day": (today - timedelta(days=last_days_ago)).isoformat(),
    }


def test_ccima_6_replaying_a_15_minute_sla_shows_the_breach_it_would_have_avoided(
    client, ccima, login_as, make_member, make_lead, redis_conn
):
    admin = login_as(Role.ADMIN, ccima, preferred_locale="en")
    advisor = make_member(ccima, Role.AGENT)
    draft = _draft_with_sla(ccima, 15)
    t0 = _opening(days_ago=3)
    with time_machine.travel(t0, tick=False):
        late = make_lead(ccima, owner=advisor, contact_name="Late Contact")
        quick = make_lead(ccima, owner=advisor, contact_name="Quick Contact")
    _log_contact(late, t0 + timedelta(minutes=12))
    _log_contact(quick, t0 + timedelta(minutes=5))

    response = client.post("/w/ccima-replay/policy/replay/", data=_form(draft.id))
    assert response.status_code == 302, response.get_data(as_text=True)
    page_url = response.headers["Location"]
    running = client.get(page_url).get_data(as_text=True)
    assert 'hx-trigger="every 1s"' in running and "<progress" in running

    _work(redis_conn)

    page = client.get(page_url).get_data(as_text=True)
    assert "2 leads of 2 replayed would be decided differently." in page
    assert re.search(r"Breaches avoided</td><td>1<", page)
    assert re.search(r"Deadlines moved</td><td>2<", page)
    assert re.search(r"Reassignments changed</td><td>1<", page)
    assert f'href="/w/ccima-replay/leads/{late.id}">Late Contact</a>' in page
    assert "contact_sla: breached → met" in page
    assert "would be reassigned on breach → not" in page
    assert page.count("contact_sla: breached → met") == 1  # the quick lead was met under both
    status = client.get(page_url + "/status", headers={"HX-Request": "true"})
    assert status.status_code == 286  # htmx stops polling
    assert "Breaches avoided" in status.get_data(as_text=True)
    requested = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "policy.replay_requested")
    )
    assert requested.actor_id == admin.id and requested.after["draft_version_id"] == draft.id


def test_status_fragment_polls_while_queued_and_a_plain_request_gets_the_page(
    client, ccima, login_as
):
    login_as(Role.DIRECTOR, ccima)
    replay = replays.start_replay(
        ccima, ccima.active_policy_version, now() - timedelta(days=1), now(), actor=None
    )
    url = f"/w/ccima-replay/policy/replay/{replay.id}/status"
    fragment = client.get(url, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    body = fragment.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="replay-status"') and "<html" not in body
    assert client.get(url).status_code == 302


def test_a_done_replay_is_not_recomputed(ccima, make_lead, redis_conn):
    replay = replays.start_replay(
        ccima, ccima.active_policy_version, now() - timedelta(days=1), now(), actor=None
    )
    assert runtime.perform("policy.replay", replay.id) is True
    db.session.expire_all()
    first = db.session.get(PolicyReplay, replay.id)
    assert (first.state, first.progress) == (ReplayState.DONE, 100)
    finished_at = first.finished_at
    assert runtime.perform("policy.replay", replay.id) is False
    db.session.expire_all()
    assert db.session.get(PolicyReplay, replay.id).finished_at == finished_at


def test_replay_progress_is_committed_as_it_goes(ccima, make_lead, make_member, monkeypatch):
    advisor = make_member(ccima, Role.AGENT)
    with time_machine.travel(_opening(days_ago=1), tick=False):
        for _ in range(4):
            make_lead(ccima, owner=advisor)
    replay = replays.start_replay(
        ccima, _draft_with_sla(ccima, 15), now() - timedelta(days=2), now(), actor=None
    )
    seen = []
    record = replays.record_progress

    def record_and_read_back(replay_id: int, percent: int) -> None:
        record(replay_id, percent)
        with db.engine.connect() as other:  # another connection sees only committed rows
            seen.append(
                other.scalar(select(PolicyReplay.progress).where(PolicyReplay.id == replay_id))
            )

    monkeypatch.setattr(replay_data, "PROGRESS_EVERY", 1)
    monkeypatch.setattr(replays, "record_progress", record_and_read_back)
    runtime.perform("policy.replay", replay.id)
    assert seen == [12, 25, 37, 50, 62, 75, 87]


def test_gathering_a_period_takes_the_same_queries_for_3_or_30_leads(ccima, make_lead, make_member):
    advisor = make_member(ccima, Role.AGENT)

    def queries_for(count: int, days_ago: int) -> int:
        t0 = _opening(days_ago)
        with time_machine.travel(t0, tick=False):
            made = [make_lead(ccima, owner=advisor) for _ in range(count)]
        for lead in made:
            _log_contact(lead, t0 + timedelta(minutes=3))
        db.session.refresh(ccima)  # loaded now, not counted below
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            histories, _ = replay_data.gather(
                ccima, t0 - timedelta(hours=1), t0 + timedelta(hours=1), now()
            )
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        assert len([h for h in histories if not h.context]) == count
        assert all(len(h.contacts) == 1 for h in histories)
        return len(statements)

    assert queries_for(3, days_ago=10) == queries_for(30, days_ago=5) == 4


def test_form_defaults_to_the_last_7_days_and_the_version_asked_for(client, ccima, login_as):
    login_as(Role.ADMIN, ccima, preferred_locale="en")
    draft = _draft_with_sla(ccima, 15)
    page = client.get(f"/w/ccima-replay/policy/replay/?version={draft.id}").get_data(as_text=True)
    today = _today()
    assert f'value="{today.isoformat()}"' in page
    assert f'value="{(today - timedelta(days=6)).isoformat()}"' in page
    assert re.search(rf'<option selected value="{draft.id}"|value="{draft.id}" selected', page)
    versions = client.get("/w/ccima-replay/policy/versions").get_data(as_text=True)
    assert f"/w/ccima-replay/policy/replay/?version={draft.id}" in versions


def test_period_ending_before_it_starts_is_refused_beside_the_field(client, ccima, login_as):
    login_as(Role.ADMIN, ccima, preferred_locale="en")
    response = client.post(
        "/w/ccima-replay/policy/replay/", data=_form(ccima.active_policy_version_id, 1, 3)
    )
    assert response.status_code == 422
    assert 'id="last_day-errors"' in response.get_data(as_text=True)
    assert "The last day must not be before the first." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(PolicyReplay.id))) == 0


def test_period_longer_than_92_days_is_refused(client, ccima, login_as):
    login_as(Role.ADMIN, ccima, preferred_locale="en")
    response = client.post(
        "/w/ccima-replay/policy/replay/", data=_form(ccima.active_policy_version_id, 92, 0)
    )
    assert response.status_code == 422
    assert "A replay covers at most 92 days." in response.get_data(as_text=True)
    ok = client.post(
        "/w/ccima-replay/policy/replay/", data=_form(ccima.active_policy_version_id, 91, 0)
    )
    assert ok.status_code == 302


def test_another_workspaces_version_is_not_found(client, ccima, login_as, make_workspace):
    login_as(Role.ADMIN, ccima)
    theirs = make_workspace()
    response = client.post(
        "/w/ccima-replay/policy/replay/", data=_form(theirs.active_policy_version_id)
    )
    assert response.status_code == 404
    assert (
        client.get(
            f"/w/ccima-replay/policy/replay/?version={theirs.active_policy_version_id}"
        ).status_code
        == 404
    )


@pytest.mark.parametrize("role", [Role.MANAGER, Role.AGENT])
def test_only_administrators_and_directors_replay(client, ccima, login_as, role):
    login_as(role, ccima)
    assert client.get("/w/ccima-replay/policy/replay/").status_code == 403
