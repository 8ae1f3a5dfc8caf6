"""Configuration from the environment, declared with types and defaults."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise RuntimeError(f"{name} must be an integer, got {raw!r}") from exc


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise RuntimeError(f"{name} must be a boolean (true/false), got {raw!r}")


def load_secret_key(instance_path: Path) -> str:
    """Return SECRET_KEY from the environment, else one generated once into the instance folder."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # O_EXCL: two processes starting together must not each write a different key.
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_file.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


@dataclass(frozen=True)
class SmtpSettings:
    host: str = "127.0.0.1"
    port: int = 25
    username: str | None = None
    password: str | None = None
    use_tls: bool = False
    sender: str = "Leadline <noreply@leadline.test>"

    @classmethod
    def from_env(cls) -> SmtpSettings:
        return cls(
            host=os.environ.get("SMTP_HOST", cls.host),
            port=_int("SMTP_PORT", cls.port),
            username=os.environ.get("SMTP_USERNAME") or None,
            password=os.environ.get("SMTP_PASSWORD") or None,
            use_tls=_bool("SMTP_STARTTLS", cls.use_tls),
            sender=os.environ.get("SMTP_SENDER", cls.sender),
        )


@dataclass(frozen=True)
class LoginThrottle:
    """Failed sign-ins: free ones per account and address, then doubling waits; a ceiling
    per address over all accounts. Nothing here can lock an account for everyone."""

    free_failures: int = 3
    max_delay_seconds: int = 900
    per_address: int = 20
    window_seconds: int = 900

    @classmethod
    def from_env(cls) -> LoginThrottle:
        return cls(
            free_failures=_int("LOGIN_FAILURES_BEFORE_DELAY", cls.free_failures),
            max_delay_seconds=_int("LOGIN_MAX_DELAY_SECONDS", cls.max_delay_seconds),
            per_address=_int("LOGIN_FAILURES_PER_ADDRESS", cls.per_address),
            window_seconds=_int("LOGIN_FAILURE_WINDOW_SECONDS", cls.window_seconds),
        )


@dataclass(frozen=True)
class SessionLifetime:
    """How long a sign-in lasts: without a request (idle), and at most (absolute)."""

    idle_seconds: int = 30 * 60
    max_seconds: int = 12 * 3600

    @classmethod
    def from_env(cls) -> SessionLifetime:
        return cls(
            idle_seconds=_int("LEADLINE_SESSION_IDLE_SECONDS", cls.idle_seconds),
            max_seconds=_int("LEADLINE_SESSION_MAX_SECONDS", cls.max_seconds),
        )


@dataclass(frozen=True)
class ImportChunks:
    """How a CSV import job splits its work: rows per job, and how long a running import may
    go without a committed row before the sweep gives it a new job (its worker died)."""

    rows: int = 500
    stale_seconds: int = 120

    @classmethod
    def from_env(cls) -> ImportChunks:
        return cls(
            rows=max(1, _int("LEADLINE_IMPORT_CHUNK_ROWS", cls.rows)),
            stale_seconds=max(1, _int("LEADLINE_IMPORT_STALE_SECONDS", cls.stale_seconds)),
        )


def _choice(name: str, choices: tuple[str, ...]) -> str:
    """One of `choices` (the first when unset); anything else stops the start-up."""
    value = os.environ.get(name, "").strip().lower() or choices[0]
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


@dataclass(frozen=True)
class Settings:
    """Everything the app reads from its environment, resolved once at start-up."""

    database_url: str
    redis_url: str | None
    secret_key: str
    base_url: str
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    login_throttle: LoginThrottle = field(default_factory=LoginThrottle)
    session_lifetime: SessionLifetime = field(default_factory=SessionLifetime)
    import_chunks: ImportChunks = field(default_factory=ImportChunks)
    secure_cookies: bool = False
    api_requests_per_minute: int = 600
    rq_dashboard: bool = False
    operators: frozenset[str] = frozenset()
    # Who may create a workspace: "anyone" signed in (a SaaS's sign-up), or only "operators".
    workspace_creation: str = "anyone"
    # werkzeug's method for new password hashes; a stored hash names its own, so changing it
    # never locks anyone out. The test suite picks a cheap one (tests/support.py).
    password_hash: str = "scrypt"

    @classmethod
    def from_env(cls, instance_path: Path) -> Settings:
        default_db = f"sqlite:///{instance_path / 'leadline.sqlite3'}"
        base_url = os.environ.get("LEADLINE_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
        return cls(
            database_url=os.environ.get("DATABASE_URL") or default_db,
            redis_url=os.environ.get("REDIS_URL") or None,
            secret_key=load_secret_key(instance_path),
            base_url=base_url,
            smtp=SmtpSettings.from_env(),
            login_throttle=LoginThrottle.from_env(),
            session_lifetime=SessionLifetime.from_env(),
            import_chunks=ImportChunks.from_env(),
            # A site served over HTTPS never sends its cookies in the clear, unless told to.
            secure_cookies=_bool("LEADLINE_SECURE_COOKIES", base_url.startswith("https://")),
            api_requests_per_minute=_int("API_REQUESTS_PER_MINUTE", 600),
            rq_dashboard=_bool("LEADLINE_RQ_DASHBOARD", False),
            operators=frozenset(
                e.strip().lower()
                for e in os.environ.get("LEADLINE_OPERATORS", "").split(",")
                if e.strip()
            ),
            workspace_creation=_choice("LEADLINE_WORKSPACE_CREATION", ("anyone", "operators")),
            password_hash=os.environ.get("LEADLINE_PASSWORD_HASH") or cls.password_hash,
        )

    def flask_config(self) -> dict:
        """The Flask config keys these settings translate to."""
        return {
            "SECRET_KEY": self.secret_key,
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
            "REDIS_URL": self.redis_url,
            "LEADLINE_BASE_URL": self.base_url,
            "LEADLINE_SMTP": self.smtp,
            "LEADLINE_LOGIN_THROTTLE": self.login_throttle,
            "LEADLINE_SESSION_LIFETIME": self.session_lifetime,
            # The browser drops the cookie when the sign-in could no longer be valid anyway.
            "PERMANENT_SESSION_LIFETIME": self.session_lifetime.max_seconds,
            "LEADLINE_IMPORT_CHUNKS": self.import_chunks,
            "LEADLINE_API_RATE_LIMIT": self.api_requests_per_minute,
            "LEADLINE_RQ_DASHBOARD": self.rq_dashboard,
            "LEADLINE_OPERATORS": self.operators,
            "LEADLINE_WORKSPACE_CREATION": self.workspace_creation,
            "LEADLINE_PASSWORD_HASH": self.password_hash,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": self.secure_cookies,
            "REMEMBER_COOKIE_HTTPONLY": True,
            "REMEMBER_COOKIE_SAMESITE": "Lax",
            "REMEMBER_COOKIE_SECURE": self.secure_cookies,
            "WTF_CSRF_TIME_LIMIT": 8 * 3600,
            "BABEL_DEFAULT_LOCALE": "en",
            "BABEL_DEFAULT_TIMEZONE": "UTC",
            "MAX_CONTENT_LENGTH": 10 * 1024 * 1024,
            "LEADLINE_API_MAX_BODY_BYTES": 1024 * 1024,  # /api and /hooks (webapp.api)
            "LEADLINE_COLLATERAL_MAX_BYTES": 5 * 1024 * 1024,  # a collateral document (CPB-8)
        }
