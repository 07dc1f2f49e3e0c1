"""Settings read from `HUB_*` environment variables, with safe defaults and a start-up check."""

import ipaddress
import json
import os
import secrets
from datetime import timedelta
from pathlib import Path

ENVIRONMENTS = ("production", "development", "test")
MIN_SECRET_BYTES = 32


class ConfigurationError(RuntimeError):
    """The app was asked to start with settings that are unsafe or unusable."""


def normalise_database_url(url: str) -> str:
    """Map the `postgres://` and `postgresql://` URLs operators paste onto the psycopg2 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url[len(prefix) :]
    return url


def _json_dumps(value) -> str:
    """Store JSON as real UTF-8, so Cyrillic names stay searchable."""
    return json.dumps(value, ensure_ascii=False)


def _int(env: dict, name: str, default: int, *, minimum: int = 0) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be a whole number, not {raw!r}") from exc
    if value < minimum:
        raise ConfigurationError(f"{name} must be at least {minimum}, not {value}")
    return value


def _bool(env: dict, name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    if raw.lower() not in ("true", "false"):
        raise ConfigurationError(f"{name} must be true or false, not {raw!r}")
    return raw.lower() == "true"


def _log_format(env: dict, hub_env: str) -> str:
    """JSON lines in production (for a log shipper), plain text elsewhere, unless HUB_LOG_FORMAT says."""
    value = env.get("HUB_LOG_FORMAT") or ("json" if hub_env == "production" else "text")
    if value not in ("json", "text"):
        raise ConfigurationError(f"HUB_LOG_FORMAT must be json or text, not {value!r}")
    return value


def _networks(env: dict, name: str, default: str) -> tuple:
    """Comma-separated addresses and CIDR networks; an empty value is an empty tuple."""
    networks = []
    for item in (part.strip() for part in env.get(name, default).split(",")):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError as exc:
            raise ConfigurationError(
                f"{name}: {item!r} is not an IP address or network (e.g. 10.0.0.0/8)"
            ) from exc
    return tuple(networks)


def _statement_timeout_ms(env: dict) -> int:
    return _int(env, "HUB_DB_STATEMENT_TIMEOUT_MS", 30_000, minimum=1)


def _engine_options(env: dict, database_url: str) -> dict:
    """Pooling and, on PostgreSQL, timeouts: a database that stops answering never hangs a request."""
    options = {
        "pool_pre_ping": True,  # a connection broken during an outage is replaced, not used
        "json_serializer": _json_dumps,
        "hide_parameters": True,  # values (names, hashes) never reach error messages or logs
    }
    if not database_url.startswith("postgresql"):
        return options
    server = {
        "statement_timeout": _statement_timeout_ms(env),
        "lock_timeout": _int(env, "HUB_DB_LOCK_TIMEOUT_MS", 5_000, minimum=1),
        "idle_in_transaction_session_timeout": _int(
            env, "HUB_DB_IDLE_TRANSACTION_TIMEOUT_MS", 60_000, minimum=1
        ),
    }
    options["pool_timeout"] = _int(env, "HUB_DB_POOL_TIMEOUT", 5, minimum=1)
    options["connect_args"] = {
        "connect_timeout": _int(env, "HUB_DB_CONNECT_TIMEOUT", 2, minimum=1),
        "options": " ".join(f"-c {name}={value}" for name, value in server.items()),
        # A peer that vanished (cable cut, host gone) is noticed within seconds, not hours.
        "keepalives": 1,
        "keepalives_idle": 5,
        "keepalives_interval": 2,
        "keepalives_count": 2,
    }
    return options


def _replica_bind(env: dict) -> dict:
    """The `replica` bind statistics read from, when HUB_REPLICA_DATABASE_URL names one."""
    url = normalise_database_url(env.get("HUB_REPLICA_DATABASE_URL", ""))
    return {"replica": {"url": url, **_engine_options(env, url)}} if url else {}


def _secret_key(env: dict, hub_env: str) -> str:
    key = env.get("HUB_SECRET_KEY", "")
    if len(key.encode()) >= MIN_SECRET_BYTES:
        return key
    if hub_env == "production":
        raise ConfigurationError(
            f"HUB_SECRET_KEY must be set to at least {MIN_SECRET_BYTES} bytes outside "
            "development and test; generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )
    return secrets.token_urlsafe(48)


def load_settings(instance_path: str, env: dict | None = None) -> dict:
    """Build the Flask config mapping from the environment; raise on unsafe production settings."""
    env = dict(os.environ if env is None else env)
    hub_env = env.get("HUB_ENV", "production")
    if hub_env not in ENVIRONMENTS:
        raise ConfigurationError(f"HUB_ENV must be one of {', '.join(ENVIRONMENTS)}, not {hub_env!r}")
    default_db = "sqlite:///" + str(Path(instance_path) / "hub.sqlite3")
    database_url = normalise_database_url(env.get("HUB_DATABASE_URL") or default_db)
    secret = _secret_key(env, hub_env)
    return {
        "HUB_ENV": hub_env,
        "TESTING": hub_env == "test",
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": _engine_options(env, database_url),
        "SQLALCHEMY_BINDS": _replica_bind(env),
        "MAX_CONTENT_LENGTH": _int(env, "HUB_MAX_BODY_BYTES", 1_048_576, minimum=1),
        "HUB_DOCUMENT_MAX_BYTES": _int(env, "HUB_DOCUMENT_MAX_BYTES", 20 * 1_048_576, minimum=1),
        "HUB_IMPORT_MAX_BYTES": _int(env, "HUB_IMPORT_MAX_BYTES", 16 * 1_048_576, minimum=1),
        # A relative directory is taken inside the instance folder; an absolute one as it is.
        "HUB_DOCUMENT_DIR": str(Path(instance_path) / (env.get("HUB_DOCUMENT_DIR") or "documents")),
        "JWT_SECRET_KEY": secret,
        "JWT_ALGORITHM": "HS256",
        "JWT_TOKEN_LOCATION": ["headers"],
        "JWT_ACCESS_TOKEN_EXPIRES": timedelta(minutes=_int(env, "HUB_ACCESS_TOKEN_MINUTES", 15, minimum=1)),
        "JWT_REFRESH_TOKEN_EXPIRES": timedelta(days=_int(env, "HUB_REFRESH_TOKEN_DAYS", 14, minimum=1)),
        "RATELIMIT_STORAGE_URI": env.get("HUB_RATELIMIT_STORAGE_URL", "memory://"),
        "RATELIMIT_ENABLED": env.get("HUB_RATELIMIT_ENABLED", "true").lower() != "false",
        "HUB_LOGIN_RATE_LIMIT": env.get("HUB_LOGIN_RATE_LIMIT", "10 per minute"),
        "HUB_ACCOUNT_RATE_LIMIT": env.get("HUB_ACCOUNT_RATE_LIMIT", "10 per 15 minutes"),
        "HUB_API_RATE_LIMIT": env.get("HUB_API_RATE_LIMIT", "1200 per minute"),
        "HUB_VERIFY_RATE_LIMIT": env.get("HUB_VERIFY_RATE_LIMIT", "60 per minute"),
        "HUB_PROXY_COUNT": _int(env, "HUB_PROXY_COUNT", 0),
        "HUB_STATS_MIN_CELL": _int(env, "HUB_STATS_MIN_CELL", 5, minimum=1),
        "HUB_STATS_CACHE_MB": _int(env, "HUB_STATS_CACHE_MB", 64),
        "HUB_CHANGES_RETENTION_DAYS": _int(env, "HUB_CHANGES_RETENTION_DAYS", 365),
        "HUB_WEBHOOK_ALLOW_PRIVATE": _bool(env, "HUB_WEBHOOK_ALLOW_PRIVATE", False),
        "HUB_WEBHOOK_TIMEOUT_SECONDS": _int(env, "HUB_WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1),
        "HUB_LOG_LEVEL": env.get("HUB_LOG_LEVEL", "INFO"),
        "HUB_LOG_FORMAT": _log_format(env, hub_env),
        # Who may read /metrics (after ProxyFix); anyone else gets 404. Empty: no /metrics at all.
        "HUB_METRICS_ALLOW": _networks(env, "HUB_METRICS_ALLOW", "127.0.0.1/32,::1/128"),
        # PostgreSQL: how long a connection may stay silent before the server's liveness is checked.
        "HUB_DB_SILENCE_MS": _int(env, "HUB_DB_SILENCE_MS", 1000, minimum=50),
        "HUB_DB_STATEMENT_TIMEOUT_MS": _statement_timeout_ms(env),
        # Empty: the copies the hub serves itself (see hub_api/static/docs). A URL: that CDN.
        "HUB_SWAGGER_UI_URL": env.get("HUB_SWAGGER_UI_URL", ""),
        "HUB_REDOC_URL": env.get("HUB_REDOC_URL", ""),
    }
