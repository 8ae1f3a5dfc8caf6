"""Who may receive a source's leads, and which timers are the holder's (issue 9 items 1, 6)."""

from datetime import UTC, datetime, timedelta

from tenants import load_policy
from tenants.decisions import (
    Receivers,
    deadlines_on_owner_change,
    ownership_timers,
    receivers_for,
)
from tenants.profiles import load_profile, load_profile_policy

NOW = datetime(2026, 11, 18, 18, 0, tzinfo=UTC)


def test_l411_a_sources_receivers_fall_back_to_the_workspaces_list_by_list():
    """L411-1, issue 9 item 6: `by_source` names roles and teams per source; each list it
    leaves out is the workspace's."""
    document = load_profile("locals411_cpt_ae")
    document["intake"]["sources"].append({"code": "web", "labels": {"en": "Web"}})
    document["assignment"]["receiving_teams"] = []
    document["assignment"]["by_source"] = {
        "cpt_call": {"receiving_teams": ["cpt"]},
        "web": {"receiving_roles": ["agent", "manager"]},
    }
    policy = load_policy(document)
    assert receivers_for(policy, "cpt_call") == Receivers(("agent",), ("cpt",))
    assert receivers_for(policy, "web") == Receivers(("agent", "manager"), ())
    assert receivers_for(policy, None) == Receivers(("agent",), ())
    assert receivers_for(load_profile_policy("ccima_contact_center"), "digital_marketing") == (
        Receivers(("agent",), ("contact_center",))
    )


def test_ccima_6_the_holders_timers_are_those_of_lead_assigned_unless_the_policy_says():
    """CCIMA-6, issue 9 item 1: timers started by lead.assigned / lead.allocated follow the
    owner; `follows_owner` turns that off, or on for a timer of another event, which then
    restarts in full for the new holder if it was running."""
    document = load_profile("ccima_contact_center")
    document["timers"] += [
        {
            "name": "lead_level",
            "starts_on": "lead.assigned",
            "follows_owner": False,
            "duration": "2h",
            "clock": "wall",
            "actions": [{"kind": "flag_breach"}],
        },
        {
            "name": "qualify",
            "starts_on": "lead.created",
            "follows_owner": True,
            "duration": "3h",
            "clock": "wall",
            "actions": [{"kind": "flag_breach"}],
        },
    ]
    policy = load_policy(document)
    assert ownership_timers(policy) == {"contact_sla", "qualify"}
    assert ownership_timers(load_profile_policy("cpb_partner_leads")) == {
        "partner_review",
        "partner_follow_up",
        "feedback_window",
    }
    started = deadlines_on_owner_change(policy, {"qualify"}, {"lead.assigned"}, NOW)
    assert {s.kind: s.due_at - NOW for s in started if s.kind != "contact_sla"} == {
        "lead_level": timedelta(hours=2),  # skipped by the caller while it runs
        "qualify": timedelta(hours=3),
    }
    assert "qualify" not in {
        s.kind for s in deadlines_on_owner_change(policy, set(), {"lead.assigned"}, NOW)
    }
