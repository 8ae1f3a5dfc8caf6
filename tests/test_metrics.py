"""/metrics: Prometheus text from prometheus_client, for loopback or the bearer token (issue 18).

The clocks' promise is measured: a deadline fired ten minutes after its due time moves the
fire-lateness histogram by one observation of ten minutes (ALL-4's "on time", made visible).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from prometheus_client.parser import text_string_to_metric_families

from webapp import job_names
from webapp.clock import now
from webapp.operations import deadlines
from webapp.operations.intake import IntakeRequest, receive_lead
from workers import runtime

ELSEWHERE = {"REMOTE_ADDR": "203.0.113.9"}


def scrape(client, **kwargs) -> dict[str, dict[tuple, float]]:
    response = client.get("/metrics", **kwargs)
    assert response.status_code == 200
    samples: dict[str, dict[tuple, float]] = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            key = tuple(sorted(sample.labels.items()))
            samples.setdefault(sample.name, {})[key] = sample.value
    return samples


def value(samples, name: str, **labels: str) -> float:
    return samples.get(name, {}).get(tuple(sorted(labels.items())), 0.0)


@pytest.fixture
def metrics_token(app):
    app.config["LEADLINE_METRICS_TOKEN"] = "scrape-me"
    yield "scrape-me"
    app.config["LEADLINE_METRICS_TOKEN"] = None


def test_metrics_only_for_loopback_without_a_token(client):
    assert client.get("/metrics").status_code == 200
    assert client.get("/metrics", environ_base=ELSEWHERE).status_code == 404


def test_metrics_token_is_required_when_set(client, metrics_token):
    assert client.get("/metrics").status_code == 404  # loopback is not enough then
    wrong = {"Authorization": "Bearer nope"}
    assert client.get("/metrics", headers=wrong, environ_base=ELSEWHERE).status_code == 404
    right = {"Authorization": f"Bearer {metrics_token}"}
    assert client.get("/metrics", headers=right, environ_base=ELSEWHERE).status_code == 200


def test_requests_are_counted_by_route_rule_not_path(client, make_workspace):
    workspace = make_workspace()
    before = scrape(client)
    client.get(f"/w/{workspace.slug}/queue/")  # not signed in: redirected
    after = scrape(client)
    route = {"route": "/w/<workspace>/queue/", "method": "GET", "status": "302"}
    assert value(after, "leadline_http_requests_total", **route) == (
        value(before, "leadline_http_requests_total", **route) + 1
    )
    assert not any(workspace.slug in str(key) for keys in after.values() for key in keys)


def test_fire_lateness_histogram_moves_when_deadlines_fire(client, make_workspace):
    """ALL-4: two deadlines fired ten minutes late add two ten-minute observations."""
    workspace = make_workspace()
    due = now() + timedelta(minutes=5)
    first = deadlines.schedule(workspace.id, "sla", due)
    second = deadlines.schedule(workspace.id, "sla", due)
    before = scrape(client)
    assert value(before, "leadline_deadlines_pending") == 2
    with time_machine.travel(due + timedelta(minutes=10), tick=False):
        assert value(scrape(client), "leadline_deadlines_due_unfired") == 2
        assert runtime.perform(job_names.DEADLINE_FIRE, first.id)
        assert runtime.perform(job_names.DEADLINE_FIRE, second.id)
        after = scrape(client)
    count = "leadline_deadline_fire_lateness_seconds_count"
    total = "leadline_deadline_fire_lateness_seconds_sum"
    assert value(after, count) == value(before, count) + 2
    assert value(after, total) - value(before, total) == pytest.approx(1200, abs=1)
    assert value(after, "leadline_deadlines_due_unfired") == 0
    fired = "leadline_deadlines_fired_total"
    assert value(after, fired) == value(before, fired) + 2
    job = {"job": job_names.DEADLINE_FIRE, "outcome": "ok"}
    assert value(after, "leadline_job_duration_seconds_count", **job) >= 2


def test_intake_and_queues_are_measured_without_personal_data(client, make_workspace, make_user):
    person = make_user(email="private.person@example.test")
    workspace = make_workspace()
    before = scrape(client)
    lead = IntakeRequest("Ada Private", email="another.private@example.test")
    assert receive_lead(workspace, lead, actor=None).created
    samples = scrape(client)
    created = ("leadline_intake_leads_total", "leadline_intake_duration_seconds_count")
    assert value(samples, created[0], outcome="created") == (
        value(before, created[0], outcome="created") + 1
    )
    assert value(samples, created[1]) == value(before, created[1]) + 1
    assert {dict(k)["queue"] for k in samples["leadline_rq_queue_depth"]} == {
        "default",
        "timers",
        "notify",
    }
    assert "leadline_rq_workers" in samples
    assert value(samples, "leadline_scrape_source_up", source="database") == 1
    assert value(samples, "leadline_scrape_source_up", source="redis") == 1
    text = client.get("/metrics").get_data(as_text=True)
    assert person.email not in text and "another.private" not in text and "Ada" not in text
