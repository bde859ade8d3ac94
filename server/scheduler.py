"""Periodic tasks: declared once (`periodic_tasks`), run by arq cron in the worker (production,
REDIS_URL set) or by `Scheduler` inside the API process (embedded defaults, no Redis).

A task runs every `every` seconds or at `cron` times (arq's fields: month, day, weekday, hour,
minute, second). Time is cut into slots aligned on the clock (every 30 s: :00 and :30 of each
minute; cron: between two matching times), the same in every process; an interval cron cannot
express (45 s) is rounded down to one it can (30 s), and the slots follow the rounded one. To
run a slot, a process takes the task's lease (`server.scheduler_locks`) until the slot ends:
another process (or a second arq worker firing the same cron) finds it taken and skips that
slot, so each task runs once per slot across the fleet (a run that outlasts its slot keeps
extending the lease). A run stops at its `timeout`, and is cancelled when its lease is lost
(Redis unreachable until the lease expired, the PostgreSQL connection lost): two runs of a
task may then overlap for the time it takes to notice (~10 s), or a slot run twice. Leases live in Redis
(`RedisTaskLock`) for the workers' cron jobs; the in-process scheduler keeps them as
PostgreSQL advisory locks (`PostgresTaskLock`: several API processes on one database) or, on
SQLite, in memory (one process). A failure, of a task or of its lease store, is logged and
the next slot tries again: the loops never stop.

Adding a retention rule, sweeper or reconciler: one `PeriodicTask` in `periodic_tasks`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from server.scheduler_locks import (
    Lease,
    MemoryTaskLock,
    PostgresTaskLock,
    RedisTaskLock,
    TaskLock,
)
from server.settings import Settings

__all__ = [
    "Cron",
    "Lease",
    "MemoryTaskLock",
    "PeriodicTask",
    "PostgresTaskLock",
    "RedisTaskLock",
    "Scheduler",
    "TaskLock",
    "arq_cron_jobs",
    "lock_for",
    "periodic_tasks",
    "run_once",
]

log = logging.getLogger("scanbase.scheduler")

# Intervals arq cron can express exactly: divisors of a minute, an hour (in minutes), a day
# (in hours). Another interval runs at the largest of these below it (more often, never less).
_CRON_INTERVALS = sorted(
    {s for s in range(1, 61) if 60 % s == 0}
    | {60 * m for m in range(1, 61) if 60 % m == 0}
    | {3600 * h for h in range(1, 25) if 24 % h == 0}
)
# A run's time limit when the task sets none: its interval, at least this.
_MIN_TIMEOUT = 300.0
# After a failure of the loop itself, it waits this long (at most) and tries again.
_LOOP_RETRY = 5.0


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
    """One periodic task: `run(settings)` every `every` seconds, or at `cron` times; a run is
    cancelled after `timeout` seconds (None: its interval, at least 5 minutes)."""

    name: str
    run: Callable[[Settings], Awaitable[object]]
    every: float | None = None
    cron: Cron | None = None
    timeout: float | None = None

    def __post_init__(self) -> None:
        if (self.every is None) == (self.cron is None):
            raise ValueError(f"periodic task {self.name}: give `every` or `cron`, not both")
        if self.every is not None and self.every <= 0:
            raise ValueError(f"periodic task {self.name}: `every` must be > 0")
        if self.timeout is not None and self.timeout <= 0:
            raise ValueError(f"periodic task {self.name}: `timeout` must be > 0")
        if self.every is not None and self.interval != self.every:
            log.warning(
                "periodic task %s: every %gs is not a cron interval; it runs every %gs",
                self.name,
                self.every,
                self.interval,
            )

    @property
    def interval(self) -> float | None:
        """The interval actually used (slots and arq cron alike): `every` rounded down to one
        cron can express (below a second, kept: in-process only, arq fires every second)."""
        if self.every is None:
            return None
        if self.every < 1:
            return self.every
        return float(max(s for s in _CRON_INTERVALS if s <= self.every))

    def next_run(self, after: float) -> float:
        """The start of the first slot after `after` (a Unix time), the same in every process."""
        if self.interval is not None:
            return (math.floor(after / self.interval) + 1) * self.interval
        from arq.cron import next_cron

        assert self.cron is not None
        previous = datetime.fromtimestamp(after, UTC)
        return next_cron(previous, **self.cron.fields(), microsecond=0).timestamp()

    def time_limit(self, now: float) -> float:
        """How long a run started at `now` may last: `timeout`, or the interval (cron: the
        time between its next two times), at least 5 minutes."""
        if self.timeout is not None:
            return self.timeout
        if self.interval is not None:
            return max(self.interval, _MIN_TIMEOUT)
        start = self.next_run(now)
        return max(self.next_run(start) - start, _MIN_TIMEOUT)

    def arq_cron_fields(self) -> dict[str, Any]:
        """The arq `cron(...)` fields that fire at this task's slot starts."""
        if self.cron is not None:
            return self.cron.fields()
        assert self.interval is not None
        every = max(int(self.interval), 1)
        if every < 60:
            return {"second": set(range(0, 60, every))}
        if every < 3600:
            return {"minute": set(range(0, 60, every // 60)), "second": 0}
        return {"hour": set(range(0, 24, every // 3600)), "minute": 0, "second": 0}


# --- the declaration -------------------------------------------------------------------------


async def _recover_jobs(settings: Settings) -> object:
    from server.jobs.recovery import recover_jobs
    from server.jobs.services import stale_after

    return await recover_jobs(queued_for=stale_after(settings))


async def _reconcile_documents(settings: Settings) -> object:
    from server.jobs.recovery import reconcile_documents

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


# --- leases (server/scheduler_locks.py) -------------------------------------------------------


def lock_for(settings: Settings) -> TaskLock:
    """The in-process scheduler's leases: in PostgreSQL when the database is PostgreSQL (several
    API processes may share it), in memory on SQLite (one process)."""
    if settings.database_url.startswith(("asyncpg", "postgres")):
        return PostgresTaskLock(settings.database_url)
    return MemoryTaskLock()


# --- running -----------------------------------------------------------------------------------


async def run_once(task: PeriodicTask, settings: Settings, lock: TaskLock, *, until: float) -> bool:
    """Run `task` for the slot ending at `until` unless another process has it; True when it
    ran here. A failure (of the task, its lease, its time limit) is logged (the next slot tries
    again), never raised."""
    ran = False
    try:
        async with lock.hold(task.name, until=until) as lease:
            if lease is None:
                return False
            ran = True
            await _run_leased(task, settings, lease)
    except Exception:
        what = "failed" if ran else "could not take its lease"
        log.warning("periodic task %s %s; will try again", task.name, what, exc_info=True)
    return ran


async def _run_leased(task: PeriodicTask, settings: Settings, lease: Lease) -> None:
    """Run `task` until it ends, its time limit passes or its lease is lost (then cancelled)."""
    limit = task.time_limit(time.time())
    run = asyncio.ensure_future(task.run(settings))
    lost = asyncio.create_task(lease.lost.wait())
    try:
        await asyncio.wait({run, lost}, timeout=limit, return_when=asyncio.FIRST_COMPLETED)
    finally:
        lost.cancel()
        if not run.done():
            run.cancel()
            await asyncio.wait({run})  # an outer cancel still propagates
    if not run.cancelled():
        run.result()  # the task's own error, if any
    elif lease.lost.is_set():
        log.warning("periodic task %s cancelled: %s", task.name, lease.reason)
    else:
        log.warning("periodic task %s cancelled after its %gs time limit", task.name, limit)


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
            try:
                now = self.clock()
                next_start = await self.run_due(task, now, last=last)
                last = now
                pause = next_start - self.clock()
            except Exception:  # whatever fails, the task's next slots still run
                log.warning("periodic task %s: scheduling failed", task.name, exc_info=True)
                pause = min(task.interval or _LOOP_RETRY, _LOOP_RETRY)
            await asyncio.sleep(max(pause, 0.0))

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
                # Our own time limit stops the run (and releases its lease) first.
                timeout=task.time_limit(time.time()) + 60,
                keep_result=0,
            )
        )
    return jobs
