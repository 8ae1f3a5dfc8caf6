"""Words for the fixed values of the policy (its Literal types) and for the events timers and
notifications name, in the language of the request.

tests/test_policy_metadata.py fails when a value the model allows has no word here.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

# A value of a Literal of the policy model -> its words. Keyed by value: where one value
# occurs in several fields (email, agent, team) it means the same thing in each.
VALUE_WORDS = {
    # strategies
    "round_robin": _l("in turn (round robin)"),
    "weighted": _l("by weight"),
    "least_loaded": _l("to the least loaded"),
    "top_performer": _l("to one of the best performers"),
    "partner_allocation": _l("by partner allocation rules"),
    "manual": _l("by hand"),
    "existing_file_manager": _l("to the manager already on the customer's file"),
    # eligibility
    "authorised": _l("authorised"),
    "roster_confirmed": _l("confirmed on the roster"),
    "inside_hours": _l("inside business hours"),
    "capacity": _l("below their open-lead limit"),
    "available": _l("available"),
    # clocks
    "business": _l("business time"),
    "wall": _l("wall-clock time"),
    # timer actions
    "reassign": _l("Reassign"),
    "reallocate": _l("Reallocate to another organisation"),
    "notify": _l("Notify"),
    "create_task": _l("Create a task"),
    "set_status": _l("Set the status"),
    "flag_breach": _l("Record an SLA breach"),
    # outcome effects
    "cooldown": _l("Cooldown"),
    "transfer": _l("Transfer"),
    "create_ticket": _l("Create a ticket"),
    "schedule_callback": _l("Schedule a callback"),
    "counts_as": _l("Counts as"),
    # cadences
    "daily_rounds": _l("Daily rounds"),
    "nurture": _l("Nurture"),
    # gate conditions
    "flag_set": _l("A flag is set"),
    "status_in": _l("A field has one of the values"),
    "open_card": _l("A card is open"),
    "cooldown_active": _l("A cooldown is running"),
    "amount_above": _l("An amount is above a threshold"),
    # duplicate rules and what becomes of the other lead
    "first_contact_keeps": _l("The first to make contact keeps the person"),
    "phone_up_wins": _l("A phone-up beats an e-mail lead"),
    "existing_owner_keeps": _l("The existing owner keeps the person"),
    "newest_wins": _l("The newest lead wins"),
    "join_existing": _l("A new request joins the existing file"),
    "merged": _l("merged"),
    "linked": _l("linked"),
    "invalid": _l("made invalid"),
    "phone": _l("Phone"),
    "email": _l("E-mail"),
    "external_id": _l("External ID"),
    "account": _l("Account"),
    # channels
    "in_app": _l("In the app"),
    "whatsapp": _l("WhatsApp"),
    "telegram": _l("Telegram"),
    "call": _l("Call"),
    "sms": _l("Text message"),
    "social": _l("Social"),
    "voicemail": _l("Voicemail"),
    "in_person": _l("In person"),
    # people
    "assignee": _l("the assigned agent"),
    "previous_assignee": _l("the previous agent"),
    "assignee_manager": _l("their manager"),
    "manager_assistant": _l("the manager's assistant"),
    "director": _l("the director"),
    "administrator": _l("the administrators"),
    "manager": _l("managers"),
    "agent": _l("agents"),
    "partner": _l("partners"),
    "team": _l("the team"),
    "exceptions_contact": _l("the exceptions contact"),
    "actor": _l("the person who acted"),
    # how often a scheduled report is sent
    "week": _l("every week"),
    "month": _l("every month"),
    # weekdays
    "mon": _l("Monday"),
    "tue": _l("Tuesday"),
    "wed": _l("Wednesday"),
    "thu": _l("Thursday"),
    "fri": _l("Friday"),
    "sat": _l("Saturday"),
    "sun": _l("Sunday"),
    # languages
    "en": _l("English"),
    "es": _l("Spanish"),
    "fr": _l("French"),
    "ru": _l("Russian"),
    # lead field kinds
    "text": _l("Text"),
    "number": _l("Number"),
    "date": _l("Date"),
    "datetime": _l("Date and time"),
    "yes_no": _l("Yes or no"),
    "select": _l("A choice from a list"),
    "organisation": _l("Partner organisation"),
    # account facts
    "flag": _l("Flag"),
    "field": _l("Field"),
    "amount": _l("Amount"),
    # counters
    "lead": _l("Lead"),
    "signup": _l("since signup"),
    "ever": _l("ever"),
    "window": _l("within a window"),
    # reporting counters and groups
    "offer": _l("an offer"),
    "missed": _l("a missed offer"),
    "behaviour_issue": _l("a behaviour issue"),
    "deal": _l("a deal"),
    "yes": _l("Yes"),
    "no": _l("No"),
    # callbacks, cooldowns
    "same_day": _l("the same day"),
    "next_day": _l("the next open day"),
    "after": _l("after a while"),
    "outcome": _l("from the outcome"),
    "card.closed": _l("from the closing of the card"),
    # partners, tasks, managers
    "partner_user": _l("a partner of the organisation"),
    "own_organisation": _l("their own organisation's leads"),
    "own": _l("only the leads they hold"),
    "all": _l("every organisation's leads"),
    "cancel": _l("cancel them"),
    "done": _l("mark them done"),
    "keep": _l("keep them open"),
    "add": _l("add another task"),
    "update": _l("list the lead on the open task"),
    "taker_books_and_tags_assistant": _l("the taker books and tags the assistant"),
    "fallback": _l("the fallback assigns"),
    "equal": _l("equal shares"),
}

# Events timers start on and are cancelled by, and that notifications follow.
EVENT_WORDS = {
    "lead.created": _l("a lead is created"),
    "lead.assigned": _l("a lead is assigned"),
    "lead.allocated": _l("a lead is allocated to a partner"),
    "lead.acknowledged": _l("the lead is acknowledged"),
    "lead.status": _l("the lead's status changes"),
    "activity.contact_logged": _l("a contact is logged"),
    "activity.call_logged": _l("a call is logged"),
    "outcome.recorded": _l("an outcome is recorded"),
    "deal.closed": _l("a deal is closed"),
    "roster.sent": _l("the roster is sent"),
    "roster.confirmed": _l("the roster is confirmed"),
    "duplicate.invalidated": _l("a duplicate is made invalid"),
    "account.delivery": _l("an account's delivery is recorded"),
    "reporting.cutoff_incomplete": _l("the weekly cut-off finds missing entries"),
    "assignment.manager_tagged": _l("a manager's assistant is tagged"),
    "feedback.created": _l("feedback is given"),
    "offer.exception_found": _l("an offer exception is found"),
    "deadline.fired": _l("a timer runs out"),
    "task.created": _l("a task is created"),
    "task.done": _l("a task is done"),
}


def value_words(value: object) -> str:
    """The words for a fixed value, else the value itself."""
    if isinstance(value, bool):
        return str(VALUE_WORDS["yes" if value else "no"])
    words = VALUE_WORDS.get(str(value))
    return str(words) if words is not None else str(value)


def event_words(event: str) -> str:
    """The words for an event (`lead.assigned` -> 'a lead is assigned'), else its name."""
    words = EVENT_WORDS.get(event)
    return str(words) if words is not None else event
