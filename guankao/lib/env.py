"""Typed readers for GUANKAO_* environment variables.

Each reader fails loudly (ImproperlyConfigured) on a value it cannot read, so a
typo in production stops the process at start-up instead of running half-set.
"""

import os
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
SQLITE_BUSY_TIMEOUT = 20  # seconds a writer waits for another's transaction on SQLite


def env_str(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r}: expected one of 1/0, true/false, yes/no, on/off")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r}: expected a whole number") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r}: must be at least {minimum}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def parse_database_url(url: str, *, data_dir: str) -> dict:
    """sqlite:///path, sqlite:///:memory: or postgresql://user:pass@host:port/name?opts."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        path = unquote(parts.path)
        if path.startswith("/") and not path.startswith("//"):
            path = path[1:] if path[1:].startswith(":memory:") else path
        if not path:
            path = os.path.join(data_dir, "guankao.sqlite3")
        test = {}
        if path != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
            # Tests use a file beside it, not Django's in-memory default: an in-memory
            # database has neither WAL nor the busy timeout, so tests would not see
            # writers wait for each other as they do in production.
            folder, name = os.path.split(os.path.abspath(path))
            test = {"NAME": os.path.join(folder, f"test_{name}")}
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": path,
            "CONN_MAX_AGE": 60,
            # Every connection: WAL, so that readers never wait for a writer; a writer
            # takes the write lock when its transaction begins (IMMEDIATE) and waits up
            # to `timeout` seconds for another writer's transaction to end, instead of
            # failing at once with "database is locked". Imports keep their write
            # transactions well within it (core/tabular.py, tracking/imports.py).
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": SQLITE_BUSY_TIMEOUT,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            "TEST": test,
        }
    if scheme in ("postgres", "postgresql"):
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ImproperlyConfigured(f"GUANKAO_DATABASE_URL={url!r}: no database name")
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": dict(parse_qsl(parts.query)),
        }
    raise ImproperlyConfigured(
        f"GUANKAO_DATABASE_URL={url!r}: expected sqlite:///path or postgresql://…"
    )
