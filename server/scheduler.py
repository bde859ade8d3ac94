"""Periodic tasks: declared once (`periodic_tasks`), run by arq cron in the worker (production,
REDIS_URL set) or by `Scheduler` inside the API process (embedded defaults, no Redis).

A task runs every `every` seconds or at `cron` times (arq's fields: month, day, weekday, hour,
minute, second). Time is cut into slots aligned on the clock (every 30 s: :00 and :30 of each
minute; cron: between two matching times), the same in every process. To run a slot, a
process takes the task's lease (`TaskLock`) until the slot ends: another process (or a second
arq worker firing the same cron) finds it taken and skips that slot, so each task runs at most
once per slot across the fleet and never twice at the same time (a run that outlasts its slot
keeps extending the lease). Leases live in Redis (SET NX PX, `RedisTaskLock`) for the workers'
cron jobs; the in-process scheduler keeps them as PostgreSQL advisory locks (`PostgresTaskLock`:
several API processes on one database) or, on SQLite, in memory (one process).

Adding a retention rule, sweeper or reconciler: one `PeriodicTask` in `periodic_tasks`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import math
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

from server.settings import Settings

log = logging.getLogger("scanbase.scheduler")

# Intervals arq cron can express exactly: divisors of a minute, an hour (in minutes), a day
# (in hours). Another interval runs at the largest of these below it (more often, never less).
_CRON_INTERVALS = sorted(
    {s for s in range(1, 61) if 60 % s == 0}
    | {60 * m for m in range(1, 61) if 60 % m == 0}
    | {3600 * h for h in range(1, 25) if 24 % h == 0}
)
# While a run lasts, its lease is pushed this far ahead, every third of it.
_RUNNING_LEASE = 30.0


@dataclass(frozen=True)
class Cron:
    """arq cron fields (None: any); `second` defaults to 0 as in arq."""

    month: set[int] | int | None = None
    day: set[int] | int | None = None
    weekday: set[int] | int | None = None
    hour: set[int] | int | None = None
    minute: set[int] | int | None = None
    second: set[int] | int | None = 0

    def fields(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass(frozen=True)
class PeriodicTask:
    """One periodic task: `run(settings)` every `every` seconds, or at `cron` times."""

    name: str
    run: Callable[[Settings], Awaitable[object]]
    every: float | None = None
    cron: Cron | None = None

    def __post_init__(self) -> None:
        if (self.every is None) == (self.cron is None):
            raise ValueError(f"periodic task {self.name}: give `every` or `cron`, not both")
        if self.every is not None and self.every <= 0:
            raise ValueError(f"periodic task {self.name}: `every` must be > 0")

    def next_run(self, after: float) -> float:
        """The start of the first slot after `after` (a Unix time), the same in every process."""
        if self.every is not None:
            return (math.floor(after / self.every) + 1) * self.every
        from arq.cron import next_cron

        assert self.cron is not None
        previous = datetime.fromtimestamp(after, UTC)
        return next_cron(previous, **self.cron.fields(), microsecond=0).timestamp()

    def arq_cron_fields(self) -> dict[str, Any]:
        """The arq `cron(...)` fields that fire at this task's slot starts."""
        if self.cron is not None:
            return self.cron.fields()
        assert self.every is not None
        every = max([s for s in _CRON_INTERVALS if s <= self.every] or [1])
        if every != self.every:
            log.warning(
                "periodic task %s: every %gs is not a cron interval; it runs every %ds",
                self.name,
                self.every,
                every,
            )
        if every < 60:
            return {"second": set(range(0, 60, every))}
        if every < 3600:
            return {"minute": set(range(0, 60, every // 60)), "second": 0}
        return {"hour": set(range(0, 24, every // 3600)), "minute": 0, "second": 0}


# --- the declaration -------------------------------------------------------------------------


async def _recover_jobs(settings: Settings) -> object:
    from server.jobs.services import recover_jobs, stale_after

    return await recover_jobs(queued_for=stale_after(settings))


async def _reconcile_documents(settings: Settings) -> object:
    from server.jobs.services import reconcile_documents

    return await reconcile_documents()


async def _sweep_blobs(settings: Settings) -> object:
    from server.files.sweeper import sweep_blobs

    return await sweep_blobs(settings)


async def _dispatch_outbox(settings: Settings) -> object:
    from server.outbox.dispatcher import SWEEP_BATCH, dispatch_due

    delivered = 0
    while (batch := await dispatch_due()) >= SWEEP_BATCH:  # a full batch: more are waiting
        delivered += batch
    return delivered + batch


def periodic_tasks(settings: Settings) -> list[PeriodicTask]:
    """Every periodic task of the service (the worker and the in-process scheduler run these)."""
    tasks = [
        # Retries jobs whose worker died while other workers keep running (server.jobs).
        PeriodicTask("recover-jobs", _recover_jobs, every=settings.job_recovery_seconds),
        # Documents left inconsistent with their jobs (each domain registers its reconciler).
        PeriodicTask(
            "reconcile-documents", _reconcile_documents, every=settings.job_recovery_seconds
        ),
    ]
    # Outbox rows whose delivery was lost or is due for a retry (server/outbox).
    tasks.append(
        PeriodicTask("dispatch-outbox", _dispatch_outbox, every=settings.outbox_sweep_seconds)
    )
    if settings.sweep_interval_seconds > 0:
        # Orphan, expired and temporary blobs (server/files/sweeper.py).
        tasks.append(
            PeriodicTask("sweep-blobs", _sweep_blobs, every=settings.sweep_interval_seconds)
        )
    return tasks


# --- leases ------------------------------------------------------------------------------------


class TaskLock(Protocol):
    def hold(self, name: str, *, until: float) -> AbstractAsyncContextManager[bool]:
        """Take `name`'s lease until the Unix time `until` (kept while the body runs): yields
        whether it was free. Leaving the body releases it only if `until` has passed."""
        ...


@dataclass
class MemoryTaskLock:
    """Leases of one process (the in-process scheduler); `clock` is replaceable for tests."""

    clock: Callable[[], float] = time.time
    _leases: dict[str, float] = field(default_factory=dict)

    @asynccontextmanager
    async def hold(self, name: str, *, until: float) -> AsyncIterator[bool]:
        if self._leases.get(name, -math.inf) > self.clock():
            yield False
            return
        self._leases[name] = math.inf  # held while running, whatever the clock says
        try:
            yield True
        finally:
            self._leases[name] = until


# Extend or end a lease only if it is still ours (another process may hold it since).
_EXTEND = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  if tonumber(ARGV[2]) > 0 then return redis.call('pexpire', KEYS[1], ARGV[2]) end
  return redis.call('del', KEYS[1])
end
return 0
"""


@dataclass
class RedisTaskLock:
    """Leases in Redis, shared by every process on REDIS_URL (SET NX PX with a token)."""

    redis: Any
    prefix: str = "scanbase:periodic:"

    @asynccontextmanager
    async def hold(self, name: str, *, until: float) -> AsyncIterator[bool]:
        key, token = self.prefix + name, uuid.uuid4().hex
        first = max(until - time.time(), _RUNNING_LEASE)
        if not await self.redis.set(key, token, nx=True, px=int(first * 1000)):
            yield False
            return

        async def keep() -> None:
            while True:
                await asyncio.sleep(_RUNNING_LEASE / 3)
                lease = max(until - time.time(), _RUNNING_LEASE)
                await self.redis.eval(_EXTEND, 1, key, token, int(lease * 1000))

        keeper = asyncio.create_task(keep())
        try:
            yield True
        finally:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper
            remaining = int((until - time.time()) * 1000)
            try:
                await self.redis.eval(_RELEASE, 1, key, token, max(remaining, 0))
            except Exception:  # the lease expires on its own
                log.warning("could not release the lease of %s", name, exc_info=True)


class PostgresTaskLock:
    """Leases as PostgreSQL session advisory locks, for several API processes without Redis.

    One connection of its own per process (not the pool's: a lease is kept until its slot
    ends, idle, and must not starve requests). A lease is an advisory lock on that connection,
    released at the end of its slot (or of the run, if later); a dead process's connection
    closes and PostgreSQL drops its leases at once.
    """

    def __init__(self, database_url: str, *, namespace: str = "scanbase:periodic:") -> None:
        parts = urlsplit(database_url)
        # Tortoise's pool parameters (maxsize...) mean nothing to a single connection.
        self._dsn = urlunsplit(("postgresql", parts.netloc, parts.path, "", ""))
        self._namespace = namespace
        self._connection: Any = None
        self._guard = asyncio.Lock()  # one query at a time on the connection
        self._releases: set[asyncio.Task[None]] = set()

    def _key(self, name: str) -> int:
        digest = hashlib.blake2b(f"{self._namespace}{name}".encode(), digest_size=8).digest()
        return int.from_bytes(digest, "big", signed=True)

    async def _query(self, sql: str, key: int) -> Any:
        async with self._guard:
            if self._connection is None or self._connection.is_closed():
                import asyncpg

                self._connection = await asyncpg.connect(self._dsn)
            return await self._connection.fetchval(sql, key)

    @asynccontextmanager
    async def hold(self, name: str, *, until: float) -> AsyncIterator[bool]:
        key = self._key(name)
        if not await self._query("SELECT pg_try_advisory_lock($1)", key):
            yield False
            return
        try:
            yield True
        finally:
            release = asyncio.create_task(self._release_at(key, until))
            self._releases.add(release)
            release.add_done_callback(self._releases.discard)

    async def _release_at(self, key: int, until: float) -> None:
        await asyncio.sleep(max(until - time.time(), 0.0))
        try:
            await self._query("SELECT pg_advisory_unlock($1)", key)
        except Exception:  # the connection is gone, and the lock with it
            log.warning("could not release a periodic task's advisory lock", exc_info=True)

    async def close(self) -> None:
        """Drop every lease (closing the connection releases its advisory locks)."""
        for release in list(self._releases):
            release.cancel()
        if self._connection is not None:
            await self._connection.close()
            self._connection = None


def lock_for(settings: Settings) -> TaskLock:
    """The in-process scheduler's leases: in PostgreSQL when the database is PostgreSQL (several
    API processes may share it), in memory on SQLite (one process)."""
    if settings.database_url.startswith(("asyncpg", "postgres")):
        return PostgresTaskLock(settings.database_url)
    return MemoryTaskLock()


# --- running -----------------------------------------------------------------------------------


async def run_once(task: PeriodicTask, settings: Settings, lock: TaskLock, *, until: float) -> bool:
    """Run `task` for the slot ending at `until` unless another process has it; True when it
    ran here. A failure is logged (the next slot tries again), never raised."""
    async with lock.hold(task.name, until=until) as acquired:
        if not acquired:
            return False
        try:
            await task.run(settings)
        except Exception:
            log.warning("periodic task %s failed; will try again", task.name, exc_info=True)
        return True


class Scheduler:
    """Runs periodic tasks in this process, each in the current slot when due."""

    def __init__(
        self,
        tasks: list[PeriodicTask],
        settings: Settings,
        *,
        lock: TaskLock | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.tasks = tasks
        self.settings = settings
        self.lock = lock or MemoryTaskLock(clock)
        self.clock = clock
        self.runs: dict[str, int] = {task.name: 0 for task in tasks}  # ran here (tests, logs)

    async def run_due(self, task: PeriodicTask, now: float, *, last: float | None) -> float:
        """Run `task` if a slot started since `last` (None: never ran); returns the next start."""
        next_start = task.next_run(now)
        due = last is None or task.next_run(last) <= now
        if due and await run_once(task, self.settings, self.lock, until=next_start):
            self.runs[task.name] += 1
        return next_start

    async def _loop(self, task: PeriodicTask) -> None:
        last: float | None = self.clock()  # startup already recovered; start with the next slot
        while True:
            now = self.clock()
            next_start = await self.run_due(task, now, last=last)
            last = now
            await asyncio.sleep(max(next_start - self.clock(), 0.0))

    @asynccontextmanager
    async def running(self) -> AsyncIterator[Scheduler]:
        """Run every task's loop while the context lasts."""
        loops = [asyncio.create_task(self._loop(task), name=task.name) for task in self.tasks]
        try:
            yield self
        finally:
            for loop in loops:
                loop.cancel()
            for loop in loops:
                with contextlib.suppress(asyncio.CancelledError):
                    await loop
            close = getattr(self.lock, "close", None)
            if close is not None:
                await close()


def arq_cron_jobs(settings: Settings) -> list[Any]:
    """The periodic tasks as arq cron jobs (the worker's `cron_jobs`): arq's unique jobs fire
    each slot once across the workers, and the Redis lease keeps a long run from overlapping
    the next one."""
    from arq.cron import cron

    jobs = []
    lease_prefix = f"{settings.job_queue_name}:periodic:"
    for task in periodic_tasks(settings):

        async def fire(ctx: dict[str, Any], task: PeriodicTask = task) -> bool:
            lock = RedisTaskLock(ctx["redis"], prefix=lease_prefix)
            until = task.next_run(time.time())
            return await run_once(task, ctx["settings"], lock, until=until)

        jobs.append(
            cron(
                fire,
                # arq's unique ids and the leases are per Redis database: the queue name keeps
                # two deployments sharing one apart.
                name=f"{settings.job_queue_name}:periodic:{task.name}",
                **task.arq_cron_fields(),
                unique=True,
                max_tries=1,
                keep_result=0,
            )
        )
    return jobs
