"""The agent's queue: my open leads and tasks by urgency, live by a cheap poll (issue 4)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import event, select

from tenants.profiles import load_profile
from webapp.clock import now
from webapp.extensions import db
from webapp.live_versions import QUEUES, TEAM
from webapp.models import Deadline, Lead, Role, Task
from webapp.operations import assignment, deadlines, recurring, workspaces


@pytest.fixture
def shop(make_workspace):
    return make_workspace(slug="shop")


def _queue(client, **args):
    return client.get("/w/shop/queue/", query_string=args, headers={"HX-Request": "true"})


def _version(page: str) -> str:
    return page.split('data-version="', 1)[1].split('"', 1)[0]


def _names_in_order(page: str, names: list[str]) -> list[str]:
    return sorted(names, key=page.index)


def test_my_queue_lists_my_open_leads_most_urgent_deadline_first(client, shop, login_as, make_lead):
    me = login_as(Role.AGENT, shop)
    later = make_lead(shop, contact_name="Later Larry", owner=me)
    sooner = make_lead(shop, contact_name="Sooner Sam", owner=me)
    no_clock = make_lead(shop, contact_name="Whenever Wanda", owner=me)
    make_lead(shop, contact_name="Closed Carl", owner=me, status="won")
    make_lead(shop, contact_name="Nobody's Nina")
    deadlines.schedule(shop.id, "sla", now() + timedelta(hours=2), lead=later)
    deadlines.schedule(shop.id, "sla", now() + timedelta(minutes=5), lead=sooner)
    assert no_clock.id

    page = client.get("/w/shop/queue/").get_data(as_text=True)

    shown = ["Sooner Sam", "Later Larry", "Whenever Wanda"]
    assert all(name in page for name in shown)
    assert _names_in_order(page, shown) == shown
    assert "Closed Carl" not in page and "Nobody&#39;s Nina" not in page
    assert 'data-due="' in page


def test_next_lead_opens_the_most_urgent_lead(client, shop, login_as, make_lead):
    me = login_as(Role.AGENT, shop)
    make_lead(shop, contact_name="Relaxed", owner=me)
    urgent = make_lead(shop, contact_name="Urgent", owner=me)
    deadlines.schedule(shop.id, "sla", now() + timedelta(minutes=1), lead=urgent)

    response = client.get("/w/shop/queue/next")

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/w/shop/leads/{urgent.id}")


def test_poll_is_204_while_nothing_changed_and_the_list_after_an_assignment(
    client, shop, login_as, make_member, make_lead
):
    me = login_as(Role.AGENT, shop)
    manager = make_member(shop, Role.MANAGER)
    version = _version(_queue(client).get_data(as_text=True))

    unchanged = _queue(client, v=version)
    assert unchanged.status_code == 204 and unchanged.get_data() == b""

    lead = make_lead(shop, contact_name="Fresh Fiona")
    assignment.reassign(lead, me, actor=manager)
    changed = _queue(client, v=version)

    assert changed.status_code == 200
    assert "Fresh Fiona" in changed.get_data(as_text=True)
    assert _version(changed.get_data(as_text=True)) != version


def test_the_poll_fragment_keeps_the_filters_it_was_asked_with(client, shop, login_as, make_lead):
    me = login_as(Role.AGENT, shop)
    make_lead(shop, contact_name="Alpha Adams", owner=me, rating="AAA")
    make_lead(shop, contact_name="Beta Brown", owner=me, rating="B")

    page = _queue(client, q="alpha").get_data(as_text=True)

    assert "Alpha Adams" in page and "Beta Brown" not in page
    assert "q=alpha" in page.split('hx-get="', 1)[1].split('"', 1)[0]
    rated = _queue(client, rating="B").get_data(as_text=True)
    assert "Beta Brown" in rated and "Alpha Adams" not in rated


def test_bumping_after_commit_moves_only_the_queues_it_names(app, shop, make_member):
    agent, other = make_member(shop), make_member(shop)
    before = QUEUES.current(shop.id, other.id)
    QUEUES.bump(shop.id, agent.id)
    assert QUEUES.current(shop.id, agent.id) == 1
    assert QUEUES.current(shop.id, other.id) == before
    assert QUEUES.current(shop.id, TEAM) == 1


def test_l411_2_hot_account_lead_type_and_callback_script_show_in_the_queue(
    client, make_workspace, login_as, make_lead
):
    from webapp.operations import accounts

    workspace = make_workspace(slug="shop", policy_document=load_profile("locals411_cpt_ae"))
    me = login_as(Role.AGENT, workspace)
    account, _ = accounts.upsert_account(
        workspace, "BO-9", name="Harbor", flags=["hot"], actor=None
    )
    lead = make_lead(
        workspace,
        contact_name="Hot Harry",
        owner=me,
        account_id=account.id,
        lead_type="ae_referral",
    )
    make_lead(workspace, contact_name="Cold Colin", owner=me)
    db.session.add(
        Task(
            workspace_id=workspace.id,
            lead_id=lead.id,
            kind="upsell_callback",
            title="upsell_callback",
            due_at=now() + timedelta(minutes=15),
            assignee_id=me.id,
            details={"script": "upsell_offer"},
        )
    )
    db.session.commit()

    page = client.get("/w/shop/queue/").get_data(as_text=True)
    assert "HOT" in page and "AE referral" in page
    assert "Our business development manager would like to discuss" in page  # L411-3

    hot_only = _queue(client, hot="1").get_data(as_text=True)
    assert "Hot Harry" in hot_only and "Cold Colin" not in hot_only


def test_ccima_12_rating_badge_and_filter(client, make_workspace, login_as, make_lead):
    workspace = make_workspace(slug="shop", policy_document=load_profile("ccima_contact_center"))
    me = login_as(Role.AGENT, workspace)
    make_lead(workspace, contact_name="Triple A", owner=me, rating="AAA")

    page = client.get("/w/shop/queue/", headers={"Accept-Language": "en"}).get_data(as_text=True)

    assert '<span class="badge rating"' in page and ">AAA<" in page


def test_bdc_5_the_round_in_progress_shows_for_a_cadence_policy(
    client, make_workspace, login_as, make_lead
):
    workspace = make_workspace(
        slug="shop", time_zone="America/Toronto", policy_document=load_profile("dealer_bdc")
    )
    # A Tuesday in Toronto: rounds at 09:00 and 13:00 were handed out by 15:00.
    tuesday = now().replace(year=2026, month=11, day=17, hour=13, minute=0, second=0)
    with time_machine.travel(tuesday, tick=False):  # 08:00 in Toronto
        me = login_as(Role.AGENT, workspace)
        make_lead(workspace, contact_name="Round Robin", owner=me)
        recurring.ensure_scheduled(workspace)
    for hour in (14, 18):  # 09:00 and 13:00 in Toronto
        with time_machine.travel(tuesday.replace(hour=hour, second=1), tick=False):
            (clock,) = db.session.scalars(
                select(Deadline).where(
                    Deadline.kind == "cadence.rounds", Deadline.state == "pending"
                )
            )
            assert deadlines.fire(clock.id)
    with time_machine.travel(tuesday.replace(hour=20), tick=False):
        page = client.get("/w/shop/queue/").get_data(as_text=True)
    # The round in progress only: round 1 was superseded, not piled up.
    assert 'data-round="2"' in page and 'data-round="1"' not in page


@pytest.fixture
def team_shop(shop, make_member):
    team = workspaces.create_team(shop, "Closers", actor=None, code="closers")
    people = {
        "manager": make_member(shop, Role.MANAGER),
        "ann": make_member(shop, Role.AGENT, name="Ann Agent"),
        "bob": make_member(shop, Role.AGENT, name="Bob Agent"),
    }
    for user in people.values():
        user.memberships[0].team_id = team.id
    db.session.commit()
    return team, people


def _signed_in(app, user):
    client = app.test_client()
    response = client.post(
        "/login", data={"email": user.email, "password": "correct horse battery"}
    )
    assert response.status_code == 302
    return client


def test_of_two_agents_claiming_one_lead_exactly_one_wins(app, shop, team_shop, make_lead, login):
    _team, people = team_shop
    lead = make_lead(shop, contact_name="Contested Carla")
    clients = {name: _signed_in(app, people[name]) for name in ("ann", "bob")}

    url = f"/w/shop/queue/leads/{lead.id}/claim"
    first = clients["ann"].post(url, headers={"HX-Request": "true"})
    second = clients["bob"].post(url, headers={"HX-Request": "true"})

    assert first.status_code == 200
    assert second.status_code == 409
    assert "Someone else has just taken this lead." in second.get_data(as_text=True)
    assert db.session.scalar(select(Lead.owner_id).where(Lead.id == lead.id)) == people["ann"].id


def test_a_manager_reassigns_a_team_lead_and_an_agent_may_not(app, shop, team_shop, make_lead):
    _team, people = team_shop
    lead = make_lead(shop, contact_name="Moving Mona", owner=people["ann"])
    url = f"/w/shop/queue/leads/{lead.id}/reassign"

    agent = _signed_in(app, people["bob"])
    assert agent.post(url, data={"to": people["bob"].id}).status_code == 403

    client = _signed_in(app, people["manager"])
    team_page = client.get("/w/shop/queue/?scope=team").get_data(as_text=True)
    assert "Moving Mona" in team_page and "Reassign" in team_page
    response = client.post(url, data={"to": people["bob"].id}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert "Bob Agent" in response.get_data(as_text=True)
    assert db.session.scalar(select(Lead.owner_id).where(Lead.id == lead.id)) == people["bob"].id


def test_reassigning_to_nobody_says_so_beside_the_select(client, shop, team_shop, make_lead, login):
    _team, people = team_shop
    lead = make_lead(shop, contact_name="Stay Put", owner=people["ann"])
    login(people["manager"])

    response = client.post(
        f"/w/shop/queue/leads/{lead.id}/reassign", data={"to": ""}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 422
    assert "Choose who takes the lead." in response.get_data(as_text=True)


def _statements_per_render(client, app) -> int:
    count = 0

    def counter(*_args, **_kwargs):
        nonlocal count
        count += 1

    engine = db.engine
    event.listen(engine, "before_cursor_execute", counter)
    try:
        assert _queue(client).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", counter)
    return count


def test_the_queue_costs_the_same_number_of_queries_for_3_or_30_leads(
    app, client, shop, team_shop, make_lead, login
):
    _team, people = team_shop
    me = people["ann"]
    login(me)

    def fill(n: int) -> None:
        for i in range(n):
            lead = make_lead(shop, contact_name=f"Load {i}", owner=me, rating="A")
            deadlines.schedule(shop.id, "sla", now() + timedelta(minutes=i + 1), lead=lead)
            db.session.add(
                Task(
                    workspace_id=shop.id,
                    lead_id=lead.id,
                    kind="callback",
                    title="callback",
                    due_at=now() + timedelta(hours=1),
                    assignee_id=me.id,
                )
            )
        db.session.commit()

    fill(3)
    with_three = _statements_per_render(client, app)
    fill(27)
    with_thirty = _statements_per_render(client, app)

    assert with_three == with_thirty
    # user, membership, policy version, leads with a deadline, leads without, their clocks,
    # tasks, and the version the poll compares
    assert with_thirty <= 8, with_thirty
