"""`python -m tenants.policy`: regenerate tenants/schema/policy.schema.json."""

from tenants.policy.jsonschema import write_schema

print(write_schema())
