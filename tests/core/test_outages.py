"""Outages: Redis and the database going away and coming back.

Redis is a private `redis-server` on a free port (started, killed with SIGKILL and restarted by
the test; without persistence, so whatever was queued in it is lost too), never the shared one.
The Redis outage lasts OUTAGE_SECONDS (3 by default; `OUTAGE_SECONDS=30` for the long run the
issue describes). The database outage is a connection to a port nobody listens on and, on
PostgreSQL, this test's backends terminated with pg_terminate_backend.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import socket
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from tortoise import connections
from tortoise.backends.base.config_generator import expand_db_url

from server.files.models import StoredFile
from server.jobs import registry, services
from server.jobs.models import Job, JobStatus
from server.jobs.runtime import using
from server.queue import ArqQueue
from tests.conftest import IN_CI, REPO_ROOT, TEST_DB_BACKEND, data_of
from tests.factories import make_user
from tests.files.uploads import text_image, upload
from tests.jobs.conftest import wait_for

OUTAGE_SECONDS = float(os.environ.get("OUTAGE_SECONDS", "3"))
ME = "query Me { me { id email } }"
EXTRACT = """
mutation Extract($input: ExtractTextInput!) {
  extractText(input: $input) { file { id } job { id } errors { code message } }
}"""
UNAVAILABLE = {"code": "SERVICE_UNAVAILABLE", "retryable": True}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A private redis-server that a test can kill and start again on the same port."""

    def __init__(self, binary: str, workdir: Path) -> None:
        self.binary, self.workdir = binary, workdir
        self.port = free_port()
        self.process: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--dir", str(self.workdir),
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while True:
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", self.port)
                writer.close()
                return
            except OSError:
                assert time.monotonic() < deadline, "redis-server did not start"
                await asyncio.sleep(0.05)

    async def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()


@pytest_asyncio.fixture
async def own_redis(tmp_path: Path) -> AsyncIterator[RedisServer]:
    binary = shutil.which("redis-server")
    if binary is None:
        if IN_CI:
            pytest.fail("redis-server is not installed: the Redis outage tests must run in CI")
        pytest.skip("redis-server not installed: Redis outage tests skipped")
    server = RedisServer(binary, tmp_path)
    await server.start()
    try:
        yield server
    finally:
        await server.kill()


@contextmanager
def handler_kind() -> Iterator[str]:
    """A job kind registered here too (create_job checks it); the worker process runs it."""

    async def not_here(job: Job, report: Any) -> None:
        raise AssertionError("runs in the worker process only")

    kind = f"outage.{secrets.token_hex(4)}"
    registry.register_handler(kind, not_here)
    try:
        yield kind
    finally:
        registry.unregister_handler(kind)


# --- Redis ---------------------------------------------------------------------------------


@pytest.mark.slow
async def test_a_worker_rides_out_a_redis_outage_losing_and_repeating_no_job(
    database_url, app, own_redis, tmp_path
):
    # given: a real worker process on the private Redis, 8 jobs in flight and room for more
    queue_name = f"scanbase:outage:{secrets.token_hex(4)}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": own_redis.url,
        "JOB_QUEUE_NAME": queue_name,
        "JOB_CONCURRENCY": "10",
        "JOB_HEARTBEAT_SECONDS": "0.2",
        "JOB_RECOVERY_SECONDS": "0.5",
        "OUTAGE_JOB_SECONDS": "1.5",
        "LOG_JSON": "false",
        "LOG_LEVEL": "WARNING",
    }
    account = await make_user()
    queue = ArqQueue(own_redis.url, queue_name=queue_name)
    await queue.start()
    log_path = tmp_path / "worker.log"
    worker = None
    with handler_kind() as kind, using(queue=queue):
        try:
            with log_path.open("ab") as log:
                worker = await asyncio.create_subprocess_exec(
                    sys.executable, "-m", "tests.core.outage_worker", kind, str(tmp_path),
                    cwd=REPO_ROOT, env=env, stdout=log, stderr=log,
                )  # fmt: skip
            jobs = [await services.create_job(owner=account.user, kind=kind) for _ in range(8)]
            runs = tmp_path / "runs"
            deadline = time.monotonic() + 60
            while not runs.exists() or len(runs.read_text().splitlines()) < 8:
                assert worker.returncode is None, log_path.read_text()
                assert time.monotonic() < deadline, log_path.read_text()
                await asyncio.sleep(0.02)

            # when: Redis dies with the deliveries it held; uploads keep creating jobs meanwhile
            await own_redis.kill()
            jobs += [await services.create_job(owner=account.user, kind=kind) for _ in range(4)]
            await asyncio.sleep(OUTAGE_SECONDS)
            alive_through_the_outage = worker.returncode is None
            await own_redis.start()
            done = [
                await wait_for(job.id, JobStatus.SUCCEEDED, JobStatus.FAILED, within=60)
                for job in jobs
            ]
            await asyncio.sleep(1.0)  # room for a duplicate run to show up
            still_running = worker.returncode is None
        finally:
            if worker is not None and worker.returncode is None:
                worker.terminate()
                await asyncio.wait_for(worker.wait(), 20)
            await queue.close()

    # then: the worker stayed up and came back by itself, both where it polls for jobs and where
    # it records their end; every job ran exactly once
    log = log_path.read_text()
    assert alive_through_the_outage and still_running, log
    assert "Redis is back after" in log and ": polling for jobs" in log, log
    assert ": recording the end of delivery" in log, log
    assert [(job.status, job.attempts) for job in done] == [(JobStatus.SUCCEEDED, 1)] * 12, log
    started = Counter(line.split()[0] for line in runs.read_text().splitlines())
    assert started == Counter({str(job.id): 1 for job in jobs})
    assert worker is not None
    assert {(job.result or {}).get("pid") for job in done} == {worker.pid}


async def test_reads_answer_and_uploads_are_retryable_while_redis_is_down(client, gql, own_redis):
    # given: this API process enqueues to the private Redis
    account = await make_user()
    queue = ArqQueue(own_redis.url, queue_name=f"scanbase:outage:{secrets.token_hex(4)}")
    await queue.start()
    image = text_image(["TOTAL 12.50"])
    files = {"variables.input.file": ("r.png", image, "image/png")}
    try:
        with using(queue=queue):
            # when: Redis is down
            await own_redis.kill()
            read = await gql(ME, token=account.token)
            refused = await upload(client, EXTRACT, files, {"input": {}}, token=account.token)
            stored_meanwhile = await StoredFile.filter(owner_id=account.user.id).count()
            # and when it is back
            await own_redis.start()
            accepted = await upload(client, EXTRACT, files, {"input": {}}, token=account.token)
    finally:
        await queue.close()

    # then: reads are answered, the upload is refused retryable and stores nothing
    assert data_of(read)["me"]["email"] == account.email
    assert refused.status_code == 200
    error = refused.json()["errors"][0]
    assert error["extensions"] == UNAVAILABLE
    assert "unavailable" in error["message"]
    assert stored_meanwhile == 0
    payload = data_of(accepted.json())["extractText"]
    assert payload["errors"] == [] and payload["job"]["id"]


# --- the database --------------------------------------------------------------------------


def _client_for(url: str, **extra: Any) -> Any:
    """A Tortoise client (not yet connected) for `url`, as the default connection's stand-in."""
    config = expand_db_url(url)
    module = __import__(config["engine"], fromlist=["client_class"])
    return module.client_class(connection_name="default", **config["credentials"], **extra)


async def test_a_database_that_cannot_be_reached_is_a_retryable_error_not_a_masked_one(
    database_url, gql
):
    # given: a user with a valid token, and a database server that stopped listening
    account = await make_user()
    unreachable = _client_for(f"asyncpg://postgres@127.0.0.1:{free_port()}/gone")
    token = connections.set("default", unreachable)
    try:
        # when
        result = await gql(ME, token=account.token)
    finally:
        connections.reset(token)
        await unreachable.close()

    # then
    assert result["data"] == {"me": None}
    error = result["errors"][0]
    assert error["extensions"] == UNAVAILABLE
    assert error["message"] != "Internal server error."
    assert error["path"] == ["me"]


@pytest.mark.skipif(TEST_DB_BACKEND != "postgres", reason="PostgreSQL only (pg_terminate_backend)")
async def test_a_query_whose_postgres_connection_is_terminated_is_retryable_then_reconnects(
    database_url, gql
):
    # given: a request waiting on PostgreSQL (another session locks the users table)
    import asyncpg

    account = await make_user()
    name = f"scanbase-outage-{secrets.token_hex(3)}"
    client = _client_for(database_url, application_name=name, minsize=1, maxsize=2)
    token = connections.set("default", client)
    admin = await asyncpg.connect(database_url.replace("asyncpg://", "postgresql://", 1))
    try:
        before = await gql(ME, token=account.token)
        locker = admin.transaction()
        await locker.start()
        await admin.execute("LOCK TABLE users IN ACCESS EXCLUSIVE MODE")
        waiting = asyncio.create_task(gql(ME, token=account.token))
        deadline = time.monotonic() + 10
        while not await admin.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1"
            " AND wait_event_type = 'Lock'",
            name,
        ):
            assert time.monotonic() < deadline, "the request never waited on the lock"
            await asyncio.sleep(0.02)
        # when: the server drops its connection (a failover, a restart, an administrator)
        killed = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE application_name = $1",
            name,
        )
        during = await asyncio.wait_for(waiting, 10)
        await locker.rollback()
        after = await gql(ME, token=account.token)
    finally:
        connections.reset(token)
        await client.close()
        await admin.close()

    # then: the request that lost its connection may retry; the next one reconnects
    assert data_of(before)["me"]["email"] == account.email
    assert killed >= 1
    assert during["errors"][0]["extensions"] == UNAVAILABLE, during
    assert data_of(after)["me"]["email"] == account.email
