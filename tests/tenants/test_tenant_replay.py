"""Policy replay: the same recorded leads under two policies, and what would differ."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from tenants import load_policy
from tenants.profiles import load_profile, load_profile_policy
from tenants.replay import (
    AccountHistory,
    Contact,
    LeadHistory,
    ReplayDiff,
    compare,
    replay,
)

MX = ZoneInfo("America/Mexico_City")
# The events a logged activity raises (webapp.operations.activities.events_of).
CALL = frozenset({"activity.logged", "activity.contact_logged", "activity.call_logged"})
EMAIL = frozenset({"activity.logged", "activity.contact_logged", "activity.email_logged"})
NOTE = frozenset({"activity.logged"})
OUTCOME = CALL | {"outcome.recorded"}
MONDAY_9 = datetime(2024, 5, 6, 9, 0, tzinfo=MX).astimezone(UTC)
AS_OF = MONDAY_9 + timedelta(days=2)


def _with(profile: str, change) -> object:
    document = load_profile(profile)
    change(document)
    return load_policy(document)


def _ccima_sla(minutes: int):
    def change(document):
        next(t for t in document["timers"] if t["name"] == "contact_sla")["duration"] = (
            f"{minutes}m"
        )

    return _with("ccima_contact_center", change)


def _lead(lead_id: str, minutes_to_contact: int | None, **fields) -> LeadHistory:
    contacts = ()
    if minutes_to_contact is not None:
        contacts = (Contact(MONDAY_9 + timedelta(minutes=minutes_to_contact), CALL),)
    fields.setdefault("owner_id", "ana")
    return LeadHistory(lead_id, fields.pop("created_at", MONDAY_9), contacts=contacts, **fields)


def _diff(before_policy, after_policy, histories, accounts=None, as_of=AS_OF) -> ReplayDiff:
    before = replay(before_policy, histories, as_of, accounts)
    after = replay(after_policy, histories, as_of, accounts)
    return compare(before, after)


def test_ccima_6_sla_10m_to_15m_turns_a_contact_at_minute_12_from_breached_into_met():
    diff = _diff(_ccima_sla(10), _ccima_sla(15), [_lead("l1", 12)])
    (lead,) = diff.leads
    changes = {c.kind: c for c in lead.changes}
    assert changes["deadline_moved"].subject == "contact_sla"
    assert changes["deadline_moved"].before == (MONDAY_9 + timedelta(minutes=10)).isoformat()
    assert changes["deadline_moved"].after == (MONDAY_9 + timedelta(minutes=15)).isoformat()
    assert (changes["breach_avoided"].before, changes["breach_avoided"].after) == (
        "breached",
        "met",
    )
    # The breach would have reassigned the lead to a top performer; the draft keeps it.
    assert (changes["reassignment"].before, changes["reassignment"].after) == (True, False)
    assert diff.counts == {"breach_avoided": 1, "deadline_moved": 1, "reassignment": 1}


def test_ccima_6_a_lead_contacted_in_time_under_both_only_moves_its_due_time():
    diff = _diff(_ccima_sla(10), _ccima_sla(15), [_lead("l1", 5), _lead("l2", None)])
    assert diff.leads_replayed == 2
    assert diff.counts == {"deadline_moved": 2}


def test_ccima_6_a_deadline_not_yet_due_is_pending_not_breached():
    soon = MONDAY_9 + timedelta(minutes=12)
    (outcome,) = replay(_ccima_sla(10), [_lead("l1", None)], soon)
    assert outcome.deadlines[0].state == "breached"
    (outcome,) = replay(_ccima_sla(15), [_lead("l1", None)], soon)
    assert outcome.deadlines[0].state == "pending" and not outcome.reassigned


def test_ccima_6_unassigned_lead_starts_no_contact_sla():
    (outcome,) = replay(_ccima_sla(10), [_lead("l1", None, owner_id=None)], AS_OF)
    assert outcome.deadlines == ()


def test_l411_3_callback_is_met_only_by_a_recorded_outcome_not_any_activity():
    policy = load_profile_policy("locals411_cpt_ae")
    account = AccountHistory("acc", MONDAY_9 - timedelta(days=30), (MONDAY_9,))
    email = LeadHistory("l1", MONDAY_9, account_id="acc", contacts=(Contact(MONDAY_9, EMAIL),))
    called = LeadHistory(
        "l2",
        MONDAY_9,
        account_id="acc",
        contacts=(Contact(MONDAY_9 + timedelta(minutes=9), OUTCOME),),
    )
    outcomes = replay(policy, [email, called], AS_OF, {"acc": account})
    states = {o.lead_id: [(d.kind, d.state) for d in o.deadlines] for o in outcomes}
    assert states == {"l1": [("cpt_callback", "breached")], "l2": [("cpt_callback", "met")]}


def _hot_threshold(n: int):
    def change(document):
        document["counters"][0]["threshold"] = n

    return _with("locals411_cpt_ae", change)


def test_l411_2_hot_threshold_4_to_3_flags_the_third_delivery_since_sign_up():
    signup = MONDAY_9 - timedelta(days=10)
    times = (signup - timedelta(days=1), MONDAY_9, MONDAY_9 + timedelta(hours=1))
    times += (MONDAY_9 + timedelta(hours=2),)
    account = AccountHistory("acc", signup, times)
    # The delivery before sign-up does not count (L411-2): deliveries 2..4 are the 1st..3rd.
    leads = [
        LeadHistory(f"l{i}", at, account_id="acc", context=i == 0) for i, at in enumerate(times)
    ]
    diff = _diff(_hot_threshold(4), _hot_threshold(3), leads, {"acc": account})
    (lead,) = diff.leads
    assert lead.lead_id == "l3"
    assert [(c.kind, c.subject, c.before, c.after) for c in lead.changes] == [
        ("flag", "hot", False, True)
    ]
    assert diff.leads_replayed == 3  # the context lead is not reported


def _lost_after(days: int):
    def change(document):
        document["cadences"][0]["lost_after"] = f"{days}d"

    return _with("dealer_bdc", change)


def test_bdc_6_lost_after_7_to_10_days_keeps_a_lead_last_reached_8_days_ago():
    created = AS_OF - timedelta(days=9)
    lead = LeadHistory(
        "l1", created, contacts=(Contact(AS_OF - timedelta(days=8), CALL),), source="email"
    )
    diff = _diff(_lost_after(7), _lost_after(10), [lead])
    (change,) = diff.leads[0].changes
    assert (change.kind, change.before, change.after) == ("lost", "lost_bdc", None)


def _precedence(rules):
    def change(document):
        document["duplicates"]["precedence"] = rules

    return _with("dealer_bdc", change)


def test_bdc_2_phone_up_invalidates_the_email_lead_and_a_draft_without_it_keeps_it():
    email = LeadHistory("l1", MONDAY_9, "email", owner_id="ana", keys={"phone": "514 555 0199"})
    phone_up = LeadHistory(
        "l2",
        MONDAY_9 + timedelta(hours=1),
        "phone_up",
        owner_id="bob",
        keys={"phone": "(514) 555-0199"},
    )
    bdc = load_profile_policy("dealer_bdc")
    draft = _precedence([{"rule": "existing_owner_keeps", "loser": "linked"}])
    diff = _diff(bdc, draft, [email, phone_up])
    fates = {lead.lead_id: (lead.changes[0].before, lead.changes[0].after) for lead in diff.leads}
    assert fates == {"l1": ("invalid", None), "l2": (None, "linked")}
    assert diff.counts == {"duplicate": 2}


def test_ccima_11_earlier_context_lead_with_first_contact_keeps_the_person():
    earlier = LeadHistory(
        "old",
        MONDAY_9 - timedelta(days=30),
        keys={"phone": "55 1234 5678"},
        contacts=(Contact(MONDAY_9 - timedelta(days=29), CALL),),
        context=True,
    )
    new = _lead("new", 3, keys={"phone": "+52 55 1234 5678"})
    (outcome,) = replay(load_profile_policy("ccima_contact_center"), [earlier, new], AS_OF)
    assert outcome.lead_id == "new" and outcome.duplicate_fate == "merged"


def test_progress_is_reported_every_n_leads_and_at_the_end():
    seen = []
    leads = [_lead(f"l{i}", 5) for i in range(5)]
    replay(
        _ccima_sla(10), leads, AS_OF, on_progress=lambda d, t: seen.append((d, t)), progress_every=2
    )
    assert seen == [(2, 5), (4, 5), (5, 5)]


def test_diff_survives_a_json_round_trip():
    diff = _diff(_ccima_sla(10), _ccima_sla(15), [_lead("l1", 12)])
    assert ReplayDiff.from_json(diff.to_json()) == diff


def test_ccima_6_an_internal_note_is_not_evidence_of_contact():
    note = LeadHistory("l1", MONDAY_9, owner_id="ana", contacts=(Contact(MONDAY_9, NOTE),))
    (outcome,) = replay(_ccima_sla(10), [note], AS_OF)
    assert outcome.deadlines[0].state == "breached" and outcome.reassigned
