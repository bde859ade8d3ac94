"""Fixtures of the jobs tests: throw-away handler kinds, a gate in front of the queue, fast
timings, the real Redis (TEST_REDIS_URL) and a live uvicorn server for websocket tests.

The session app runs jobs on the in-process runner with the in-memory broker; Redis tests swap in
an arq queue and a Redis broker for their duration (`server.jobs.runtime.using`).
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import socket
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import pytest
import pytest_asyncio
import uvicorn

from server.events import RedisBroker
from server.jobs import registry
from server.jobs.models import Job, JobStatus
from server.jobs.runtime import using
from server.queue import ArqQueue, JobQueue, current_queue
from server.settings import get_settings
from tests.conftest import IN_CI, TEST_REDIS_URL

Register = Callable[..., str]


@pytest.fixture
def register_kind() -> Iterator[Register]:
    """`register_kind(handler, policy=...)` -> a unique kind name, unregistered after the test."""
    kinds: list[str] = []

    def register(
        handler: registry.JobHandler,
        prefix: str = "test",
        policy: registry.JobPolicy | None = None,
    ) -> str:
        kind = f"{prefix}.{secrets.token_hex(4)}"
        registry.register_handler(kind, handler, policy=policy)
        kinds.append(kind)
        return kind

    yield register
    for kind in kinds:
        registry.unregister_handler(kind)


@pytest.fixture
def fast_jobs(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Short heartbeats and retry delays, so retries, lost workers and hard cancels take ms."""
    settings = get_settings()
    monkeypatch.setattr(settings, "job_heartbeat_seconds", 0.05)
    monkeypatch.setattr(settings, "job_retry_delay_seconds", 0.01)
    return settings


class GatedQueue(JobQueue):
    """Holds deliveries until `release()`, so a test can look at a job while it is QUEUED."""

    name = "gated"

    def __init__(self, inner: JobQueue) -> None:
        self.inner = inner
        self.held: list[tuple[uuid.UUID, int, float]] = []
        self.is_open = False

    async def enqueue(self, job_id: uuid.UUID, attempt: int, *, delay: float = 0.0) -> bool:
        if self.is_open:
            return await self.inner.enqueue(job_id, attempt, delay=delay)
        self.held.append((job_id, attempt, delay))
        return True

    async def release(self) -> None:
        self.is_open = True
        held, self.held = self.held, []
        for job_id, attempt, delay in held:
            await self.inner.enqueue(job_id, attempt, delay=delay)

    async def ping(self) -> str:
        return "ok (gated)"


@pytest.fixture
def gate(app: Any) -> Iterator[GatedQueue]:
    """The app's queue behind a gate, for the duration of the test."""
    gated = GatedQueue(current_queue())
    with using(queue=gated):
        yield gated


async def wait_for(
    job_id: uuid.UUID,
    *statuses: JobStatus,
    within: float = 5.0,
    check: Callable[[Job], bool] | None = None,
) -> Job:
    """Poll the row until it has one of `statuses` (and passes `check`) within `within` s."""
    deadline = time.monotonic() + within
    while True:
        job = await Job.get(id=job_id)
        if job.status in statuses and (check is None or check(job)):
            return job
        assert time.monotonic() < deadline, f"job {job_id} stayed {job.status} (wanted {statuses})"
        await asyncio.sleep(0.01)


async def wait_until(predicate: Callable[[], bool | Awaitable[bool]], within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while True:
        outcome = predicate()
        if isinstance(outcome, Awaitable):
            outcome = await outcome
        if outcome:
            return
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


# --- Redis -----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def redis_url() -> str:
    """TEST_REDIS_URL, reachable; skipped when unset, but a failure in CI (CI=true)."""
    if not TEST_REDIS_URL:
        if IN_CI:
            pytest.fail("CI=true but TEST_REDIS_URL is not set: the Redis jobs tests must run")
        pytest.skip("TEST_REDIS_URL not set: Redis-backed queue/events tests skipped (CI sets it)")
    import redis

    try:
        redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:
        if IN_CI:
            pytest.fail(f"Redis at TEST_REDIS_URL is unreachable in CI: {exc}")
        pytest.skip(f"Redis at TEST_REDIS_URL unreachable: {exc}")
    return TEST_REDIS_URL


@pytest.fixture(scope="session")
def queue_name() -> str:
    """An arq queue of this test session only: sessions sharing a Redis never steal jobs."""
    return f"scanbase:test-jobs:{secrets.token_hex(4)}"


@pytest_asyncio.fixture
async def redis_broker(redis_url: str) -> AsyncIterator[RedisBroker]:
    broker = RedisBroker(redis_url)
    await broker.start()
    try:
        yield broker
    finally:
        await broker.close()


@pytest_asyncio.fixture
async def arq_runtime(
    app: Any, redis_url: str, queue_name: str, redis_broker: RedisBroker
) -> AsyncIterator[ArqQueue]:
    """This process enqueues to arq on the real Redis and publishes through Redis pub/sub."""
    queue = ArqQueue(redis_url, queue_name=queue_name)
    await queue.start()
    try:
        with using(queue=queue, events=redis_broker):
            yield queue
    finally:
        assert queue.pool is not None
        await queue.pool.delete(queue_name)
        await queue.close()


async def run_burst_worker(redis_url: str, queue_name: str, *, concurrency: int = 4) -> Any:
    """An arq worker in this process, in burst mode: returns once the queue is empty."""
    from arq.worker import Worker

    from jobs.worker import worker_options

    settings = get_settings().model_copy(
        update={"job_queue_name": queue_name, "job_concurrency": concurrency}
    )
    worker = Worker(
        **worker_options(settings, redis_url=redis_url, standalone=False),
        burst=True,
        handle_signals=False,
    )
    try:
        await asyncio.wait_for(worker.async_run(), 30)
    finally:
        await worker.close()
    return worker


# --- a live server for websockets ------------------------------------------------------------


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield  # leave Ctrl-C to pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest_asyncio.fixture(scope="session")
async def live_url(app: Any) -> AsyncIterator[str]:
    """The session app served by uvicorn on loopback (its lifespan already runs)."""
    port = free_port()
    server = _Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    deadline = time.monotonic() + 10
    while not server.started:
        assert not task.done(), "uvicorn stopped during startup"
        assert time.monotonic() < deadline, "uvicorn did not start"
        await asyncio.sleep(0.01)
    try:
        yield f"ws://127.0.0.1:{port}/graphql"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)
