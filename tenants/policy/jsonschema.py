"""JSON Schema of the policy document, exported from the models (tenants/schema/)."""

import json
from pathlib import Path
from typing import Any

from tenants.policy.document import Policy

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schema" / "policy.schema.json"


def policy_json_schema() -> dict[str, Any]:
    """The JSON Schema a policy document must satisfy."""
    schema = Policy.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://leadline.example/schema/policy.schema.json"
    return schema


def schema_text() -> str:
    """The schema as the text stored in SCHEMA_PATH."""
    return json.dumps(policy_json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_schema(path: Path = SCHEMA_PATH) -> Path:
    """Regenerate the schema file (`python -m tenants.policy`)."""
    path.write_text(schema_text(), encoding="utf-8")
    return path
