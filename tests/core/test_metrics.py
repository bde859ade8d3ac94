"""Metrics as Prometheus sees them in production: the worker's own endpoint (jobs are counted in
the worker process), and one answer for all the uvicorn processes of `serve --workers N`."""

from __future__ import annotations

import asyncio
import re
import secrets
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from server.jobs import registry, services
from server.jobs.models import Job, JobStatus
from server.jobs.runtime import using
from server.queue import ArqQueue
from tests.conftest import IN_CI, REPO_ROOT, TEST_REDIS_URL, run_migrations
from tests.core.test_process import _env, _free_port
from tests.factories import make_user

# A worker process with one extra job kind (argv[1]) that succeeds at once.
WORKER = """
import sys
from jobs.worker import run_worker
from server.jobs.registry import register_handler

async def handler(job, report):
    return {"ok": True}

register_handler(sys.argv[1], handler)
run_worker()
"""


def sample(text: str, name: str, **labels: str) -> float | None:
    """The value of one sample of a Prometheus text exposition, or None when absent."""
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    for line in text.splitlines():
        match = re.fullmatch(rf"{name}\{{(.*)\}} (\S+)", line)
        if match and ",".join(sorted(match.group(1).split(","))) == wanted:
            return float(match.group(2))
    return None


async def _poll(url: str, within: float = 60) -> httpx.Response:
    deadline = time.monotonic() + within
    async with httpx.AsyncClient(timeout=5) as http:
        while True:
            try:
                return await http.get(url)
            except httpx.TransportError:
                assert time.monotonic() < deadline, f"{url} never answered"
                await asyncio.sleep(0.2)


@pytest_asyncio.fixture
async def arq_queue(app: Any) -> AsyncIterator[ArqQueue]:
    """This process enqueues on the real Redis (TEST_REDIS_URL), on a queue of this test only."""
    if not TEST_REDIS_URL:
        if IN_CI:
            pytest.fail("CI=true but TEST_REDIS_URL is not set")
        pytest.skip("TEST_REDIS_URL not set: the worker metrics test needs Redis")
    queue = ArqQueue(TEST_REDIS_URL, queue_name=f"scanbase:test-metrics:{secrets.token_hex(4)}")
    await queue.start()
    try:
        with using(queue=queue):
            yield queue
    finally:
        assert queue.pool is not None
        await queue.pool.delete(queue.queue_name)
        await queue.close()


async def test_the_worker_serves_its_job_metrics(
    database_url: str, arq_queue: ArqQueue, tmp_path: Path
):
    # given: a real worker process with its metrics port, and a job for it
    kind = f"metrics.{secrets.token_hex(4)}"

    async def not_here(job: Job, report: Any) -> None:
        raise AssertionError("runs in the worker process only")

    registry.register_handler(kind, not_here)
    port = _free_port()
    env = {
        **_env(database_url),
        "REDIS_URL": TEST_REDIS_URL,
        "JOB_QUEUE_NAME": arq_queue.queue_name,
        "WORKER_METRICS_PORT": str(port),
        "WORKER_METRICS_HOST": "127.0.0.1",
        "LOG_JSON": "false",
    }
    log = (tmp_path / "worker.log").open("wb")
    worker = await asyncio.create_subprocess_exec(
        sys.executable, "-c", WORKER, kind, cwd=REPO_ROOT, env=env, stdout=log, stderr=log
    )
    try:
        account = await make_user()
        job = await services.create_job(owner=account.user, kind=kind)
        # when: the worker runs it
        deadline = time.monotonic() + 60
        while (await Job.get(id=job.id)).status != JobStatus.SUCCEEDED:
            assert time.monotonic() < deadline, (tmp_path / "worker.log").read_text()
            assert worker.returncode is None, (tmp_path / "worker.log").read_text()
            await asyncio.sleep(0.05)
        scraped = await _poll(f"http://127.0.0.1:{port}/metrics")
    finally:
        registry.unregister_handler(kind)
        if worker.returncode is None:
            worker.terminate()
            await asyncio.wait_for(worker.wait(), 20)
        log.close()
    # then: the worker's endpoint counts the job it ran
    assert scraped.status_code == 200
    assert sample(scraped.text, "scanbase_jobs_total", kind=kind, status="SUCCEEDED") == 1.0


PROBE = "query MetricsProbe { __typename }"


@pytest.mark.slow
async def test_metrics_of_several_api_processes_add_up(tmp_path: Path):
    # given: the API as two uvicorn processes
    url = f"sqlite://{tmp_path / 'metrics.sqlite3'}"
    await asyncio.to_thread(run_migrations, url)
    port = _free_port()
    server = subprocess.Popen(  # noqa: ASYNC220 - started once, then only polled over HTTP
        [sys.executable, "-m", "server", "serve", "--port", str(port), "--workers", "2"],
        cwd=REPO_ROOT,
        env={**_env(url), "LOG_LEVEL": "WARNING"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        assert (await _poll(f"{base}/health/ping")).status_code == 200
        # when: 40 operations, each on a new connection, so both processes serve some
        for _ in range(40):
            async with httpx.AsyncClient(base_url=base, timeout=5) as http:
                answer = await http.post(
                    "/graphql", json={"query": PROBE, "operationName": "MetricsProbe"}
                )
                assert answer.json() == {"data": {"__typename": "Query"}}
        scrapes = []
        for _ in range(6):
            async with httpx.AsyncClient(base_url=base, timeout=5) as http:
                scrapes.append((await http.get("/metrics")).text)
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode()
    # then: whichever process answers the scrape counts every operation of both
    for text in scrapes:
        counted = sample(
            text,
            "scanbase_graphql_requests_total",
            operation="MetricsProbe",
            type="query",
            outcome="ok",
        )
        assert counted == 40.0, output[-3000:]
    assert "Traceback" not in output, output[-3000:]
