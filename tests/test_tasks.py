"""Tasks close: Done and Cancel (page and API), the outcome they ask for, the lead's end; a
timer's task exists from the start; one open callback per account and agent (issue 9 items
2 and 6)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import time_machine
from sqlalchemy import select

from tenants.profiles import load_profile
from tests import support
from tests.api_helpers import key_headers
from webapp.clock import now
from webapp.extensions import db
from webapp.models import AuditEvent, Deadline, DeadlineState, Lead, Role, Task, TaskState
from webapp.operations import accounts, outcomes, policies
from workers import runtime

# A Tuesday at 10:00 in Los Angeles: inside the department's hours.
OPEN = now().replace(year=2026, month=11, day=17, hour=18, minute=0, second=0, microsecond=0)
HX = {"HX-Request": "true"}
OVERDUE = re.compile(r"overdue by \d")
SCRIPT = "Our business development manager would like to discuss"


@pytest.fixture
def l411(make_workspace, make_member):
    """411's policy, a CPT agent and a colleague, their manager, an admin, RET and an account."""
    workspace, teams = support.l411_workspace(make_workspace)
    people = {
        "cpt": make_member(workspace, Role.AGENT, name="Simon Vale"),
        "colleague": make_member(workspace, Role.AGENT, name="Other Agent"),
        "manager": make_member(workspace, Role.MANAGER, name="CPT Manager"),
        "ae_manager": make_member(workspace, Role.MANAGER, name="AE Manager"),
        "admin": make_member(workspace, Role.ADMIN, name="Admin"),
        "ae": make_member(workspace, Role.AGENT, name="Calvin Myers"),
        "ret": make_member(workspace, Role.AGENT, name="Rita Ret"),
    }
    for who, team in (
        ("cpt", "cpt"),
        ("colleague", "cpt"),
        ("manager", "cpt"),
        ("ae_manager", "ae"),
        ("ae", "ae"),
        ("ret", "ret"),
    ):
        people[who].memberships[0].team_id = teams[team].id
    db.session.commit()
    account, _ = accounts.upsert_account(
        workspace, "BO-1", name="Golden Gate Bakery", signed_up_on=date(2026, 10, 1), actor=None
    )
    return workspace, account, people


def _deliver_api(client, workspace, account, sender, n: int, headers=None):
    response = client.post(
        f"/api/v1/accounts/{account.id}/deliveries",
        json={
            "contact_name": f"Customer {n}",
            "phone": f"+1 415 555 {n:04d}",
            "sent_by": sender.id,
        },
        headers=headers or key_headers(workspace),
    )
    assert response.status_code == 201, response.json
    return db.session.get(Lead, response.json["lead"]["id"])


def _open_tasks(kind: str | None = None) -> list[Task]:
    db.session.expire_all()
    statement = select(Task).where(Task.state == TaskState.OPEN).order_by(Task.id)
    if kind:
        statement = statement.where(Task.kind == kind)
    return list(db.session.scalars(statement))


def _fresh(task_id: int) -> Task:
    """The task as the database has it now (the requests wrote it in their own sessions)."""
    db.session.expire_all()
    return db.session.get(Task, task_id)


def _queue(client, **args) -> str:
    response = client.get("/w/l411/queue/", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


# --- Created at once, due ahead ----------------------------------------------------------------


def test_l411_3_a_delivery_puts_its_callback_in_the_queue_at_once_due_in_15_minutes(
    client, l411, login
):
    """L411-3, issue 9 item 2: the callback task exists from the delivery with its due_at, and
    the queue says "due in 15m", not "overdue" once the timer ran out."""
    workspace, account, people = l411
    with time_machine.travel(OPEN, tick=False):
        lead = _deliver_api(client, workspace, account, people["cpt"], 1)
        (task,) = _open_tasks()
        assert (task.kind, task.lead_id, task.assignee_id) == (
            "upsell_callback",
            lead.id,
            people["cpt"].id,
        )
        assert task.due_at == OPEN + timedelta(minutes=15)
        login(people["cpt"])
        page = _queue(client)
    assert f'data-task-id="{task.id}"' in page
    assert "due in 15m" in page and not OVERDUE.search(page)
    assert SCRIPT in page

    # When the timer runs out it makes no second task: the one there is now due.
    timer = db.session.scalar(select(Deadline).where(Deadline.kind == "cpt_callback"))
    with time_machine.travel(timer.due_at + timedelta(seconds=22), tick=False):
        assert runtime.perform("deadline.fire", timer.id)
        assert [t.id for t in _open_tasks()] == [task.id]
        assert "overdue by 22s" in _queue(client)


# --- Done and Cancel on the web ----------------------------------------------------------------


def test_l411_3_done_from_the_queue_closes_the_callback_and_its_script_stops_showing(
    client, l411, login
):
    """L411-3, issue 9 item 2: Done in the queue (htmx) closes the task with an audit event,
    stops its timer, and the queue shows neither the task nor its script."""
    workspace, account, people = l411
    with time_machine.travel(OPEN, tick=False):
        lead = _deliver_api(client, workspace, account, people["cpt"], 1)
        (task,) = _open_tasks()
        login(people["cpt"])
        response = client.post(f"/w/l411/queue/tasks/{task.id}/done", headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="queue-list"')
    assert f'data-task-id="{task.id}"' not in body and SCRIPT not in body
    db.session.refresh(task)
    assert task.state == TaskState.DONE and task.completed_at == OPEN
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "task.done"))
    assert (event.actor_id, event.subject_id, event.after["task_id"]) == (
        people["cpt"].id,
        lead.id,
        task.id,
    )
    timer = db.session.scalar(select(Deadline).where(Deadline.kind == "cpt_callback"))
    assert timer.state == DeadlineState.CANCELLED
    page = client.get(f"/w/l411/leads/{lead.id}").get_data(as_text=True)
    assert SCRIPT not in page and 'data-testid="script"' not in page
    assert "Task done" in page  # the timeline says so, in words


def test_l411_3_cancel_on_the_lead_page_works_with_htmx_and_as_a_plain_form(client, l411, login):
    """L411-3, issue 9 item 2: the lead page's Cancel answers htmx with the page's work block
    and a plain form post with a redirect and a message."""
    workspace, account, people = l411
    with time_machine.travel(OPEN, tick=False):
        first = _deliver_api(client, workspace, account, people["cpt"], 1)
        login(people["cpt"])
        (task,) = _open_tasks()
        page = client.get(f"/w/l411/leads/{first.id}").get_data(as_text=True)
        assert f"/w/l411/leads/{first.id}/tasks/{task.id}/cancel" in page and SCRIPT in page
        response = client.post(f"/w/l411/leads/{first.id}/tasks/{task.id}/cancel", headers=HX)
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        assert body.lstrip().startswith('<div id="lead-work"') and SCRIPT not in body
        assert _fresh(task.id).state == TaskState.CANCELLED

        # The plain form: a second delivery's callback (the first one is closed), no htmx.
        second = _deliver_api(client, workspace, account, people["cpt"], 2)
        (again,) = _open_tasks()
        assert again.lead_id == second.id
        response = client.post(f"/w/l411/leads/{second.id}/tasks/{again.id}/done")
        assert response.status_code == 302
        assert response.headers["Location"].endswith(f"/w/l411/leads/{second.id}")
        assert "Task closed." in client.get(response.headers["Location"]).get_data(as_text=True)
        # Closed already: refused with a message, not a 500.
        refused = client.post(f"/w/l411/leads/{second.id}/tasks/{again.id}/done", headers=HX)
        assert refused.status_code == 409
        assert "This task is already closed." in refused.get_data(as_text=True)
    assert _fresh(again.id).state == TaskState.DONE


@pytest.mark.parametrize(
    ("who", "status"),
    [("colleague", 403), ("ae_manager", 403), ("manager", 200), ("admin", 200), ("cpt", 200)],
)
def test_l411_3_only_the_assignee_their_manager_or_an_admin_may_close_a_task(
    client, l411, login, who, status
):
    """L411-3, issue 9 item 2: another agent or another team's manager gets a 403 and the task
    stays open; the assignee, the manager of their team and an administrator may close it."""
    workspace, account, people = l411
    with time_machine.travel(OPEN, tick=False):
        _deliver_api(client, workspace, account, people["cpt"], 1)
        (task,) = _open_tasks()
        login(people[who])
        response = client.post(f"/w/l411/queue/tasks/{task.id}/done", headers=HX)
    assert response.status_code == status
    expected = TaskState.DONE if status == 200 else TaskState.OPEN
    assert _fresh(task.id).state == expected


def test_l411_3_another_workspaces_task_is_a_404(client, l411, login, make_workspace, make_member):
    """L411-3, issue 9 item 2: a task of another workspace is not found, on the page and the
    API."""
    workspace, account, people = l411
    with time_machine.travel(OPEN, tick=False):
        _deliver_api(client, workspace, account, people["cpt"], 1)
    (task,) = _open_tasks()
    other = make_workspace(slug="other")
    stranger = make_member(other, Role.ADMIN)
    login(stranger)
    assert client.post(f"/w/other/queue/tasks/{task.id}/done", headers=HX).status_code == 404
    manager_key = key_headers(other, role="manager")
    assert (
        client.post(f"/api/v1/tasks/{task.id}/done", json={}, headers=manager_key).status_code
        == 404
    )
    assert _fresh(task.id).state == TaskState.OPEN


# --- Done and Cancel over the API --------------------------------------------------------------


def test_l411_3_the_api_closes_a_task_for_whom_may_and_refuses_the_rest(client, l411):
    """L411-3, issue 9 item 2: POST /api/v1/tasks/<id>/done|cancel, for `by` (its assignee,
    their manager, an admin) or a manager key; others 403; twice 409; listed in OpenAPI."""
    workspace, account, people = l411
    agent_key = key_headers(workspace)
    with time_machine.travel(OPEN, tick=False):
        lead = _deliver_api(client, workspace, account, people["cpt"], 1, headers=agent_key)
        (task,) = client.get(f"/api/v1/leads/{lead.id}/tasks", headers=agent_key).json["tasks"]
        assert (task["kind"], task["state"], task["assignee"]["id"]) == (
            "upsell_callback",
            "open",
            people["cpt"].id,
        )
        url = f"/api/v1/tasks/{task['id']}"
        for body in ({"by": people["colleague"].id}, {"by": people["ae_manager"].id}, {}):
            refused = client.post(f"{url}/done", json=body, headers=agent_key)
            assert refused.status_code == 403, body
        bad = client.post(f"{url}/done", json={"by": 0, "note": 5}, headers=agent_key)
        assert bad.status_code == 422
        assert {f["path"] for f in bad.json["error"]["fields"]} == {"by", "note"}
        done = client.post(
            f"{url}/done", json={"by": people["cpt"].id, "note": "called back"}, headers=agent_key
        )
        assert done.status_code == 200 and done.json["state"] == "done"
        again = client.post(f"{url}/cancel", json={}, headers=key_headers(workspace, "manager"))
        assert again.status_code == 409
    closed = _fresh(task["id"])
    assert closed.state == TaskState.DONE and closed.details["note"] == "called back"
    assert db.session.scalar(
        select(AuditEvent.actor_id).where(AuditEvent.action == "task.done")
    ) == (people["cpt"].id)
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert {"/api/v1/tasks/{task_id}/done", "/api/v1/tasks/{task_id}/cancel"} <= set(paths)
    assert "/api/v1/leads/{lead_id}/tasks" in paths


def test_l411_8_a_manager_key_cancels_the_ret_ticket_and_a_ret_member_may_close_it(client, l411):
    """L411-8, issue 9 item 2: the ticket for RET stays open after the outcome that closes the
    lead; a member of RET may close it, a CPT agent may not."""
    workspace, account, people = l411
    with time_machine.travel(OPEN, tick=False):
        lead = _deliver_api(client, workspace, account, people["cpt"], 1)
        outcomes.record_outcome(lead, "yes_requested_to_cancel", actor=people["cpt"])
    (ticket,) = _open_tasks("ticket")
    assert _fresh(_first("upsell_callback").id).state == TaskState.DONE
    headers = key_headers(workspace)
    url = f"/api/v1/tasks/{ticket.id}/done"
    assert client.post(url, json={"by": people["cpt"].id}, headers=headers).status_code == 403
    assert client.post(url, json={"by": people["ret"].id}, headers=headers).status_code == 200
    assert _fresh(ticket.id).state == TaskState.DONE


def _first(kind: str) -> Task:
    db.session.expire_all()
    return db.session.scalar(select(Task).where(Task.kind == kind).order_by(Task.id))


# --- Closed by the outcome it asks for, and by the lead's end ----------------------------------


def test_l411_10_the_outcome_closes_the_callback_it_answers_and_the_next_day_callback_too(
    client, l411
):
    """L411-3, L411-10, issue 9 item 2: "Did not answer" closes the overdue callback (done) and
    makes the next-day callback; the outcome recorded on that call closes it in turn."""
    workspace, account, people = l411
    cpt = people["cpt"]
    with time_machine.travel(OPEN, tick=False):
        lead = _deliver_api(client, workspace, account, cpt, 1)
    timer = db.session.scalar(select(Deadline).where(Deadline.kind == "cpt_callback"))
    with time_machine.travel(timer.due_at + timedelta(minutes=5), tick=False):
        runtime.perform("deadline.fire", timer.id)
        outcomes.record_outcome(lead, "no_did_not_answer", actor=cpt)
    assert _first("upsell_callback").state == TaskState.DONE
    (next_day,) = _open_tasks()
    assert next_day.kind == "callback" and next_day.due_at > OPEN + timedelta(hours=12)
    with time_machine.travel(next_day.due_at + timedelta(minutes=1), tick=False):
        outcomes.record_outcome(db.session.get(Lead, lead.id), "yes_not_interested", actor=cpt)
    assert _open_tasks() == []
    assert _fresh(next_day.id).state == TaskState.DONE


def test_l411_6_a_closing_status_cancels_the_open_callback_and_keeps_the_chase_it_makes(
    client, l411
):
    """L411-6, issue 9 item 2: the lead's terminal status cancels its open tasks (411's
    tasks.on_lead_closed: cancel) but not the same-day chase its outcome creates."""
    workspace, account, people = l411
    cpt = people["cpt"]
    with time_machine.travel(OPEN, tick=False):
        lead = _deliver_api(client, workspace, account, cpt, 1)
        outcomes.record_outcome(
            lead, "yes_transferred_to_ae", actor=cpt, true_facts={"requested_callback"}
        )
        (chase,) = _open_tasks("callback")
        assert chase.assignee_id == cpt.id and chase.lead_id == lead.id
        outcomes.change_status(db.session.get(Lead, lead.id), "lost", actor=cpt)
    assert _fresh(chase.id).state == TaskState.CANCELLED
    assert _fresh(chase.id).details["closed"] == "lead lost"


@pytest.mark.parametrize(("choice", "state"), [("keep", TaskState.OPEN), ("done", TaskState.DONE)])
def test_l411_3_what_a_closed_lead_does_to_its_tasks_is_the_policys(client, l411, choice, state):
    """L411-3, issue 9 item 2: tasks.on_lead_closed keeps or completes the open tasks instead."""
    workspace, account, people = l411
    document = load_profile("locals411_cpt_ae")
    document["tasks"] = {"on_lead_closed": choice}
    policies.save_version(workspace, document, author=None, comment="tasks", activate=True)
    with time_machine.travel(OPEN, tick=False):
        lead = _deliver_api(client, workspace, account, people["cpt"], 1)
        outcomes.change_status(lead, "closed", actor=None, reason="by hand")
    assert _first("upsell_callback").state == state


# --- Item 6: one open callback per account and agent ------------------------------------------


def test_l411_3_four_deliveries_make_one_open_callback_listing_each(client, l411, login):
    """L411-3, issue 9 item 6: four deliveries to one account by one agent make one open
    callback, due 15 minutes after the first and listing all four; the queue shows it once,
    "due in", with the four customers. The outcome on any of them closes it and the other
    deliveries' callback clocks."""
    workspace, account, people = l411
    cpt = people["cpt"]
    headers = key_headers(workspace)
    delivered = []
    for n in range(1, 5):
        with time_machine.travel(OPEN + timedelta(minutes=n), tick=False):
            delivered.append(_deliver_api(client, workspace, account, cpt, n, headers=headers))
    # Another agent's delivery to the same account has its own callback.
    with time_machine.travel(OPEN + timedelta(minutes=5), tick=False):
        _deliver_api(client, workspace, account, people["colleague"], 5, headers=headers)
    mine = [t for t in _open_tasks("upsell_callback") if t.assignee_id == cpt.id]
    assert len(mine) == 1 and len(_open_tasks("upsell_callback")) == 2
    (task,) = mine
    assert task.due_at == OPEN + timedelta(minutes=16)
    assert [d["lead_id"] for d in task.details["deliveries"]] == [lead.id for lead in delivered]

    with time_machine.travel(OPEN + timedelta(minutes=5), tick=False):
        login(cpt)
        page = _queue(client)
        assert page.count('data-task-kind="upsell_callback"') == 1
        assert "4 deliveries to this account:" in page
        assert all(f"Customer {n}" in page for n in range(1, 5))
        assert "due in 11m" in page and not OVERDUE.search(page)
        listed = client.get(f"/api/v1/leads/{delivered[2].id}/tasks", headers=headers).json
        assert [t["id"] for t in listed["tasks"]] == [task.id]
        assert len(listed["tasks"][0]["deliveries"]) == 4

        response = client.post(
            f"/api/v1/leads/{delivered[2].id}/activities",
            json={"channel": "call", "outcome": "yes_not_interested"},
            headers=headers,
        )
        assert response.status_code == 200, response.json
    assert _fresh(task.id).state == TaskState.DONE
    pending = db.session.scalars(
        select(Deadline.lead_id).where(
            Deadline.kind == "cpt_callback", Deadline.state == DeadlineState.PENDING
        )
    ).all()
    assert pending == [
        db.session.scalar(select(Task.lead_id).where(Task.assignee_id == people["colleague"].id))
    ]


def test_l411_3_with_while_open_add_each_delivery_makes_its_own_callback(client, l411):
    """L411-3, issue 9 item 6: the policy may keep one callback per delivery instead."""
    workspace, account, people = l411
    document = load_profile("locals411_cpt_ae")
    document["timers"][0]["actions"][0]["while_open"] = "add"
    policies.save_version(workspace, document, author=None, comment="add", activate=True)
    headers = key_headers(workspace)
    with time_machine.travel(OPEN, tick=False):
        for n in range(1, 5):
            _deliver_api(client, workspace, account, people["cpt"], n, headers=headers)
    assert len(_open_tasks("upsell_callback")) == 4


def test_l411_3_a_callback_made_before_tasks_knew_what_closes_them_is_closed_by_the_outcome(
    client, l411
):
    """L411-3, issue 9 item 2: a timer's task stored without `closed_by` (made by an earlier
    version at the timer's fire) is still closed by the outcome its timer waits for."""
    workspace, account, people = l411
    with time_machine.travel(OPEN, tick=False):
        lead = _deliver_api(client, workspace, account, people["cpt"], 1)
        (task,) = _open_tasks()
        task.details = {"script": "upsell_offer", "timer": "cpt_callback"}
        db.session.commit()
        outcomes.record_outcome(lead, "no_not_qualified", actor=people["cpt"])
    assert _fresh(task.id).state == TaskState.DONE
