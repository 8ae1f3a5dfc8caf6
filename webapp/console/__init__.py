"""The administrators' operations view: the workspace's clocks and its outbox at a glance."""
