"""The arq worker: `python -m server worker` (or `make worker`), a separate process on the same
DATABASE_URL and REDIS_URL as the API.

It runs two arq functions: `run_job(job_id, attempt)`, which hands over to
`server.jobs.running.run_job`, and `deliver_outbox(ids)` (`server.outbox`): the rows decide what
runs, so arq's own retries are off (max_tries=1) and results are not kept (the rows hold them). At startup it initialises the
database, imports the handler modules, and recovers jobs lost by crashed workers; then the
periodic tasks (recovery every JOB_RECOVERY_SECONDS, reconcilers, sweepers: `server.scheduler`)
run as arq cron jobs, each slot once across all workers. On SIGTERM running jobs get a short grace period, then
are cancelled and put back to QUEUED for another worker.

Job metrics are counted here, so the worker serves them itself: Prometheus text on
WORKER_METRICS_PORT (`start_http_server`, a thread beside the event loop).

Redis outages: arq's own worker exits on the first Redis error of its poll loop. `Worker` below
keeps going instead (`redis_went_away`: a connection error, or the WatchError redis-py raises for
one lost inside a WATCH, as arq's check of each waiting delivery is): the poll loop waits for
Redis with a capped exponential backoff (and logs once when Redis goes away and once when it is
back), running jobs carry on (the database, not Redis, holds their state), and the Redis writes
that end a job are retried until they land. A delivery that Redis lost meanwhile (a restart
without persistence) is delivered again by recovery, and the row's conditional claim keeps any
delivery from running a job twice.

poll_delay is 0.02 s: arq's default 0.5 s gave a 300 ms median enqueue-to-start delay here, 0.01 s
about 10 ms (STACK-NOTES). arq's per-job INFO lines are silenced by `configure_logging`.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import replace
from typing import Any

from arq import func
from arq.connections import RedisSettings
from arq.constants import in_progress_key_prefix
from arq.worker import Worker as ArqWorker
from redis.exceptions import WatchError

from server.db import close_db, init_db
from server.jobs import registry, running
from server.jobs.runtime import job_runtime
from server.logging_setup import configure_logging, job_id_var
from server.outages import REDIS_DOWN
from server.outbox import deliver as deliver_outbox_rows
from server.outbox import longest_timeout as outbox_longest_timeout
from server.outbox.dispatcher import OUTBOX_FUNCTION
from server.queue import ARQ_FUNCTION, ArqQueue
from server.scheduler import arq_cron_jobs
from server.settings import Settings, get_settings

log = logging.getLogger("scanbase.worker")

POLL_DELAY = 0.02
SHUTDOWN_GRACE = 5
# arq's own timeout only backs up the runner's (each kind's policy), which records TIMEOUT.
ARQ_TIMEOUT_MARGIN = 60
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379"  # arq's own default, for its CLI only
# Waiting for Redis to come back: first pause, doubling up to the cap (with jitter).
REDIS_RETRY_FIRST = 0.1
REDIS_RETRY_MAX = 5.0
# A worker started while Redis is down (a restart during an outage) waits this many seconds for
# it before giving up, instead of arq's 5.
STARTUP_REDIS_RETRIES = 60


def redis_went_away(exc: BaseException) -> bool:
    """Whether `exc` means Redis is unreachable. redis-py reports a connection lost inside a
    WATCH (arq's check of each delivery before it starts it) as a WatchError, raised while
    handling the connection error, instead of the connection error itself."""
    if isinstance(exc, REDIS_DOWN):
        return True
    return isinstance(exc, WatchError) and isinstance(exc.__context__, REDIS_DOWN)


async def run_job(ctx: dict[str, Any], job_id: str, attempt: int) -> str:
    """The arq function: run one attempt of a job by id."""
    token = job_id_var.set(job_id)  # every log line of this attempt names its job
    try:
        return await running.run_job(job_id, attempt)
    finally:
        job_id_var.reset(token)


async def deliver_outbox(ctx: dict[str, Any], ids: list[str]) -> int:
    """The arq function: deliver these outbox rows (a nudge after their transaction committed,
    or a retry after its backoff); the rows' claim decides whether anything runs."""
    return await deliver_outbox_rows(ids)


class Worker(ArqWorker):
    """arq's worker that rides out Redis outages (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.redis_outages = 0  # how many times Redis went away (tests, logs)
        self._releases: set[asyncio.Task[Any]] = set()

    async def _poll_iteration(self) -> None:
        try:
            await super()._poll_iteration()
        except Exception as exc:
            if not redis_went_away(exc):
                raise
            await self._wait_for_redis(exc)

    async def start_jobs(self, job_ids: list[bytes]) -> None:
        for job_id in job_ids:
            try:
                await super().start_jobs([job_id])
            except Exception as exc:
                if not redis_went_away(exc):
                    raise
                # arq took a concurrency slot before talking to Redis and keeps it on a Redis
                # error (a few outages would leave the worker unable to start anything). It may
                # also have set the delivery's in-progress key: free it once Redis is back.
                self.job_counter -= 1
                self.sem.release()
                self._release_later(job_id.decode())
                raise

    async def run_job(self, job_id: str, score: int) -> None:
        token = job_id_var.set(job_id.split(":", 1)[0])
        try:
            await super().run_job(job_id, score)
        except Exception as exc:
            if not redis_went_away(exc):
                raise
            # Redis failed before the function ran (reading the delivery): let a worker pick
            # the delivery up again once Redis is back; the row decides whether it still runs.
            self._release_later(job_id)
        finally:
            job_id_var.reset(token)

    async def finish_job(self, job_id: str, *args: Any, **kwargs: Any) -> None:
        await self._until_redis_answers(
            lambda: super(Worker, self).finish_job(job_id, *args, **kwargs),
            f"recording the end of delivery {job_id}",
        )

    async def finish_failed_job(self, job_id: str, *args: Any, **kwargs: Any) -> None:
        await self._until_redis_answers(
            lambda: super(Worker, self).finish_failed_job(job_id, *args, **kwargs),
            f"recording the end of delivery {job_id}",
        )

    def _release_later(self, job_id: str) -> None:
        task = self.loop.create_task(
            self._until_redis_answers(
                lambda: self.pool.delete(in_progress_key_prefix + job_id),
                f"releasing delivery {job_id}",
            )
        )
        self._releases.add(task)
        task.add_done_callback(self._releases.discard)

    async def _until_redis_answers(self, call: Callable[[], Awaitable[Any]], what: str) -> Any:
        """Run `call` until Redis answers it, pausing with a capped backoff in between; says
        once that Redis is gone and once that it is back."""
        delay, started = REDIS_RETRY_FIRST, None
        while True:
            try:
                result = await call()
            except Exception as exc:
                if not redis_went_away(exc):
                    raise
                if started is None:
                    started = time.monotonic()
                    self.redis_outages += 1
                    log.warning(
                        "Redis is unreachable (%s: %s): %s waits for it; %d job(s) keep running",
                        type(exc).__name__,
                        exc,
                        what,
                        sum(not task.done() for task in self.tasks.values()),
                    )
                await asyncio.sleep(delay * random.uniform(0.5, 1.0))
                delay = min(delay * 2, REDIS_RETRY_MAX)
                continue
            if started is not None:
                log.warning("Redis is back after %.1fs: %s", time.monotonic() - started, what)
            return result

    async def _wait_for_redis(self, exc: BaseException) -> None:
        """Pause polling until Redis answers a PING; running jobs carry on meanwhile."""
        failed: list[BaseException] = [exc]  # the poll that failed counts as the first try

        async def ping() -> None:
            if failed:
                raise failed.pop()
            await self.pool.ping()

        await self._until_redis_answers(ping, "polling for jobs")


async def startup(ctx: dict[str, Any]) -> None:
    settings: Settings = ctx["settings"]
    registry.load_handler_modules(ctx.get("handler_modules", ()))
    if not ctx.get("standalone", True):
        return  # embedded (tests): the host process owns the database and the runtime
    await init_db(settings.database_url)
    stack = ctx["stack"] = AsyncExitStack()
    queue = ArqQueue(pool=ctx["redis"], queue_name=settings.job_queue_name)
    # Periodic tasks run as arq cron jobs (`cron_jobs` below), not in the runtime's scheduler.
    await stack.enter_async_context(
        job_runtime(settings, recover=True, queue=queue, run_periodic=False)
    )
    log.info(
        "worker ready: queue %s, %d at once, kinds: %s",
        settings.job_queue_name,
        settings.job_concurrency,
        ", ".join(registry.registered_kinds()) or "none",
    )


async def shutdown(ctx: dict[str, Any]) -> None:
    stack: AsyncExitStack | None = ctx.pop("stack", None)
    if stack is not None:
        await stack.aclose()
    if ctx.get("standalone", True):
        await close_db()


def worker_options(
    settings: Settings,
    *,
    redis_url: str | None = None,
    standalone: bool = True,
    handler_modules: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Keyword arguments for arq's `Worker`. `standalone=False` embeds the worker in a process
    that already has a database and a job runtime (burst-mode workers in tests)."""
    url = redis_url or settings.redis_url
    if not url:
        raise ValueError("the arq worker needs REDIS_URL")
    # Kinds declare their own timeouts (JobPolicy): arq's backstop must outlast the longest.
    registry.load_handler_modules(handler_modules)
    timeout = registry.longest_timeout(settings) + ARQ_TIMEOUT_MARGIN
    return {
        "functions": [
            func(run_job, name=ARQ_FUNCTION, max_tries=1, keep_result=0, timeout=timeout),
            func(
                deliver_outbox,
                name=OUTBOX_FUNCTION,
                max_tries=1,
                keep_result=0,
                timeout=outbox_longest_timeout(settings) + ARQ_TIMEOUT_MARGIN,
            ),
        ],
        "queue_name": settings.job_queue_name,
        "redis_settings": replace(
            RedisSettings.from_dsn(url), conn_retries=STARTUP_REDIS_RETRIES, conn_retry_delay=1
        ),
        # The periodic tasks (server.scheduler), in standalone workers only: an embedded worker's
        # host process runs its own.
        "cron_jobs": arq_cron_jobs(settings) if standalone else [],
        "on_startup": startup,
        "on_shutdown": shutdown,
        "max_jobs": settings.job_concurrency,
        "job_timeout": timeout,
        "keep_result": 0,
        "max_tries": 1,
        "poll_delay": POLL_DELAY,
        "job_completion_wait": SHUTDOWN_GRACE,
        "log_results": False,
        "ctx": {"settings": settings, "standalone": standalone, "handler_modules": handler_modules},
    }


class WorkerSettings:
    """arq's settings class, for arq's own CLI (`arq jobs.worker.WorkerSettings`), filled from the
    environment at import; `run_worker` below is the usual way to start a worker."""


for _name, _value in worker_options(
    get_settings(), redis_url=get_settings().redis_url or DEFAULT_REDIS_URL
).items():
    setattr(WorkerSettings, _name, _value)


def run_worker(handler_modules: tuple[str, ...] = ()) -> None:
    """Run the worker until SIGINT/SIGTERM (`python -m server worker`)."""
    settings = get_settings()
    configure_logging(level=settings.log_level, json_logs=settings.log_json)
    for warning in settings.deployment_warnings():
        log.warning(warning)
    if settings.worker_metrics_port is not None:
        from prometheus_client import start_http_server

        from server import metrics

        start_http_server(
            settings.worker_metrics_port,
            addr=settings.worker_metrics_host,
            registry=metrics.registry,
        )
        log.info(
            "worker metrics on http://%s:%d/metrics",
            settings.worker_metrics_host,
            settings.worker_metrics_port,
        )
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover - uvicorn[standard] brings it
        pass
    Worker(**worker_options(settings, handler_modules=handler_modules)).run()
