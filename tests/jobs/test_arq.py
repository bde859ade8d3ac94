"""The arq queue on the real Redis (TEST_REDIS_URL): a burst-mode worker in this process, and real
worker processes, one of them killed with SIGKILL mid-job."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from server.events import RedisBroker
from server.jobs import services
from server.jobs.models import Job, JobStatus
from server.queue import arq_job_id
from tests.conftest import REPO_ROOT
from tests.factories import make_user
from tests.jobs.conftest import run_burst_worker, wait_for


async def test_arq_worker_runs_a_job_with_a_retry_and_progress(
    arq_runtime, redis_url, queue_name, register_kind, fast_jobs
):
    # given: a handler that fails once, then reports and succeeds
    calls: list[int] = []

    async def handler(job: Job, report: Any) -> dict[str, int]:
        calls.append(job.attempts)
        if job.attempts == 1:
            raise ConnectionError("flaky upstream")
        await report(0.5, "half")
        return {"attempt": job.attempts}

    kind = register_kind(handler, prefix="arq")
    account = await make_user()
    job = await services.create_job(owner=account.user, kind=kind)
    # a second broker follows the job, as an API replica in another process would
    follower = RedisBroker(redis_url)
    await follower.start()
    try:
        async with follower.subscribe(services.job_channel(job.id)) as subscription:
            # when
            worker = await run_burst_worker(redis_url, queue_name)
            events: list[dict[str, Any]] = []
            while not events or events[-1]["status"] not in ("SUCCEEDED", "FAILED"):
                events.append(await asyncio.wait_for(subscription.get(), 5))  # type: ignore[arg-type]
    finally:
        await follower.close()
    # then
    assert calls == [1, 2]
    assert (worker.jobs_complete, worker.jobs_failed) == (2, 0)
    done = await Job.get(id=job.id)
    assert (done.status, done.attempts, done.result) == (JobStatus.SUCCEEDED, 2, {"attempt": 2})
    assert [(e["status"], e["attempts"], e["progress"]) for e in events] == [
        ("RUNNING", 1, 0.0),
        ("QUEUED", 1, 0.0),
        ("RUNNING", 2, 0.0),
        ("RUNNING", 2, 0.5),
        ("SUCCEEDED", 2, 1.0),
    ]
    assert await arq_runtime.pool.zcard(queue_name) == 0


async def test_arq_deduplicates_a_delivery_per_attempt_only(arq_runtime):
    job_id = uuid.uuid4()
    try:
        assert await arq_runtime.enqueue(job_id, 0) is True
        assert await arq_runtime.enqueue(job_id, 0) is False  # recovery re-enqueueing: a no-op
        assert await arq_runtime.enqueue(job_id, 1) is True  # a retry is a new attempt
        assert await arq_runtime.pool.zcard(arq_runtime.queue_name) == 2
    finally:
        await arq_runtime.pool.delete(*(f"arq:job:{arq_job_id(job_id, n)}" for n in (0, 1)))


async def _start_worker(kind: str, marks: Path, env: dict[str, str]) -> asyncio.subprocess.Process:
    log = (marks / "worker.log").open("ab")
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.jobs.crash_worker", kind, str(marks),
        cwd=REPO_ROOT, env=env, stdout=log, stderr=log,
    )  # fmt: skip


@pytest.mark.slow
async def test_a_job_whose_worker_is_killed_is_retried_and_succeeds_exactly_once(
    database_url, arq_runtime, redis_url, queue_name, register_kind, tmp_path
):
    # given: a real worker process running attempt 1, which hangs
    async def not_here(job: Job, report: Any) -> None:
        raise AssertionError("runs in the worker process only")

    kind = register_kind(not_here, prefix="crash")
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "JOB_QUEUE_NAME": queue_name,
        # A worker never hands over an attempt it runs itself (server.jobs.running.in_flight), so
        # the heartbeat only says when the replacement finds attempt 1 lost: 1.5 s after its last
        # beat, by the replacement's startup recovery or its next periodic one (every second).
        "JOB_HEARTBEAT_SECONDS": "0.5",
        "JOB_RECOVERY_SECONDS": "1",
        "LOG_JSON": "false",
        "LOG_LEVEL": "WARNING",
    }
    account = await make_user()
    first = await _start_worker(kind, tmp_path, env)
    second = job = None
    try:
        job = await services.create_job(owner=account.user, kind=kind)
        await wait_for(job.id, JobStatus.RUNNING, within=30, check=lambda j: j.stage == "hanging")
        # when: SIGKILL, no chance to clean up; a replacement worker starts
        first.kill()
        await first.wait()
        second = await _start_worker(kind, tmp_path, env)
        done = await wait_for(job.id, JobStatus.SUCCEEDED, JobStatus.FAILED, within=30)
        await asyncio.sleep(1.0)  # room for a duplicate run to show up
    finally:
        for process in (first, second):
            if process is not None and process.returncode is None:
                process.terminate()
                await asyncio.wait_for(process.wait(), 15)
        if job is not None:  # what the killed worker left in Redis (it would expire on its own)
            killed = arq_job_id(job.id, 0)
            await arq_runtime.pool.delete(
                *(f"arq:{key}:{killed}" for key in ("job", "in-progress", "retry"))
            )
    # then: attempt 1 died with its worker, attempt 2 finished, and only once
    log = (tmp_path / "worker.log").read_text()
    assert done.status == JobStatus.SUCCEEDED, log
    assert done.attempts == 2
    assert done.result["attempt"] == 2
    assert second is not None and done.result["pid"] == second.pid
    assert job is not None
    assert (tmp_path / "completions").read_text().splitlines() == [f"{job.id} 2"]
    assert (await Job.get(id=job.id)).revision == done.revision
