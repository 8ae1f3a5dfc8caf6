"""The name of every job, declared once: the web side enqueues by these names and
`workers/registry.py` maps each to its function.

Plain constants with no imports, so both sides may import them (`workers → webapp`), and
`tests/test_jobs_registry.py` checks that every name here has a job and every job a name: a
typo fails there, not inside a worker.
"""

DEADLINE_FIRE = "deadline.fire"
DEADLINE_DRAIN = "deadline.drain"
DEADLINE_SWEEP = "deadline.sweep"
NOTIFICATION_DELIVER = "notification.deliver"
NOTIFICATION_DELIVER_BATCH = "notification.deliver_batch"
NOTIFICATION_SWEEP = "notification.sweep"
LEAD_IMPORT_RUN = "lead_import.run"
LEAD_IMPORT_SWEEP = "lead_import.sweep"
POLICY_REPLAY = "policy.replay"

ALL = (
    DEADLINE_FIRE,
    DEADLINE_DRAIN,
    DEADLINE_SWEEP,
    NOTIFICATION_DELIVER,
    NOTIFICATION_DELIVER_BATCH,
    NOTIFICATION_SWEEP,
    LEAD_IMPORT_RUN,
    LEAD_IMPORT_SWEEP,
    POLICY_REPLAY,
)
