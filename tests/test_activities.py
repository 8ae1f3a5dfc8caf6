"""Logging contact with a lead: evidence that stops the clocks it satisfies (CCIMA-6)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tenants.profiles import load_profile
from webapp.clock import now
from webapp.errors import UserError
from webapp.extensions import db
from webapp.models import Deadline, DeadlineState, Role
from webapp.operations.activities import log_activity


@pytest.fixture
def ccima(make_workspace):
    return make_workspace(
        time_zone="America/Mexico_City",
        country="MX",
        policy_document=load_profile("ccima_contact_center"),
    )


def _sla(lead) -> Deadline:
    db.session.expire_all()
    return db.session.scalar(select(Deadline).where(Deadline.lead_id == lead.id))


def test_ccima_6_a_logged_call_before_the_sla_cancels_it(ccima, make_member, make_lead):
    advisor = make_member(ccima, Role.AGENT)
    lead = make_lead(ccima, owner=advisor, phone="55 1234 5678")
    due = _sla(lead).due_at
    log_activity(lead, "call", actor=advisor, occurred_at=due - timedelta(minutes=1))
    assert _sla(lead).state == DeadlineState.CANCELLED


def test_ccima_6_a_call_after_the_sla_ran_out_does_not_cancel_the_breach(
    ccima, make_member, make_lead
):
    advisor = make_member(ccima, Role.AGENT)
    lead = make_lead(ccima, owner=advisor, phone="55 1234 5678")
    due = _sla(lead).due_at
    log_activity(lead, "call", actor=advisor, occurred_at=due + timedelta(minutes=1))
    assert _sla(lead).state == DeadlineState.PENDING  # the sweep fires it as missed


def test_an_internal_note_is_not_evidence_of_contact(ccima, make_member, make_lead):
    advisor = make_member(ccima, Role.AGENT)
    lead = make_lead(ccima, owner=advisor, phone="55 1234 5678")
    log_activity(lead, "note", actor=advisor, note="will call later", occurred_at=now())
    assert _sla(lead).state == DeadlineState.PENDING


def test_unknown_channel_is_refused_naming_the_allowed_ones(ccima, make_lead):
    lead = make_lead(ccima, phone="55 1234 5678")
    with pytest.raises(UserError) as refused:
        log_activity(lead, "pigeon", actor=None)
    assert refused.value.field == "channel" and "call" in str(refused.value)
