"""Failed-login throttling per account and per client address, counted in Redis."""

from __future__ import annotations

from flask import current_app

from webapp.config import LoginThrottle
from webapp.redis_client import redis

_PREFIX = "leadline:login-failures"


def _keys(email: str, address: str) -> tuple[str, str]:
    return f"{_PREFIX}:account:{email.lower()}", f"{_PREFIX}:address:{address}"


def _limits() -> LoginThrottle:
    return current_app.config["LEADLINE_LOGIN_THROTTLE"]


def login_blocked(email: str, address: str) -> bool:
    """Whether too many recent failures block another attempt for this account or address."""
    account_key, address_key = _keys(email, address)
    account_failures, address_failures = redis().mget(account_key, address_key)
    limits = _limits()
    return (
        int(account_failures or 0) >= limits.per_account
        or int(address_failures or 0) >= limits.per_address
    )


def record_failure(email: str, address: str) -> None:
    limits = _limits()
    pipe = redis().pipeline()
    for key in _keys(email, address):
        pipe.incr(key)
        pipe.expire(key, limits.window_seconds, nx=True)
    pipe.execute()


def clear_failures(email: str) -> None:
    """A successful login forgives the account's earlier failures (not the address's)."""
    redis().delete(_keys(email, "")[0])
