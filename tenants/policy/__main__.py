"""`python -m tenants.policy`: regenerate tenants/schema/policy.schema.json and
docs/policy-settings.md (every field and the code that reads it)."""

from tenants.policy.fields import write_settings_doc
from tenants.policy.jsonschema import write_schema

print(write_schema())
print(write_settings_doc())
