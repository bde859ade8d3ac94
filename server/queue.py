"""Enqueue jobs by id: arq on Redis when REDIS_URL is set, an in-process runner otherwise.

A queue carries only (job id, attempt number); the `jobs` row is the truth and the runner's
conditional claim decides whether a delivery runs (`server.jobs.running.run_job`). Delivering
twice is therefore harmless, and losing a delivery costs only time: recovery re-enqueues jobs
left QUEUED.

- arq: one function, `run_job`, with arq job id `<job id>:<attempt>`. A retry is a new attempt,
  so it gets a new id and is never deduplicated away, while recovery re-enqueueing a job whose
  delivery is still waiting in Redis is.
- in-process: asyncio tasks with at most `job_concurrency` running at once, so `make run` needs
  nothing else. `close()` waits a short grace period for running attempts, then cancels them;
  the runner puts an interrupted attempt back to QUEUED and the next start picks it up.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from typing import Any

from server.logging_setup import job_id_var
from server.outages import REDIS_DOWN, ServiceUnavailable
from server.settings import Settings

log = logging.getLogger("scanbase.queue")

ARQ_FUNCTION = "run_job"
# How long `ensure_available` waits for Redis to answer a PING before calling it down.
AVAILABILITY_TIMEOUT = 2.0
Runner = Callable[[uuid.UUID, int], Awaitable[object]]


class JobQueue(ABC):
    name: str

    async def start(self) -> None:  # noqa: B027 - optional hook
        """Open connections."""

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Stop accepting work and release connections."""

    @abstractmethod
    async def enqueue(self, job_id: uuid.UUID, attempt: int, *, delay: float = 0.0) -> bool:
        """Deliver attempt `attempt + 1` of a job to a runner, after `delay` seconds.
        Returns False when that delivery is already pending (deduplicated)."""

    @abstractmethod
    async def ping(self) -> str:
        """A short status for /health; raises when the queue is unusable."""

    async def ensure_available(self) -> None:  # noqa: B027 - the in-process queue always is
        """Raise ServiceUnavailable when work enqueued now could not be delivered (Redis down),
        so that a request can be refused, retryable, before it stores anything."""


def arq_job_id(job_id: uuid.UUID, attempt: int) -> str:
    return f"{job_id}:{attempt}"


class ArqQueue(JobQueue):
    name = "arq"

    def __init__(self, redis_url: str | None = None, *, queue_name: str, pool: Any = None) -> None:
        if redis_url is None and pool is None:
            raise ValueError("ArqQueue needs a Redis URL or an arq pool")
        self.redis_url = redis_url
        self.queue_name = queue_name
        self.pool = pool
        self._owns_pool = pool is None

    async def start(self) -> None:
        if self.pool is None:
            from arq import create_pool
            from arq.connections import RedisSettings

            self.pool = await create_pool(
                RedisSettings.from_dsn(self.redis_url or ""), default_queue_name=self.queue_name
            )

    async def close(self) -> None:
        if self.pool is not None and self._owns_pool:
            await self.pool.aclose()
            self.pool = None

    @property
    def _started(self) -> Any:
        """The arq pool: a clear error, not AttributeError on None, when start() was skipped."""
        if self.pool is None:
            raise RuntimeError("the arq queue is used before start()")
        return self.pool

    async def enqueue(self, job_id: uuid.UUID, attempt: int, *, delay: float = 0.0) -> bool:
        queued = await self._started.enqueue_job(
            ARQ_FUNCTION,
            str(job_id),
            attempt,
            _job_id=arq_job_id(job_id, attempt),
            _queue_name=self.queue_name,
            _defer_by=delay if delay > 0 else None,
        )
        return queued is not None

    async def ping(self) -> str:
        depth = await self._started.zcard(self.queue_name)
        return f"ok (arq, {depth} waiting)"

    async def ensure_available(self) -> None:
        try:
            await asyncio.wait_for(self._started.ping(), AVAILABILITY_TIMEOUT)
        except REDIS_DOWN as exc:
            raise ServiceUnavailable(f"the job queue (Redis) is unreachable: {exc}") from exc


class InProcessQueue(JobQueue):
    name = "in-process"

    def __init__(self, runner: Runner, *, concurrency: int, shutdown_grace: float = 5.0) -> None:
        self._runner = runner
        self._slots = asyncio.Semaphore(max(1, concurrency))
        self.concurrency = max(1, concurrency)
        self.shutdown_grace = shutdown_grace
        self._pending: dict[tuple[uuid.UUID, int], asyncio.Task[None]] = {}
        self._running: set[asyncio.Task[None]] = set()
        self._closing = False

    async def enqueue(self, job_id: uuid.UUID, attempt: int, *, delay: float = 0.0) -> bool:
        key = (job_id, attempt)
        if self._closing or key in self._pending:
            return False
        self._pending[key] = asyncio.create_task(self._run(key, delay), name=f"job-{job_id}")
        return True

    async def _run(self, key: tuple[uuid.UUID, int], delay: float) -> None:
        task = asyncio.current_task()
        assert task is not None
        job_id_var.set(str(key[0]))  # this task's log lines name their job
        try:
            if delay > 0:
                await asyncio.sleep(delay)
            async with self._slots:
                # No await between acquiring a slot and being counted as running, so close()
                # sees every task either waiting (cancel at once) or running (grace period).
                self._running.add(task)
                await self._runner(*key)
        except asyncio.CancelledError:
            if not self._closing:
                raise
        except Exception:
            log.exception("job %s attempt %d crashed in the runner", *key)
        finally:
            self._running.discard(task)
            self._pending.pop(key, None)

    async def close(self) -> None:
        self._closing = True
        tasks = list(self._pending.values())
        for task in tasks:
            if task not in self._running:
                task.cancel()
        running = [task for task in tasks if task in self._running]
        if running:
            log.info("waiting up to %.0fs for %d running job(s)", self.shutdown_grace, len(running))
            await asyncio.wait(running, timeout=self.shutdown_grace)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def ping(self) -> str:
        return f"ok (in-process, {len(self._running)} running, {len(self._pending) - len(self._running)} waiting)"

    @property
    def running(self) -> int:
        return len(self._running)


def create_queue(settings: Settings, runner: Runner) -> JobQueue:
    """arq when REDIS_URL is set, else the in-process runner calling `runner`."""
    if settings.redis_url:
        return ArqQueue(settings.redis_url, queue_name=settings.job_queue_name)
    return InProcessQueue(runner, concurrency=settings.job_concurrency)


_current: JobQueue | None = None


def current_queue() -> JobQueue:
    """This process's queue, installed at startup by the job runtime (API or worker)."""
    if _current is None:
        raise RuntimeError("no job queue is running in this process")
    return _current


async def ensure_queue_available() -> None:
    """Raise ServiceUnavailable when this process's queue cannot take work now (none installed:
    nothing to check)."""
    if _current is not None:
        await _current.ensure_available()


def install_queue(queue: JobQueue | None) -> JobQueue | None:
    """Make `queue` this process's queue; returns the previous one (to restore it)."""
    global _current
    previous, _current = _current, queue
    return previous
