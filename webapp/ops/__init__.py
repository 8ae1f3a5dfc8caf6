"""Operability: the checks, metrics, structured logs and operators' commands (the probes'
routes are the `webapp.probes` feature)."""
