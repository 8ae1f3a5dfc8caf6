"""The agent's queue: open leads and tasks, most urgent first, kept live by a cheap poll."""
