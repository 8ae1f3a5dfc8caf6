"""Leadline policy engine: a department's lead policy document and the decisions it makes."""

from tenants.errors import PolicyInvalid, UnknownCode
from tenants.policy import FORMAT_VERSION, Policy, load_policy

__all__ = ["FORMAT_VERSION", "Policy", "PolicyInvalid", "UnknownCode", "load_policy"]
