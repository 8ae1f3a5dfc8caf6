"""People: who belongs to a workspace, its teams and partner organisations, and accounts."""
