"""The built-in policy profiles: YAML documents a department starts from."""

from functools import cache
from importlib import resources
from typing import Any

import yaml

from tenants.errors import UnknownCode
from tenants.policy import Policy, load_policy

_PACKAGE = "tenants.profiles"


def list_profiles() -> list[str]:
    """Names of the built-in profiles (file names without .yaml), sorted."""
    files = resources.files(_PACKAGE).iterdir()
    return sorted(f.name.removesuffix(".yaml") for f in files if f.name.endswith(".yaml"))


@cache
def _read(name: str) -> str:
    if name not in list_profiles():
        raise UnknownCode("profile", name, list_profiles())
    return resources.files(_PACKAGE).joinpath(f"{name}.yaml").read_text(encoding="utf-8")


def load_profile(name: str) -> dict[str, Any]:
    """The raw document of a profile (a fresh copy the caller may edit)."""
    return yaml.safe_load(_read(name)) or {}


def load_profile_policy(name: str) -> Policy:
    """A profile validated into a Policy."""
    return load_policy(load_profile(name))
