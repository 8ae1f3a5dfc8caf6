"""The member fields the policy engine reads (issue 12 item 2): away until (BDC-4), a
member's own capacity, a deactivated member, and the person's own Telegram chat."""

from __future__ import annotations

import json
from datetime import timedelta

import time_machine

from tenants.profiles import load_profile
from tests.test_notification_delivery import _channel, _queue, _work
from webapp.clock import now
from webapp.extensions import db
from webapp.models import Role
from webapp.operations import assignment, members, policies
from webapp.operations.intake import IntakeRequest, receive_lead


def _policy(*eligibility: dict) -> dict:
    document = load_profile("blank")
    document["assignment"] = {"receiving_roles": ["agent"], "eligibility": list(eligibility)}
    return document


def _owner(workspace) -> int | None:
    result = receive_lead(
        workspace,
        IntakeRequest(contact_name="Cliente", email=f"c{now().timestamp()}@x.test"),
        actor=None,
    )
    return result.lead.owner_id


def test_an_away_member_is_skipped_until_their_away_until_then_receives_again(
    make_workspace, make_member
):
    """BDC-4: away until a moment is unavailable until then."""
    workspace = make_workspace(policy_document=_policy({"kind": "available"}))
    away, other = make_member(workspace, Role.AGENT), make_member(workspace, Role.AGENT)
    members.update_member(
        members.member_of(workspace, away.id),
        {"away_until": now() + timedelta(hours=2)},
        actor=None,
    )
    owners = {_owner(workspace) for _ in range(3)}
    assert owners == {other.id}
    with time_machine.travel(now() + timedelta(hours=3)):
        owners = {_owner(workspace) for _ in range(3)}
    assert away.id in owners


def test_a_members_own_capacity_caps_them_where_the_capacity_filter_applies(
    make_workspace, make_member
):
    workspace = make_workspace(policy_document=_policy({"kind": "capacity", "max_open_leads": 50}))
    small, big = make_member(workspace, Role.AGENT), make_member(workspace, Role.AGENT)
    members.update_member(members.member_of(workspace, small.id), {"capacity": 1}, actor=None)
    owners = [_owner(workspace) for _ in range(4)]
    assert owners.count(small.id) == 1 and owners.count(big.id) == 3


def test_a_deactivated_member_is_no_candidate(make_workspace, make_member):
    workspace = make_workspace(policy_document=_policy())
    gone, staying = make_member(workspace, Role.AGENT), make_member(workspace, Role.AGENT)
    members.deactivate_member(members.member_of(workspace, gone.id), actor=None)
    policy_candidates = assignment.candidates(workspace, policies.active_policy(workspace), None)
    assert [c.agent_id for c in policy_candidates] == [str(staying.id)]


def test_telegram_goes_to_the_persons_own_chat_id(
    make_workspace, make_member, redis_conn, httpserver
):
    workspace = make_workspace()
    user = make_member(workspace, Role.AGENT)
    user.telegram_chat_id = "55501"
    db.session.commit()
    _channel(workspace, "telegram", httpserver.url_for(""), token="123:abc", chat_id="-100777")
    httpserver.expect_oneshot_request("/bot123:abc/sendMessage", method="POST").respond_with_json(
        {"ok": True}
    )
    _queue(workspace, user, "telegram")
    _work(redis_conn)
    ((call, _response),) = httpserver.log
    assert json.loads(call.data)["chat_id"] == "55501"
