"""The policy document: one module per section, a versioned root model and its loader."""

from tenants.policy.document import FORMAT_VERSION, Policy
from tenants.policy.jsonschema import policy_json_schema
from tenants.policy.loading import load_policy

__all__ = ["FORMAT_VERSION", "Policy", "load_policy", "policy_json_schema"]
