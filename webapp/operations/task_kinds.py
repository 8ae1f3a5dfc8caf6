"""The kinds of task that clocks open and close, not people: a cadence's contact rounds and
nurture touches (CCIMA-2, BDC-5) and the lost proposal (BDC-6).

Plain names in a module of their own, so that `tasks` can tell a managed task without
importing `cadences` (which imports `outcomes`, which imports `tasks`).
"""

ROUND_TASK = "contact_round"
TOUCH_TASK = "nurture_touch"
LOST_PROPOSAL = "propose_lost"
CADENCE_TASKS = (ROUND_TASK, TOUCH_TASK, LOST_PROPOSAL)
