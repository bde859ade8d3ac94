"""This process's job queue and events broker: started once, shared, stopped in order.

The API lifespan and the arq worker both enter `job_runtime`. A second app in the same process
(tests build several on one database) borrows the running one instead of replacing it, so there
is exactly one queue and one broker per process, which is what services reach through
`current_queue()` / `current_broker()`.

Recovery: the process that runs jobs also recovers them, at startup and then every
JOB_RECOVERY_SECONDS (the API in in-process mode, the worker in arq mode). Periodic recovery is
what retries a job whose worker was killed while other workers keep running; the domains'
reconcilers run with it (documents left inconsistent with their jobs). The same process runs
the blob sweeper every SWEEP_INTERVAL_SECONDS (`server.files.sweeper`) and the outbox's sweep of
undelivered rows every OUTBOX_SWEEP_SECONDS (`server.outbox`): all are periodic tasks
(`server.scheduler`), run by the API's in-process scheduler or as arq cron jobs in the workers.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass

from server.events import EventBroker, create_broker, install_broker
from server.jobs import recovery, registry, running
from server.outbox import close_dispatcher
from server.queue import JobQueue, create_queue, install_queue
from server.scheduler import Scheduler, lock_for, periodic_tasks
from server.settings import Settings

log = logging.getLogger("scanbase.jobs")


@dataclass
class JobRuntime:
    queue: JobQueue
    events: EventBroker


_active: JobRuntime | None = None


@asynccontextmanager
async def job_runtime(
    settings: Settings,
    *,
    recover: bool,
    queue: JobQueue | None = None,
    run_periodic: bool | None = None,
) -> AsyncIterator[JobRuntime]:
    """Start (or borrow) this process's queue and broker; `recover`: run recovery at startup.
    `run_periodic`: run the periodic tasks here (default: when `recover`; the arq worker runs
    them as cron jobs instead). `queue`: use this queue instead of the one settings call for."""
    global _active
    if _active is not None:
        yield _active
        return
    registry.load_handler_modules()
    events = create_broker(settings)
    await events.start()
    queue = queue or create_queue(settings, runner=running.run_job)
    try:
        await queue.start()
    except BaseException:
        await events.close()
        raise
    runtime = _active = JobRuntime(queue=queue, events=events)
    install_queue(queue)
    install_broker(events)
    periodic = recover if run_periodic is None else run_periodic
    try:
        async with contextlib.AsyncExitStack() as stack:
            if recover:
                found = await recovery.recover_jobs()
                if found.enqueued or found.requeued or found.failed:
                    log.info("startup recovery: %s", found)
                await recovery.reconcile_documents()
            if periodic:
                scheduler = Scheduler(periodic_tasks(settings), settings, lock=lock_for(settings))
                await stack.enter_async_context(scheduler.running())
            yield runtime
    finally:
        await close_dispatcher()
        # The queue first: interrupted attempts publish their requeue through the broker.
        await queue.close()
        await events.close()
        install_queue(None)
        install_broker(None)
        _active = None


@contextmanager
def using(*, queue: JobQueue | None = None, events: EventBroker | None = None) -> Iterator[None]:
    """Temporarily route this process's jobs through another queue and/or broker (tests, bench)."""
    previous_queue = install_queue(queue) if queue is not None else None
    previous_events = install_broker(events) if events is not None else None
    try:
        yield
    finally:
        if queue is not None:
            install_queue(previous_queue)
        if events is not None:
            install_broker(previous_events)
