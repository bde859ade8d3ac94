"""Jobs benchmark: `python -m bench.jobs [--jobs 1000] [--concurrency 10] [--subscribers 100]`.

Prints, each phase bounded in time, stopping by itself:
1. in-process runner (this process, `--concurrency` slots): enqueue-to-start latency p50/p99 of
   trivial jobs run one at a time, then trivial jobs/s for `--jobs` jobs created at once;
2. arq: the same against ONE real worker process (`python -m bench.jobs --worker`, a subprocess
   with max_jobs=`--concurrency`) on the real Redis (`--redis-url`, default REDIS_URL or
   redis://127.0.0.1:6379/0; skipped when unreachable);
3. websocket fan-out: the delay from a job's progress report to each of `--subscribers`
   graphql-transport-ws subscribers of `jobUpdated` receiving it. The API is uvicorn (uvloop) in
   this process on loopback; the subscribers run in a separate process
   (`python -m bench.jobs --clients ...`) so their parsing does not share this process's CPU. Run
   twice: job on the in-process runner with the memory broker, and job on the arq worker with
   events through Redis pub/sub (the multi-process production path);
4. OCR pages/s per worker per engine and CER, from `bench.ocr.run` (`--ocr-limit` pages; 0 skips).

"Enqueue-to-start" runs from the queue's `enqueue` call (the row is already inserted) to the
first line of the handler, so it includes the delivery, the claim of the row and the RUNNING
event. Timestamps are wall-clock (`time.time()`) across processes of one machine. The database
is a fresh SQLite file unless `--database-url` names a scratch database (it is migrated).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

from server.events import current_broker
from server.jobs.models import Job, JobStatus
from server.jobs.registry import ProgressReporter, job_handler
from server.queue import JobQueue

ROOT = Path(__file__).resolve().parent.parent
NOOP = "bench.noop"
TICKER = "bench.ticker"
TICKS = 20
TICK_INTERVAL = 0.05
PHASE_TIMEOUT = 120.0


# --- handlers (registered here and in the worker subprocess, which imports this module) -------


@job_handler(NOOP)
async def noop(job: Job, report: ProgressReporter) -> dict[str, float]:
    """A trivial job: records when it started."""
    return {"started": time.time()}


@job_handler(TICKER)
async def ticker(job: Job, report: ProgressReporter) -> dict[str, int]:
    """Waits for the go signal, then reports TICKS times, each carrying its send time."""
    async with current_broker().subscribe(f"bench:go:{job.id}") as go:
        await report(0.0, "waiting")
        await asyncio.wait_for(go.get(), PHASE_TIMEOUT)
    for tick in range(1, TICKS + 1):
        await report(tick / TICKS, "tick", repr(time.time()))
        await asyncio.sleep(TICK_INTERVAL)
    return {"ticks": TICKS}


# --- helpers ---------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def ms(values: Sequence[float]) -> str:
    if not values:
        return "n/a"
    return (
        f"p50 {percentile(values, 0.5) * 1000:6.1f} ms  p99 {percentile(values, 0.99) * 1000:6.1f} ms"
        f"  max {max(values) * 1000:6.1f} ms  (n={len(values)})"
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class TimedQueue(JobQueue):
    """Records when each job was first handed to the real queue."""

    def __init__(self, inner: JobQueue) -> None:
        self.inner = inner
        self.name = inner.name
        self.enqueued_at: dict[uuid.UUID, float] = {}

    async def enqueue(self, job_id: uuid.UUID, attempt: int, *, delay: float = 0.0) -> bool:
        self.enqueued_at.setdefault(job_id, time.time())
        return await self.inner.enqueue(job_id, attempt, delay=delay)

    async def ping(self) -> str:
        return await self.inner.ping()


async def new_owner() -> Any:
    from server.accounts import services as accounts

    email = f"bench-{secrets.token_hex(5)}@example.com"
    return await accounts.signup(email=email, password="bench passphrase long enough 42")


async def redis_reachable(url: str) -> bool:
    from redis.asyncio import Redis

    client = Redis.from_url(url, socket_connect_timeout=2)
    try:
        await client.ping()
        return True
    except Exception:
        return False
    finally:
        await client.aclose()


def env_for(
    database_url: str, redis_url: str | None, queue_name: str, concurrency: int
) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url or "",
        "JOB_QUEUE_NAME": queue_name,
        "JOB_CONCURRENCY": str(concurrency),
        "LOG_LEVEL": "WARNING",
        "LOG_JSON": "false",
    }


@contextlib.asynccontextmanager
async def worker_process(env: dict[str, str], log_path: Path) -> AsyncIterator[Any]:
    """ONE arq worker as a real process, terminated (SIGTERM) at the end."""
    with log_path.open("ab") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.jobs",
            "--worker",
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=log,
        )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 20)
            except TimeoutError:
                process.kill()
                await process.wait()


# --- phases 1 and 2: latency and throughput --------------------------------------------------


async def measure_queue(queue: TimedQueue, *, latency_jobs: int, jobs: int) -> dict[str, Any]:
    from server.jobs import services

    owner = await new_owner()
    # Warm-up (and, for arq, wait for the worker to be up).
    warm = await services.create_job(owner=owner, kind=NOOP)
    await wait_done([warm.id], PHASE_TIMEOUT)

    idle: list[float] = []
    for _ in range(latency_jobs):
        job = await services.create_job(owner=owner, kind=NOOP)
        async for state in services.follow_job(job_id=job.id, owner=owner):
            if state.is_terminal:
                idle.append(state.result["started"] - queue.enqueued_at[job.id])

    owner = await new_owner()
    started = time.time()
    gate = asyncio.Semaphore(50)

    async def create() -> uuid.UUID:
        async with gate:
            return (await services.create_job(owner=owner, kind=NOOP)).id

    ids = await asyncio.gather(*(create() for _ in range(jobs)))
    created = time.time()
    await wait_done(ids, PHASE_TIMEOUT, owner_id=owner.id)
    rows = await Job.filter(owner_id=owner.id).values_list("id", "result", "finished_at")
    last = max(finished.timestamp() for _, _, finished in rows)
    loaded = [result["started"] - queue.enqueued_at[job_id] for job_id, result, _ in rows]
    return {
        "idle": idle,
        "loaded": loaded,
        "jobs": jobs,
        "create_seconds": created - started,
        "jobs_per_second": jobs / (last - started),
    }


async def wait_done(ids: Sequence[uuid.UUID], within: float, owner_id: Any = None) -> None:
    deadline = time.monotonic() + within
    query = Job.filter(owner_id=owner_id) if owner_id is not None else Job.filter(id__in=list(ids))
    while await query.filter(status=JobStatus.SUCCEEDED).count() < len(ids):
        if time.monotonic() > deadline:
            raise TimeoutError("jobs did not finish in time")
        await asyncio.sleep(0.02)


def print_queue(title: str, figures: dict[str, Any]) -> None:
    print(f"\n{title}")
    print(f"  enqueue->start, one job at a time : {ms(figures['idle'])}")
    print(f"  enqueue->start, {figures['jobs']} at once     : {ms(figures['loaded'])}")
    print(
        f"  throughput: {figures['jobs_per_second']:7.0f} trivial jobs/s "
        f"({figures['jobs']} jobs created in {figures['create_seconds']:.2f} s, first create -> last finish)"
    )


# --- phase 3: websocket fan-out --------------------------------------------------------------


async def clients_main(url: str, token: str, job_gid: str, count: int) -> None:
    """The subscribers' process: prints 'ready' once every subscription is live, then one JSON
    line of delays (seconds) from each tick's send time to its receipt."""
    import websockets
    from websockets.typing import Subprotocol

    query = "subscription($id: ID!) { jobUpdated(id: $id) { status stage message } }"
    delays: list[float] = []
    live = 0
    all_live = asyncio.Event()

    async def one(index: int) -> None:
        nonlocal live
        async with websockets.connect(
            url, subprotocols=[Subprotocol("graphql-transport-ws")], max_queue=None
        ) as ws:
            await ws.send(
                json.dumps(
                    {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
                )
            )
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            payload = {"query": query, "variables": {"id": job_gid}}
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
            first = True
            while True:
                message = json.loads(await asyncio.wait_for(ws.recv(), PHASE_TIMEOUT))
                received = time.time()
                if message["type"] == "complete":
                    return
                if message["type"] != "next":
                    raise RuntimeError(f"subscriber {index}: {message}")
                if first:
                    first = False
                    live += 1
                    if live == count:
                        all_live.set()
                update = message["payload"]["data"]["jobUpdated"]
                if update["stage"] == "tick" and update["status"] == "RUNNING":
                    delays.append(received - float(update["message"]))

    tasks = [asyncio.create_task(one(i)) for i in range(count)]
    await asyncio.wait_for(all_live.wait(), PHASE_TIMEOUT)
    print("ready", flush=True)
    await asyncio.wait_for(asyncio.gather(*tasks), PHASE_TIMEOUT)
    print(json.dumps(delays), flush=True)


class _QuietServer:
    """uvicorn in this process, without taking over the process's signal handlers."""

    def __init__(self, app: Any, port: int) -> None:
        import uvicorn

        class Server(uvicorn.Server):
            @contextlib.contextmanager
            def capture_signals(self) -> Any:
                yield

        self.server = Server(
            uvicorn.Config(
                app,
                host="127.0.0.1",
                port=port,
                lifespan="on",
                log_level="warning",
                http="httptools",
            )
        )
        self.task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> _QuietServer:
        self.task = asyncio.create_task(self.server.serve())
        deadline = time.monotonic() + 30
        while not self.server.started:
            if self.task.done() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            await asyncio.sleep(0.01)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.server.should_exit = True
        if self.task is not None:
            await asyncio.wait_for(self.task, 30)


async def measure_fanout(settings: Any, subscribers: int) -> list[float]:
    """Serve the API here; run `subscribers` clients in a subprocess following one ticker job."""
    from schema.core.relay import global_id
    from server.app import create_app
    from server.jobs import services
    from server.security.tokens import issue_access_token

    owner = await new_owner()
    token = issue_access_token(
        user_id=owner.id, role=owner.role.value, secret=settings.secret_key, minutes=30
    )
    port = free_port()
    async with _QuietServer(create_app(settings, init_database=False), port):
        job = await services.create_job(owner=owner, kind=TICKER)
        await_waiting = time.monotonic() + PHASE_TIMEOUT
        while (await Job.get(id=job.id)).stage != "waiting":  # the ticker listens for `go`
            if time.monotonic() > await_waiting:
                raise TimeoutError("the ticker job did not start")
            await asyncio.sleep(0.02)
        clients = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.jobs", "--clients",
            f"ws://127.0.0.1:{port}/graphql", token, global_id("Job", job.id), str(subscribers),
            cwd=ROOT, stdout=subprocess.PIPE,
        )  # fmt: skip
        assert clients.stdout is not None
        try:
            ready = await asyncio.wait_for(clients.stdout.readline(), PHASE_TIMEOUT)
            if ready.strip() != b"ready":
                raise RuntimeError(f"subscribers failed to start: {ready!r}")
            await current_broker().publish(f"bench:go:{job.id}", {"go": True})
            delays = json.loads(await asyncio.wait_for(clients.stdout.readline(), PHASE_TIMEOUT))
        finally:
            if clients.returncode is None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(clients.wait(), 10)
            if clients.returncode is None:
                clients.kill()
                await clients.wait()
    return delays


# --- phase 4: OCR ----------------------------------------------------------------------------


def ocr_figures(limit: int, engines: Sequence[str] | None = None) -> dict[str, Any] | str:
    """OCR pages per second (one worker, one page at a time) and CER per engine, from
    `bench.ocr.run`; a string says why there are none."""
    try:
        from bench import ocr
    except ImportError as exc:
        return f"bench.ocr unavailable ({exc})"
    data_dir = Path(ocr.DEFAULT_DATA_DIR)
    if not (data_dir / "img").is_dir():
        return f"dataset not found at {data_dir.name} (../shared/datasets/receipts-sroie)"
    try:
        return ocr.run(list(engines or ocr.ENGINES), data_dir, limit)
    except Exception as exc:  # another engineer's code: report, don't abort the jobs figures
        return f"bench.ocr.run failed: {type(exc).__name__}: {exc}"


def print_ocr(figures: dict[str, Any] | str, limit: int) -> None:
    print(
        f"\nOCR, one worker, one page at a time ({limit} SROIE receipts per engine, via bench.ocr)"
    )
    if isinstance(figures, str):
        print(f"  skipped: {figures}")
        return
    for engine, row in figures.items():
        print(
            f"  {engine:<10} {row['pages_per_second']:6.2f} pages/s  median {row['median_seconds']:.2f} s/page"
            f"  CER {row['cer']:.1%} (mean {row['mean_cer']:.1%})"
        )


# --- main ------------------------------------------------------------------------------------


async def run(args: argparse.Namespace) -> int:
    from server.db import close_db, init_db
    from server.events import MemoryBroker, RedisBroker
    from server.jobs import running
    from server.jobs.runtime import using
    from server.queue import ArqQueue, InProcessQueue
    from server.settings import get_settings

    scratch = Path(tempfile.mkdtemp(prefix="bench-jobs-"))
    database_url = args.database_url or f"sqlite://{scratch / 'bench.sqlite3'}"
    migrate = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "server", "migrate",
        cwd=ROOT, env={**os.environ, "DATABASE_URL": database_url},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    _, migrate_errors = await migrate.communicate()
    if migrate.returncode:
        print(migrate_errors.decode(), file=sys.stderr)
        return 1
    settings = get_settings().model_copy(
        update={
            "database_url": database_url,
            "job_concurrency": args.concurrency,
            "redis_url": None,
            "log_level": "WARNING",
        }
    )
    redis_url = args.redis_url or get_settings().redis_url or "redis://127.0.0.1:6379/0"
    has_redis = await redis_reachable(redis_url)
    queue_name = f"scanbase:bench:{secrets.token_hex(4)}"
    print(
        f"bench.jobs: database {database_url.split(':', 1)[0]}, concurrency {args.concurrency}, "
        f"redis {'at ' + redis_url if has_redis else 'unreachable: arq phases skipped'}"
    )

    await init_db(database_url)
    try:
        # 1. in-process runner
        runner = TimedQueue(InProcessQueue(running.run_job, concurrency=args.concurrency))
        with using(queue=runner, events=MemoryBroker()):
            figures = await measure_queue(runner, latency_jobs=args.latency_jobs, jobs=args.jobs)
        await runner.inner.close()
        print_queue(f"in-process runner (this process, {args.concurrency} slots)", figures)

        # 2. arq, one worker process
        if has_redis:
            env = env_for(database_url, redis_url, queue_name, args.concurrency)
            queue = ArqQueue(redis_url, queue_name=queue_name)
            await queue.start()
            broker = RedisBroker(redis_url)
            await broker.start()
            timed = TimedQueue(queue)
            try:
                async with worker_process(env, scratch / "worker.log"):
                    with using(queue=timed, events=broker):
                        figures = await measure_queue(
                            timed, latency_jobs=args.latency_jobs, jobs=args.jobs
                        )
            finally:
                assert queue.pool is not None
                await queue.pool.delete(queue_name)
                await queue.close()
                await broker.close()
            print_queue(
                f"arq: ONE worker process (subprocess, max_jobs {args.concurrency}, poll 20 ms), real Redis",
                figures,
            )

        # 3. websocket fan-out
        title = f"progress report -> {args.subscribers} websocket subscribers (uvicorn on loopback)"
        delays = await measure_fanout(settings, args.subscribers)
        print(f"\n{title}")
        print(f"  job in this process, memory broker      : {ms(delays)}")
        if has_redis:
            redis_settings = settings.model_copy(
                update={"redis_url": redis_url, "job_queue_name": queue_name}
            )
            env = env_for(database_url, redis_url, queue_name, args.concurrency)
            async with worker_process(env, scratch / "worker.log"):
                delays = await measure_fanout(redis_settings, args.subscribers)
            print(f"  job on the arq worker, Redis pub/sub    : {ms(delays)}")
    finally:
        await close_db()

    # 4. OCR
    if args.ocr_limit > 0:
        print_ocr(await asyncio.to_thread(ocr_figures, args.ocr_limit), args.ocr_limit)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.jobs", description=(__doc__ or "").partition("\n")[0]
    )
    parser.add_argument("--jobs", type=int, default=1000, help="jobs for the throughput run")
    parser.add_argument("--latency-jobs", type=int, default=200, help="jobs run one at a time")
    parser.add_argument("--concurrency", type=int, default=10, help="jobs at once per runner")
    parser.add_argument("--subscribers", type=int, default=100)
    parser.add_argument("--redis-url", default=None)
    parser.add_argument("--database-url", default=None, help="a scratch database (default: SQLite)")
    parser.add_argument(
        "--ocr-limit", type=int, default=3, help="receipts per OCR engine (0: skip)"
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--clients", nargs=4, metavar=("URL", "TOKEN", "JOB", "N"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    try:
        import uvloop
    except ImportError:  # pragma: no cover
        uvloop = None
    if args.worker:  # the handlers above are registered: run them in an arq worker
        from jobs.worker import run_worker

        run_worker()
        return 0
    if uvloop is not None:
        uvloop.install()
    if args.clients:
        url, token, job_gid, count = args.clients
        asyncio.run(clients_main(url, token, job_gid, int(count)))
        return 0
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
