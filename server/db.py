"""Tortoise ORM configuration (aerich reads `TORTOISE_ORM`) and the app's init/close.

SQLite paths in DATABASE_URL are relative to the working directory; `var/` is created on demand
so that `make run` needs no setup.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import zlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from tortoise import Tortoise
from tortoise.backends.base.config_generator import expand_db_url

from server.settings import ROOT_DIR, get_settings

MODEL_MODULES = [
    "server.accounts.models",
    "server.jobs.models",
    "server.files.models",
    "server.receipts.models",
    "server.outbox.models",
    "server.companies.models",
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


# pg_advisory_lock key of migrations: fixed, so every process of every version agrees on it.
MIGRATION_LOCK_KEY = zlib.crc32(b"scanbase:migrations")


@contextlib.asynccontextmanager
async def migration_lock(database_url: str) -> AsyncIterator[None]:
    """One migrating process per database at a time. Without it, processes started together (every
    replica ran `migrate` at start) each read "nothing applied" and created the same tables:
    duplicate `pg_type` keys, or a migration applied twice.

    PostgreSQL: a session advisory lock on a dedicated connection held for the whole migration
    (the server drops it if the process dies). SQLite: an exclusive `flock` on `<file>.migrate.lock`.
    """
    if dialect_of(database_url) == "postgres":
        import asyncpg

        creds = expand_db_url(database_url)["credentials"]
        conn = await asyncpg.connect(
            host=creds.get("host"),
            port=creds.get("port"),
            user=creds.get("user"),
            password=creds.get("password"),
            database=creds.get("database"),
            **({"ssl": creds["ssl"]} if "ssl" in creds else {}),
        )
        try:
            await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
            try:
                yield
            finally:
                await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_KEY)
        finally:
            await conn.close()
        return
    path = database_url.removeprefix("sqlite://")
    if path == ":memory:":  # private to this process: nothing to share
        yield
        return
    lock_path = Path(path + ".migrate.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        await asyncio.to_thread(fcntl.flock, fd, fcntl.LOCK_EX)
        yield  # closing the descriptor releases the lock
    finally:
        os.close(fd)


async def apply_migrations(database_url: str | None = None) -> list[str]:
    """Apply every pending aerich migration under the migration lock; returns the files applied
    (idempotent: a process that waited for another one applies nothing)."""
    from aerich import Command

    url = database_url or get_settings().database_url
    # The lock comes first: aerich reads the applied versions when the command opens.
    async with (
        migration_lock(url),
        Command(tortoise_config(url), location=migrations_location(url)) as command,
    ):
        return await command.upgrade(run_in_transaction=True)


# SQLite stores every integer column as 64-bit and keeps no column comments, so widening an
# integer (IntField -> BigIntField) or changing a comment changes nothing on disk; aerich refuses
# every column change there, which would block the PostgreSQL migration that does need them.
_SQLITE_NOOP_TYPES = {"IntField", "BigIntField", "SmallIntField"}


def _sqlite_tolerates_noop_changes() -> None:
    """Let aerich write nothing (instead of refusing) for those changes on SQLite; every other
    column change is still refused by aerich itself."""
    from aerich.ddl.sqlite import SqliteDDL
    from aerich.migrate import Migrate

    if getattr(SqliteDDL, "_scanbase_patched", False):
        return
    refuse = SqliteDDL.modify_column
    add_operator = Migrate._add_operator.__func__  # type: ignore[attr-defined]

    def modify_column(self: Any, model: Any, field: dict[str, Any], is_pk: bool = True) -> str:
        if field.get("field_type") in _SQLITE_NOOP_TYPES:
            return ""
        return refuse(self, model, field, is_pk)

    def skip_empty(cls: Any, operator: str, *args: Any, **kwargs: Any) -> None:
        if operator.strip(" ;\n"):
            add_operator(cls, operator, *args, **kwargs)

    SqliteDDL.modify_column = modify_column  # type: ignore[method-assign]
    SqliteDDL.set_comment = lambda self, model, field: ""  # type: ignore[method-assign]
    Migrate._add_operator = classmethod(skip_empty)  # type: ignore[method-assign, assignment]
    SqliteDDL._scanbase_patched = True  # type: ignore[attr-defined]


async def make_migration(database_url: str, name: str) -> str | None:
    """Generate the next migration for one dialect. The scratch database must already be at the
    latest migration (`python -m server migrate` in its own process first: aerich reads the last
    applied version when a command opens, and Tortoise cannot be re-initialised in one process).
    Returns the new file name, "initial", or None when the models did not change."""
    from aerich import Command

    if dialect_of(database_url) == "sqlite":
        _sqlite_tolerates_noop_changes()
    location = migrations_location(database_url)
    async with Command(tortoise_config(database_url), location=location) as command:
        if not (Path(location) / "models").exists():
            await command.init_db(safe=True)
            return "initial"
        return await command.migrate(name, no_input=True)
