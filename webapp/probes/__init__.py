"""Probes for machines: liveness, readiness and Prometheus metrics (no sign-in, no session)."""
