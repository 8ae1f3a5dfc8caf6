"""Failed sign-ins, counted in Redis on the app clock: waits that grow per (account, address)
and a ceiling per address (ASVS 2.2.1).

A wrong password slows down only the address that typed it: the account's owner signs in
from anywhere else at once, so nobody can lock them out by failing on purpose. Both counts
are kept on the app clock (not Redis expiry), so moving the clock moves them.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from functools import cache

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.clock import now
from webapp.config import LoginThrottle
from webapp.redis_client import redis

_PREFIX = "leadline:login-failures"


def _pair_key(email: str, address: str) -> str:
    digest = hashlib.sha256(f"{email.lower()}\n{address}".encode()).hexdigest()
    return f"{_PREFIX}:pair:{digest}"


def _address_key(address: str) -> str:
    return f"{_PREFIX}:address:{address}"


def _limits() -> LoginThrottle:
    return current_app.config["LEADLINE_LOGIN_THROTTLE"]


def delay_after(failures: int, limits: LoginThrottle) -> float:
    """The wait after the latest of `failures` for one account from one address."""
    beyond = failures - limits.free_failures  # 0 right after the last free failure
    if beyond < 0:
        return 0
    return min(limits.max_delay_seconds, 2 ** min(beyond, 30))


def retry_after(email: str, address: str) -> int:
    """Seconds before this address may try this account again (0: now)."""
    limits = _limits()
    moment = now().timestamp()
    pair, by_address = _pair_key(email, address), _address_key(address)
    pipe = redis().pipeline()
    pipe.hmget(pair, "count", "last")
    pipe.zremrangebyscore(by_address, "-inf", moment - limits.window_seconds)
    pipe.zcard(by_address)
    pipe.zrange(by_address, 0, 0, withscores=True)
    (count, last), _, address_count, address_first = pipe.execute()
    waits = [0.0]
    # A pair's count lasts while failures keep coming: it resets after a quiet window.
    if last is not None and moment - float(last) <= limits.window_seconds:
        waits.append(float(last) + delay_after(int(count), limits) - moment)
    if address_count >= limits.per_address and address_first:
        waits.append(address_first[0][1] + limits.window_seconds - moment)
    return math.ceil(max(waits))


def record_failure(email: str, address: str) -> None:
    limits = _limits()
    moment = now().timestamp()
    pair, by_address = _pair_key(email, address), _address_key(address)
    last = redis().hget(pair, "last")
    pipe = redis().pipeline()
    if last is not None and moment - float(last) > limits.window_seconds:
        pipe.delete(pair)
    pipe.hincrby(pair, "count", 1)
    pipe.hset(pair, "last", moment)
    pipe.zadd(by_address, {f"{moment}:{secrets.token_hex(4)}": moment})
    for key in (pair, by_address):
        pipe.expire(key, limits.window_seconds + limits.max_delay_seconds)
    pipe.execute()


def clear_failures(email: str, address: str) -> None:
    """A successful sign-in forgives this account's failures from this address (not the
    address's failures on other accounts)."""
    redis().delete(_pair_key(email, address))


def hash_password(password: str) -> str:
    """A new hash of `password` by the configured method (LEADLINE_PASSWORD_HASH, scrypt)."""
    return generate_password_hash(password, method=current_app.config["LEADLINE_PASSWORD_HASH"])


@cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def check_password(password_hash: str | None, password: str) -> bool:
    """Verify `password`; with no user (`None`) verify against a dummy hash and say no, so an
    unknown e-mail costs the same time as a wrong password (ASVS 2.2 / no enumeration)."""
    if password_hash is None:
        check_password_hash(_dummy_hash(current_app.config["LEADLINE_PASSWORD_HASH"]), password)
        return False
    return check_password_hash(password_hash, password)
