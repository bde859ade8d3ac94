"""`python -m server migrate` started by several processes at once (every replica used to run it at
start) applies each migration exactly once: a lock serialises them (server/db.py)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, TEST_DATABASE_URL, run_migrations

PROCESSES = 3
ROUNDS = 3


def _migrations(dialect: str) -> list[str]:
    # In the order they apply: by their number (as text, "10_..." would sort before "1_...").
    names = (p.name for p in (REPO_ROOT / "migrations" / dialect / "models").glob("*.py"))
    return sorted(names, key=lambda name: int(name.split("_", 1)[0]))


async def _migrate_together(database_url: str) -> list[subprocess.CompletedProcess[str]]:
    """PROCESSES `migrate` commands started together on one database."""
    env = {**os.environ, "DATABASE_URL": database_url}

    async def one() -> subprocess.CompletedProcess[str]:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "server", "migrate",
            cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(process.communicate(), 120)
        return subprocess.CompletedProcess([], process.returncode or 0, out.decode(), err.decode())

    return list(await asyncio.gather(*(one() for _ in range(PROCESSES))))


def _assert_applied_once(done: list[subprocess.CompletedProcess[str]], count: int) -> None:
    for process in done:
        assert process.returncode == 0, process.stderr[-2000:]
    # "applied N migration(s): ..."
    counts = sorted(int(process.stdout.strip().splitlines()[-1].split()[1]) for process in done)
    # one process applied everything; the others waited for it and found nothing to do
    assert counts == [0] * (PROCESSES - 1) + [count]


@pytest.mark.slow
async def test_concurrent_migrations_on_sqlite_apply_each_once(tmp_path: Path):
    expected = _migrations("sqlite")
    for round_ in range(2):  # the race showed in the first round on PostgreSQL and SQLite
        # given: a fresh SQLite file
        url = f"sqlite://{tmp_path / f'race{round_}.sqlite3'}"
        # when
        done = await _migrate_together(url)
        # then
        _assert_applied_once(done, len(expected))


async def _schema_of(url: str) -> tuple[list[tuple[str, str, str]], list[str]]:
    """Every (table, column, type) of the public schema, and aerich's applied versions."""
    import asyncpg

    conn = await asyncpg.connect(url.replace("asyncpg://", "postgresql://", 1), timeout=5)
    try:
        columns = await conn.fetch(
            "SELECT table_name, column_name, data_type FROM information_schema.columns"
            " WHERE table_schema = 'public' ORDER BY 1, 2"
        )
        versions = await conn.fetch("SELECT version FROM aerich ORDER BY id")
    finally:
        await conn.close()
    return [tuple(row) for row in columns], [row["version"] for row in versions]


@pytest.mark.slow
@pytest.mark.db
@pytest.mark.skipif(
    not TEST_DATABASE_URL, reason="TEST_DATABASE_URL not set: the PostgreSQL race is not run"
)
async def test_concurrent_migrations_on_postgres_apply_each_once_and_complete_the_schema():
    from tests.conftest import _create_pg_database, _drop_pg_database

    expected = _migrations("postgres")
    # the reference: one process alone on a fresh database
    reference_url, reference_name = await _create_pg_database(TEST_DATABASE_URL)
    try:
        await asyncio.to_thread(run_migrations, reference_url)
        reference_columns, _ = await _schema_of(reference_url)
    finally:
        await _drop_pg_database(TEST_DATABASE_URL, reference_name)
    assert reference_columns
    for _ in range(ROUNDS):
        # given: a fresh database
        url, name = await _create_pg_database(TEST_DATABASE_URL)
        try:
            # when: three processes migrate it at the same time
            done = await _migrate_together(url)
            columns, versions = await _schema_of(url)
        finally:
            await _drop_pg_database(TEST_DATABASE_URL, name)
        # then: each migration applied once, and the schema is the one a single process builds
        _assert_applied_once(done, len(expected))
        assert versions == expected
        assert columns == reference_columns
