"""Which code reads each field of the policy document (issue 11 item 8), checked by
tests/test_policy_readers.py: every field of `tenants.policy.fields.policy_fields()` is in
READERS (and each module named there mentions the field) or in PENDING, with the subject of
the open issue that will read it. A field that becomes read may stay in PENDING until that
issue moves it; a field in neither is a defect, and so is an entry naming no field.

Keys are `Model.field`; `Model.*` in PENDING stands for every field of that model.
`module:name`: the module reads the field through `name`, a property of the policy model.
`python -m tenants.policy` writes the list to docs/policy-settings.md.
"""

READERS: dict[str, tuple[str, ...]] = {
    "Policy.format_version": ("tenants/policy/migrations.py",),
    "Policy.name": ("webapp/policy/views.py",),
    "Policy.default_locale": ("webapp/policy/labels.py",),
    "Policy.calendar": (
        "tenants/calendar.py",
        "tenants/decisions/assignment.py",
    ),
    "Policy.intake": (
        "webapp/operations/intake.py",
        "webapp/operations/intake_checks.py",
    ),
    "Policy.duplicates": (
        "tenants/decisions/duplicates.py",
        "tenants/decisions/__init__.py",
    ),
    "Policy.assignment": (
        "tenants/decisions/assignment.py",
        "webapp/operations/assignment.py",
    ),
    "Policy.timers": (
        "tenants/decisions/timers.py",
        "webapp/operations/timer_actions.py",
    ),
    "Policy.outcomes": (
        "tenants/decisions/outcomes.py",
        "webapp/operations/outcome_checks.py",
    ),
    "Policy.gates": (
        "tenants/decisions/gates.py",
        "tenants/decisions/__init__.py",
    ),
    "Policy.account_facts": (
        "webapp/api/accounts.py",
        "webapp/api/presenters.py",
    ),
    "Policy.counters": (
        "tenants/decisions/counters.py",
        "tenants/decisions/__init__.py",
    ),
    "Policy.cadences": (
        "tenants/decisions/cadences.py",
        "webapp/operations/cadences.py",
    ),
    "Policy.answers": (
        "webapp/operations/offers.py",
        "tenants/decisions/campaigns.py",
    ),
    "Policy.roster": (
        "tenants/decisions/roster.py",
        "webapp/operations/roster.py",
    ),
    "Policy.reporting": (
        "tenants/decisions/reporting.py",
        "webapp/operations/reporting.py",
    ),
    "Policy.notifications": (
        "webapp/operations/events.py",
        "webapp/operations/notifications.py",
    ),
    "Policy.scripts": ("webapp/policy/labels.py",),
    "Policy.records": (
        "webapp/operations/opportunities.py",
        "webapp/operations/contact_attempts.py",
    ),
    "Policy.tasks": ("webapp/operations/tasks.py",),
    "CalendarSettings.time_zone": (
        "tenants/calendar.py",
        "webapp/operations/accounts.py",
    ),
    "CalendarSettings.business_hours": ("tenants/calendar.py",),
    "CalendarSettings.holidays": ("tenants/calendar.py",),
    "CalendarSettings.closed_dates": ("tenants/calendar.py",),
    "IntakeSettings.sources": (
        "webapp/operations/intake_checks.py",
        "webapp/operations/sources.py",
    ),
    "IntakeSettings.required_fields": (
        "webapp/operations/intake_checks.py",
        "webapp/leadwork/intake_fields.py",
    ),
    "IntakeSettings.rating_scale": (
        "webapp/operations/intake_checks.py",
        "tenants/decisions/reporting.py",
    ),
    "IntakeSettings.lead_types": (
        "webapp/operations/intake_checks.py",
        "webapp/leadwork/intake_fields.py",
    ),
    "IntakeSettings.fields": (
        "webapp/operations/intake_checks.py",
        "webapp/leadwork/intake_fields.py",
    ),
    "IntakeSettings.channels": (
        "webapp/operations/intake_checks.py",
        "tenants/decisions/cadences.py",
    ),
    "IntakeSettings.statuses": (
        "webapp/operations/events.py",
        "webapp/leadwork/forms.py",
    ),
    "IntakeSettings.partner_visibility": ("webapp/tenancy.py",),
    "DuplicateSettings.match_keys": (
        "tenants/decisions/duplicates.py",
        "tenants/replay.py",
    ),
    "DuplicateSettings.default_region": (
        "tenants/decisions/duplicates.py",
        "tenants/replay.py",
    ),
    "DuplicateSettings.precedence": ("tenants/decisions/duplicates.py",),
    "DuplicateSettings.invalid_status": (
        "tenants/decisions/duplicates.py",
        "webapp/api/presenters.py",
    ),
    "AssignmentSettings.strategy": (
        "tenants/decisions/assignment.py",
        "webapp/operations/assignment.py",
    ),
    "AssignmentSettings.eligibility": (
        "tenants/decisions/assignment.py",
        "webapp/operations/assignment.py",
    ),
    "AssignmentSettings.fallback": (
        "tenants/decisions/assignment.py",
        "webapp/operations/assignment.py",
    ),
    "AssignmentSettings.direct_to_agents": ("webapp/operations/intake.py",),
    "AssignmentSettings.receiving_roles": ("tenants/decisions/assignment.py",),
    "AssignmentSettings.receiving_teams": ("tenants/decisions/assignment.py",),
    "AssignmentSettings.by_source": ("tenants/decisions/assignment.py",),
    "Timer.name": (
        "tenants/decisions/timers.py",
        "webapp/operations/timer_actions.py",
    ),
    "Timer.starts_on": (
        "tenants/decisions/timers.py",
        "tenants/decisions/outcomes.py",
    ),
    "Timer.duration": (
        "tenants/decisions/timers.py",
        "tenants/decisions/outcomes.py",
    ),
    "Timer.clock": (
        "tenants/decisions/timers.py",
        "webapp/operations/accounts.py",
    ),
    "Timer.lead_types": (
        "tenants/decisions/timers.py",
        "tenants/decisions/cadences.py",
    ),
    "Timer.cancelled_by": (
        "tenants/decisions/timers.py",
        "tenants/replay.py",
    ),
    "Timer.reminders": (
        "tenants/decisions/timers.py",
        "webapp/operations/deadlines.py",
    ),
    "Timer.follows_owner": ("tenants/decisions/timers.py",),
    "Timer.actions": (
        "tenants/decisions/timers.py",
        "webapp/operations/timer_actions.py",
    ),
    "OutcomeSettings.exactly_one": ("webapp/operations/outcome_checks.py",),
    "OutcomeSettings.codes": (
        "tenants/decisions/outcomes.py",
        "tenants/decisions/cadences.py",
    ),
    "OutcomeSettings.contact_channels": (
        "webapp/policy/labels.py",
        "webapp/operations/activities.py",
    ),
    "Gate.name": (
        "tenants/decisions/gates.py",
        "tenants/decisions/answers.py",
    ),
    "Gate.when": (
        "tenants/decisions/gates.py",
        "tenants/decisions/assignment.py",
    ),
    "Gate.reason": ("webapp/policy/labels.py",),
    "Gate.passes": ("webapp/policy/labels.py",),
    "Gate.outcome": (
        "tenants/decisions/gates.py",
        "webapp/api/leads.py",
    ),
    "AccountFact.name": (
        "webapp/api/accounts.py",
        "webapp/api/presenters.py",
    ),
    "AccountFact.kind": (
        "webapp/api/accounts.py",
        "webapp/api/presenters.py",
    ),
    "AccountFact.values": ("webapp/api/accounts.py",),
    "Counter.name": (
        "tenants/decisions/counters.py",
        "tenants/decisions/answers.py",
    ),
    "Counter.event": (
        "tenants/decisions/counters.py",
        "tenants/decisions/roster.py",
    ),
    "Counter.scope": (
        "tenants/replay.py",
        "webapp/operations/accounts.py",
    ),
    "Counter.since": ("tenants/decisions/counters.py",),
    "Counter.window": (
        "tenants/decisions/counters.py",
        "webapp/operations/assignment.py",
    ),
    "Counter.threshold": (
        "tenants/decisions/counters.py",
        "tenants/decisions/gates.py",
    ),
    "Counter.flag": (
        "tenants/decisions/counters.py",
        "tenants/decisions/gates.py",
    ),
    "DailyRounds.kind": (
        "tenants/decisions/cadences.py",
        "webapp/operations/cadences.py",
    ),
    "DailyRounds.name": (
        "tenants/decisions/cadences.py",
        "webapp/operations/cadences.py",
    ),
    "DailyRounds.lead_types": (
        "tenants/decisions/cadences.py",
        "webapp/operations/cadences.py",
    ),
    "DailyRounds.rounds_per_day": ("tenants/decisions/cadences.py",),
    "DailyRounds.channels": (
        "tenants/decisions/cadences.py",
        "webapp/operations/cadences.py",
    ),
    "DailyRounds.lost_after": ("tenants/decisions/cadences.py",),
    "DailyRounds.lost_status": (
        "tenants/decisions/cadences.py",
        "tenants/replay.py",
    ),
    "DailyRounds.lost_requires_confirmation": ("tenants/decisions/cadences.py",),
    "Nurture.kind": (
        "tenants/decisions/cadences.py",
        "webapp/operations/cadences.py",
    ),
    "Nurture.name": (
        "tenants/decisions/cadences.py",
        "webapp/operations/cadences.py",
    ),
    "Nurture.lead_types": (
        "tenants/decisions/cadences.py",
        "webapp/operations/cadences.py",
    ),
    "Nurture.every": ("tenants/decisions/cadences.py",),
    "Nurture.channels": (
        "tenants/decisions/cadences.py",
        "webapp/operations/cadences.py",
    ),
    "AnswersSettings.sets": (
        "tenants/decisions/answers.py",
        "webapp/operations/offers.py",
    ),
    "AnswersSettings.offers": (
        "tenants/decisions/campaigns.py",
        "webapp/operations/offers.py",
    ),
    "AnswersSettings.offer_rate": (
        "tenants/decisions/campaigns.py",
        "webapp/interactions/report.py",
    ),
    "AnswersSettings.exceptions": (
        "tenants/decisions/campaigns.py",
        "webapp/operations/interactions.py",
    ),
    "AnswersSettings.follow_ups": ("webapp/operations/offers.py",),
    "RosterSettings.enabled": (
        "tenants/decisions/roster.py",
        "webapp/operations/roster.py",
    ),
    "RosterSettings.send_day": ("tenants/decisions/roster.py",),
    "RosterSettings.send_time": ("tenants/decisions/roster.py",),
    "RosterSettings.channel": (
        "tenants/decisions/roster.py",
        "webapp/operations/roster.py",
    ),
    "RosterSettings.confirmation_required": (
        "tenants/decisions/roster.py",
        "webapp/operations/roster.py",
    ),
    "RosterSettings.access_details_after_confirmation": (
        "webapp/operations/roster.py",
        "webapp/roster/confirm.py",
    ),
    "ReportingSettings.weekly_cutoff": (
        "tenants/decisions/reporting.py",
        "webapp/operations/reporting.py",
    ),
    "ReportingSettings.weekly_report_fields": (
        "tenants/decisions/reporting.py",
        "webapp/reports/views.py",
    ),
    "ReportingSettings.weekly_report_recipients": ("webapp/operations/reporting.py",),
    "ReportingSettings.stage_statuses": ("tenants/decisions/reporting.py",),
    "ReportingSettings.metrics": (
        "webapp/reports/catalogue.py",
        "webapp/reports/dashboard.py",
    ),
    "ReportingSettings.metrics_per": ("webapp/reports/dashboard.py",),
    "ReportingSettings.commission_sharing": (
        "webapp/reports/commissions.py",
        "webapp/leadwork/page.py",
    ),
    "ReportingSettings.effective_from": ("tenants/decisions/reporting.py",),
    "ReportingSettings.max_period_days": (
        "webapp/reports/dashboard.py",
        "webapp/reports/service.py",
    ),
    "ReportingSettings.agents_see_team": ("webapp/reports/cut.py",),
    "ReportingSettings.scheduled": (
        "tenants/decisions/scheduled_reports.py",
        "webapp/reports/scheduled.py",
    ),
    "ScheduledReport.every": (
        "tenants/decisions/scheduled_reports.py",
        "webapp/operations/scheduled_reports.py",
    ),
    "ScheduledReport.weekday": ("tenants/decisions/scheduled_reports.py",),
    "ScheduledReport.day": ("tenants/decisions/scheduled_reports.py",),
    "ScheduledReport.at": ("tenants/decisions/scheduled_reports.py",),
    "ScheduledReport.metrics": ("webapp/operations/scheduled_reports.py",),
    "ScheduledReport.to": ("webapp/operations/scheduled_reports.py",),
    "ScheduledReport.channels": ("webapp/operations/scheduled_reports.py",),
    "NotificationSettings.default_channels": ("webapp/operations/reporting.py",),
    "NotificationSettings.fallback_channel": ("webapp/operations/notifications.py",),
    "NotificationSettings.rules": ("webapp/operations/events.py",),
    "NotificationSettings.announcements": ("webapp/operations/events.py",),
    "RecordsSettings.contact_attempts": ("webapp/operations/contact_attempts.py",),
    "RecordsSettings.kinds": (
        "webapp/operations/opportunities.py",
        "webapp/operations/feedback.py",
    ),
    "TaskSettings.on_lead_closed": (
        "webapp/operations/tasks.py",
        "webapp/operations/leads.py",
    ),
    "HolidaySource.country": (
        "tenants/calendar.py",
        "webapp/operations/intake.py",
    ),
    "HolidaySource.subdivision": ("tenants/calendar.py",),
    "Source.code": (
        "webapp/operations/intake_checks.py",
        "webapp/leadwork/intake_fields.py",
    ),
    "Source.labels": (
        "webapp/operations/intake_checks.py",
        "webapp/leadwork/intake_fields.py",
    ),
    "Source.team": ("webapp/operations/sources.py",),
    "LeadType.code": (
        "webapp/operations/intake_checks.py",
        "webapp/leadwork/intake_fields.py",
    ),
    "LeadType.labels": (
        "webapp/operations/intake_checks.py",
        "webapp/leadwork/intake_fields.py",
    ),
    "LeadType.qualification_fields": (
        "webapp/operations/intake_checks.py",
        "webapp/leadwork/intake_fields.py",
    ),
    "LeadField.code": (
        "webapp/operations/intake_checks.py",
        "webapp/leadwork/intake_fields.py",
    ),
    "LeadField.labels": (
        "webapp/operations/intake_checks.py",
        "webapp/leadwork/intake_fields.py",
    ),
    "LeadField.kind": (
        "webapp/operations/intake_checks.py",
        "webapp/leadwork/intake_fields.py",
    ),
    "LeadField.choices": (
        "webapp/operations/intake_checks.py",
        "webapp/leadwork/intake_fields.py",
    ),
    "IntakeChannel.code": (
        "webapp/operations/intake_checks.py",
        "webapp/leadwork/intake_fields.py",
    ),
    "IntakeChannel.labels": (
        "webapp/operations/intake_checks.py",
        "webapp/leadwork/intake_fields.py",
    ),
    "IntakeChannel.taker_keeps": (
        "tenants/policy/intake.py",
        "webapp/leadwork/views.py:taker_channels",
    ),
    "Status.code": (
        "webapp/operations/intake_checks.py",
        "webapp/leadwork/intake_fields.py",
    ),
    "Status.labels": (
        "webapp/operations/intake_checks.py",
        "webapp/leadwork/intake_fields.py",
    ),
    "Status.terminal": (
        "tenants/policy/intake.py",
        "webapp/operations/intake.py:terminal_codes",
    ),
    "Status.initial": (
        "tenants/policy/intake.py",
        "webapp/operations/leads.py:initial_status",
    ),
    "Status.won": (
        "tenants/policy/intake.py",
        "webapp/operations/assignment.py:won_codes",
    ),
    "Status.revenue_required": (
        "tenants/policy/intake.py",
        "webapp/operations/outcomes.py:revenue_codes",
    ),
    "FirstContactKeeps.rule": (
        "tenants/decisions/duplicates.py",
        "webapp/operations/intake.py",
    ),
    "FirstContactKeeps.loser": ("tenants/decisions/duplicates.py",),
    "PhoneUpWins.rule": (
        "tenants/decisions/duplicates.py",
        "webapp/operations/intake.py",
    ),
    "PhoneUpWins.loser": ("tenants/decisions/duplicates.py",),
    "PhoneUpWins.phone_channels": ("tenants/decisions/duplicates.py",),
    "PhoneUpWins.email_channels": ("tenants/decisions/duplicates.py",),
    "PhoneUpWins.note": (
        "tenants/decisions/duplicates.py",
        "webapp/operations/intake.py",
    ),
    "ExistingOwnerKeeps.rule": (
        "tenants/decisions/duplicates.py",
        "webapp/operations/intake.py",
    ),
    "ExistingOwnerKeeps.loser": ("tenants/decisions/duplicates.py",),
    "NewestWins.rule": (
        "tenants/decisions/duplicates.py",
        "webapp/operations/intake.py",
    ),
    "NewestWins.loser": ("tenants/decisions/duplicates.py",),
    "JoinExisting.rule": (
        "tenants/decisions/duplicates.py",
        "webapp/operations/intake.py",
    ),
    "JoinExisting.loser": ("tenants/decisions/duplicates.py",),
    "RoundRobin.strategy": (
        "tenants/decisions/assignment.py",
        "webapp/operations/assignment.py",
    ),
    "Weighted.strategy": (
        "tenants/decisions/assignment.py",
        "webapp/operations/assignment.py",
    ),
    "LeastLoaded.strategy": (
        "tenants/decisions/assignment.py",
        "webapp/operations/assignment.py",
    ),
    "TopPerformer.strategy": (
        "tenants/decisions/assignment.py",
        "webapp/operations/assignment.py",
    ),
    "TopPerformer.metric": ("tenants/decisions/assignment.py",),
    "TopPerformer.window": ("webapp/operations/assignment.py",),
    "TopPerformer.top_n": ("tenants/decisions/assignment.py",),
    "PartnerAllocation.strategy": (
        "tenants/decisions/assignment.py",
        "webapp/operations/assignment.py",
    ),
    "PartnerAllocation.rules": (
        "tenants/decisions/assignment.py",
        "tenants/decisions/roster.py",
    ),
    "PartnerAllocation.allocate_to": (
        "webapp/operations/allocation.py",
        "webapp/operations/sharing.py",
    ),
    "Manual.strategy": (
        "tenants/decisions/assignment.py",
        "webapp/operations/assignment.py",
    ),
    "ExistingFileManager.strategy": (
        "tenants/decisions/assignment.py",
        "webapp/operations/assignment.py",
    ),
    "ExistingFileManager.when_unavailable": ("tenants/decisions/assignment.py",),
    "Authorised.kind": (
        "tenants/decisions/assignment.py",
        "webapp/operations/assignment.py",
    ),
    "RosterConfirmed.kind": (
        "tenants/decisions/assignment.py",
        "webapp/operations/assignment.py",
    ),
    "InsideHours.kind": (
        "tenants/decisions/assignment.py",
        "webapp/operations/assignment.py",
    ),
    "Capacity.kind": (
        "tenants/decisions/assignment.py",
        "webapp/operations/assignment.py",
    ),
    "Capacity.max_open_leads": ("tenants/decisions/assignment.py",),
    "Available.kind": (
        "tenants/decisions/assignment.py",
        "webapp/operations/assignment.py",
    ),
    "Receivers.receiving_roles": ("tenants/decisions/assignment.py",),
    "Receivers.receiving_teams": ("tenants/decisions/assignment.py",),
    "Reassign.kind": (
        "webapp/operations/timer_actions.py",
        "tenants/decisions/assignment.py",
    ),
    "Reassign.strategy": (
        "webapp/operations/timer_actions.py",
        "tenants/decisions/assignment.py",
    ),
    "Reassign.exclude_current": ("webapp/operations/timer_actions.py",),
    "Reallocate.kind": ("webapp/operations/timer_actions.py",),
    "Reallocate.organisation_from_field": ("webapp/operations/timer_actions.py",),
    "Notify.kind": (
        "webapp/operations/timer_actions.py",
        "tenants/decisions/assignment.py",
    ),
    "Notify.roles": (
        "webapp/operations/timer_actions.py",
        "tenants/decisions/roster.py",
    ),
    "Notify.channels": (
        "webapp/operations/timer_actions.py",
        "tenants/decisions/cadences.py",
    ),
    "Notify.template": (
        "webapp/operations/timer_actions.py",
        "tenants/decisions/roster.py",
    ),
    "CreateTask.kind": (
        "webapp/operations/timer_actions.py",
        "tenants/decisions/assignment.py",
    ),
    "CreateTask.task": (
        "webapp/operations/timer_actions.py",
        "webapp/operations/tasks.py",
    ),
    "CreateTask.assignee": (
        "webapp/operations/timer_actions.py",
        "webapp/operations/tasks.py",
    ),
    "CreateTask.team": (
        "webapp/operations/timer_actions.py",
        "tenants/decisions/outcomes.py",
    ),
    "CreateTask.script": (
        "webapp/operations/timer_actions.py",
        "webapp/operations/tasks.py",
    ),
    "CreateTask.while_open": ("webapp/operations/tasks.py",),
    "SetStatus.kind": (
        "webapp/operations/timer_actions.py",
        "tenants/decisions/assignment.py",
    ),
    "SetStatus.status": (
        "webapp/operations/timer_actions.py",
        "tenants/decisions/cadences.py",
    ),
    "FlagBreach.kind": (
        "webapp/operations/timer_actions.py",
        "tenants/decisions/assignment.py",
    ),
    "FlagBreach.flag": (
        "webapp/operations/timer_actions.py",
        "tenants/decisions/counters.py",
    ),
    "Outcome.code": (
        "tenants/decisions/outcomes.py",
        "webapp/operations/outcome_checks.py",
    ),
    "Outcome.labels": (
        "webapp/operations/events.py",
        "webapp/operations/intake_checks.py",
    ),
    "Outcome.group": (
        "tenants/decisions/outcomes.py",
        "tenants/decisions/cadences.py",
    ),
    "Outcome.effects": (
        "tenants/decisions/outcomes.py",
        "webapp/operations/outcomes.py",
    ),
    "LoggedChannel.code": (
        "webapp/policy/labels.py",
        "webapp/operations/activities.py",
    ),
    "LoggedChannel.labels": ("webapp/policy/labels.py",),
    "FlagSet.condition": (
        "tenants/decisions/gates.py",
        "webapp/leadwork/page.py",
    ),
    "FlagSet.flag": (
        "tenants/decisions/gates.py",
        "tenants/decisions/counters.py",
    ),
    "StatusIn.condition": (
        "tenants/decisions/gates.py",
        "webapp/leadwork/page.py",
    ),
    "StatusIn.field": (
        "tenants/decisions/gates.py",
        "webapp/operations/lead_import_run.py",
    ),
    "StatusIn.values": (
        "tenants/decisions/gates.py",
        "tenants/decisions/answers.py",
    ),
    "OpenCard.condition": (
        "tenants/decisions/gates.py",
        "webapp/leadwork/page.py",
    ),
    "OpenCard.card": (
        "tenants/decisions/gates.py",
        "webapp/leadwork/page.py",
    ),
    "CooldownActive.condition": (
        "tenants/decisions/gates.py",
        "webapp/leadwork/page.py",
    ),
    "CooldownActive.cooldown": ("tenants/decisions/gates.py",),
    "AmountAbove.condition": (
        "tenants/decisions/gates.py",
        "webapp/leadwork/page.py",
    ),
    "AmountAbove.amount": (
        "tenants/decisions/gates.py",
        "tenants/durations.py",
    ),
    "AmountAbove.threshold": (
        "tenants/decisions/gates.py",
        "tenants/decisions/counters.py",
    ),
    "AnswerSet.name": (
        "tenants/decisions/answers.py",
        "webapp/operations/offers.py",
    ),
    "AnswerSet.values": (
        "tenants/decisions/answers.py",
        "webapp/operations/offers.py",
    ),
    "AnswerSet.transitions": (
        "tenants/decisions/answers.py",
        "webapp/operations/offers.py",
    ),
    "OfferDisplay.order_by_priority": ("tenants/decisions/campaigns.py",),
    "OfferDisplay.offer_before_transfer_to": (
        "tenants/decisions/campaigns.py",
        "webapp/operations/interactions.py",
    ),
    "OfferDisplay.any_offer_may_be_voiced": ("webapp/operations/offers.py",),
    "OfferDisplay.archive_allows_late_answer": ("webapp/operations/offers.py",),
    "OfferRate.target_percent": (
        "tenants/decisions/offers.py",
        "webapp/interactions/report.py",
    ),
    "OfferRate.missing_offer_counts_as": ("tenants/decisions/campaigns.py",),
    "OfferRate.excluded_transfer_splits": (
        "tenants/decisions/campaigns.py",
        "webapp/operations/interactions.py",
    ),
    "OfferRate.excluded_agent_lines": (
        "tenants/decisions/campaigns.py",
        "tenants/decisions/offers.py",
    ),
    "ExceptionRule.hide_offer": ("tenants/decisions/campaigns.py",),
    "ExceptionRule.count_as_missed": (
        "tenants/decisions/campaigns.py",
        "tenants/decisions/offers.py",
    ),
    "ExceptionRule.report_to": ("webapp/operations/interactions.py",),
    "ExceptionRule.contact_email": ("webapp/operations/interactions.py",),
    "WeeklyCutoff.weekday": (
        "tenants/decisions/reporting.py",
        "tenants/calendar.py",
    ),
    "WeeklyCutoff.time": (
        "tenants/decisions/reporting.py",
        "tenants/decisions/outcomes.py",
    ),
    "CommissionSharing.agent_percent": ("webapp/reports/commissions.py",),
    "CommissionSharing.manager_percent": ("webapp/reports/commissions.py",),
    "CommissionSharing.pool_team": ("webapp/reports/commissions.py",),
    "CommissionSharing.distribution": ("webapp/reports/commissions.py",),
    "CommissionSharing.weights": ("webapp/reports/commissions.py",),
    "NotificationRule.event": (
        "tenants/decisions/counters.py",
        "tenants/decisions/roster.py",
    ),
    "NotificationRule.roles": (
        "tenants/decisions/roster.py",
        "webapp/operations/assignment.py",
    ),
    "NotificationRule.channels": (
        "webapp/operations/notifications.py",
        "tenants/decisions/cadences.py",
    ),
    "NotificationRule.template": (
        "tenants/decisions/roster.py",
        "webapp/operations/delivery.py",
    ),
    "NotificationRule.team": (
        "tenants/decisions/outcomes.py",
        "webapp/operations/events.py",
    ),
    "Announcement.event": (
        "tenants/decisions/counters.py",
        "tenants/decisions/roster.py",
    ),
    "Announcement.channel": (
        "webapp/operations/notifications.py",
        "tenants/decisions/duplicates.py",
    ),
    "Announcement.group": (
        "tenants/decisions/cadences.py",
        "tenants/decisions/outcomes.py",
    ),
    "Announcement.tag": (
        "webapp/operations/events.py",
        "webapp/policy/documents.py",
    ),
    "Announcement.template": (
        "tenants/decisions/roster.py",
        "webapp/operations/delivery.py",
    ),
    "ContactAttempts.channels": (
        "webapp/operations/contact_attempts.py",
        "webapp/portal/context.py",
    ),
    "ContactAttempts.voicemail_message": (
        "webapp/operations/contact_attempts.py",
        "webapp/portal/context.py",
    ),
    "ContactAttempts.voicemail_fields": ("webapp/operations/contact_attempts.py",),
    "ContactAttempts.show_attempt_count": ("webapp/portal/context.py",),
    "RecordKind.answered_by": ("webapp/operations/feedback.py",),
    "RecordKind.enabled": (
        "webapp/operations/opportunities.py",
        "webapp/operations/feedback.py",
    ),
    "RecordKind.statuses": ("webapp/operations/opportunities.py",),
    "RecordKind.categories": (
        "webapp/operations/feedback.py",
        "webapp/operations/accruals.py",
    ),
    "RecordKind.labels": ("webapp/portal/context.py",),
    "RecordKind.required_on": (
        "webapp/operations/opportunities.py",
        "webapp/portal/context.py",
    ),
    "RecordKind.required_before": ("webapp/operations/opportunities.py",),
    "Choice.code": (
        "webapp/operations/intake_checks.py",
        "webapp/leadwork/intake_fields.py",
    ),
    "Choice.labels": (
        "webapp/operations/intake_checks.py",
        "webapp/leadwork/intake_fields.py",
    ),
    "AllocationRule.when": (
        "tenants/decisions/assignment.py",
        "tenants/decisions/gates.py",
    ),
    "AllocationRule.organisation": ("tenants/decisions/assignment.py",),
    "AllocationRule.organisation_from_field": ("tenants/decisions/assignment.py",),
    "Cooldown.kind": (
        "tenants/decisions/outcomes.py",
        "webapp/operations/outcome_checks.py",
    ),
    "Cooldown.name": (
        "tenants/decisions/outcomes.py",
        "webapp/operations/outcomes.py",
    ),
    "Cooldown.duration": (
        "tenants/decisions/outcomes.py",
        "webapp/operations/outcomes.py",
    ),
    "Cooldown.starts_on": (
        "tenants/decisions/outcomes.py",
        "webapp/operations/outcomes.py",
    ),
    "Transfer.kind": (
        "tenants/decisions/outcomes.py",
        "webapp/operations/outcome_checks.py",
    ),
    "Transfer.team": (
        "tenants/decisions/outcomes.py",
        "webapp/operations/outcomes.py",
    ),
    "Transfer.as_referral": (
        "tenants/decisions/outcomes.py",
        "webapp/operations/outcomes.py",
    ),
    "Transfer.lead_type": (
        "webapp/operations/outcomes.py",
        "tenants/decisions/cadences.py",
    ),
    "CreateTicket.kind": (
        "tenants/decisions/outcomes.py",
        "webapp/operations/outcome_checks.py",
    ),
    "CreateTicket.team": (
        "tenants/decisions/outcomes.py",
        "webapp/operations/outcomes.py",
    ),
    "ScheduleCallback.kind": (
        "tenants/decisions/outcomes.py",
        "webapp/operations/outcome_checks.py",
    ),
    "ScheduleCallback.when": (
        "tenants/decisions/outcomes.py",
        "tenants/decisions/assignment.py",
    ),
    "ScheduleCallback.after": (
        "tenants/decisions/outcomes.py",
        "webapp/operations/outcome_checks.py",
    ),
    "ScheduleCallback.only_if": ("tenants/decisions/outcomes.py",),
    "SetTerminalStatus.kind": (
        "tenants/decisions/outcomes.py",
        "webapp/operations/outcome_checks.py",
    ),
    "SetTerminalStatus.status": (
        "tenants/decisions/outcomes.py",
        "webapp/operations/outcomes.py",
    ),
    "CountsAs.kind": (
        "tenants/decisions/outcomes.py",
        "webapp/operations/outcome_checks.py",
    ),
    "CountsAs.counter": ("tenants/decisions/outcomes.py",),
    "AnswerValue.code": (
        "tenants/decisions/answers.py",
        "webapp/operations/offers.py",
    ),
    "AnswerValue.labels": ("webapp/interactions/presenting.py",),
    "AnswerValue.final": ("tenants/decisions/answers.py",),
}

PORTAL = "The partner portal (issue 13)"
TELECOM = "Telecom inbound-call offers (issue 14)"

PENDING: dict[str, str] = {
    "RecordKind.fields": (
        f"{PORTAL}: a record kind's fields from the policy (feedback, deal registration and "
        "accrual keep their fixed columns and forms; extra fields need a details column on "
        "each record, a migration, and the profiles name them differently: issue/details, "
        "expected_close_date)"
    ),
}
