"""Tortoise ORM configuration (aerich reads `TORTOISE_ORM`) and the app's init/close.

SQLite paths in DATABASE_URL are relative to the working directory; `var/` is created on demand
so that `make run` needs no setup.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tortoise import Tortoise

from server.settings import ROOT_DIR, get_settings

MODEL_MODULES = [
    "server.accounts.models",
    "server.jobs.models",
    "server.files.models",
    "server.receipts.models",
]


def tortoise_config(database_url: str | None = None) -> dict[str, Any]:
    url = database_url or get_settings().database_url
    if url.startswith("sqlite://") and url != "sqlite://:memory:":
        Path(url.removeprefix("sqlite://")).parent.mkdir(parents=True, exist_ok=True)
    return {
        "connections": {"default": url},
        "apps": {
            "models": {"models": [*MODEL_MODULES, "aerich.models"], "default_connection": "default"}
        },
        "use_tz": True,
        "timezone": "UTC",
    }


TORTOISE_ORM = tortoise_config()


async def init_db(database_url: str | None = None) -> None:
    await Tortoise.init(config=tortoise_config(database_url), _enable_global_fallback=True)


async def close_db() -> None:
    await Tortoise.close_connections()


def dialect_of(database_url: str) -> str:
    if database_url.startswith("sqlite"):
        return "sqlite"
    if database_url.startswith(("asyncpg", "postgres", "psycopg")):
        return "postgres"
    raise ValueError(f"Unsupported DATABASE_URL scheme: {database_url.split(':', 1)[0]}")


def migrations_location(database_url: str) -> str:
    """aerich writes dialect-specific SQL, so each dialect keeps its own migration tree."""
    return str(ROOT_DIR / "migrations" / dialect_of(database_url))


async def apply_migrations(database_url: str | None = None) -> list[str]:
    """Apply every pending aerich migration; returns the files applied (idempotent)."""
    from aerich import Command

    url = database_url or get_settings().database_url
    async with Command(tortoise_config(url), location=migrations_location(url)) as command:
        return await command.upgrade(run_in_transaction=True)


async def make_migration(database_url: str, name: str) -> str | None:
    """Generate the next migration for one dialect. The scratch database must already be at the
    latest migration (`python -m server migrate` in its own process first: aerich reads the last
    applied version when a command opens, and Tortoise cannot be re-initialised in one process).
    Returns the new file name, "initial", or None when the models did not change."""
    from aerich import Command

    location = migrations_location(database_url)
    async with Command(tortoise_config(database_url), location=location) as command:
        if not (Path(location) / "models").exists():
            await command.init_db(safe=True)
            return "initial"
        return await command.migrate(name, no_input=True)
