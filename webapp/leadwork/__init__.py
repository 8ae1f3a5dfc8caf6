"""Working a lead: the intake form for agents, and the outcome and status forms of its page."""
