"""`load_policy`: raw document -> validated Policy, or PolicyInvalid listing every error."""

from typing import Any

from pydantic import ValidationError

from tenants.errors import PolicyInvalid, Refusal
from tenants.markers import N_
from tenants.policy.document import Policy
from tenants.policy.errors import error_pairs
from tenants.policy.migrations import migrate
from tenants.policy.references import reference_errors


def load_policy(data: dict[str, Any] | None) -> Policy:
    """Migrate, validate and cross-check a policy document."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        message = N_("a policy document is a mapping, got %(type)s")
        raise PolicyInvalid([("", Refusal(message, type=type(data).__name__))])
    data = migrate(data)
    try:
        policy = Policy.model_validate(data)
    except ValidationError as exc:
        raise PolicyInvalid(error_pairs(exc, data)) from None
    errors = reference_errors(policy)
    if errors:
        raise PolicyInvalid(errors)
    return policy
