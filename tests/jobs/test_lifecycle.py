"""A job's life on the in-process runner: success with progress, retries, JobFailed, cancel."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from server.jobs import running, services
from server.jobs.errors import JobCancelled, JobFailed, JobsError, JobsErrorCode
from server.jobs.models import Job, JobStatus
from server.jobs.state import JobState
from tests.factories import make_user
from tests.jobs.conftest import wait_for, wait_until


async def _follow(job_id: Any, owner: Any, into: list[JobState]) -> None:
    async for state in services.follow_job(job_id=job_id, owner=owner):
        into.append(state)


async def test_job_goes_queued_running_progress_succeeded_with_result(app, gate, register_kind):
    # given: a handler that reports once and echoes its payload
    proceed = asyncio.Event()

    async def handler(job: Job, report: Any) -> dict[str, Any]:
        await report(0.5, "half", "halfway there")
        await proceed.wait()
        return {"echo": job.payload["x"], "attempt": job.attempts}

    kind = register_kind(handler)
    account = await make_user()
    # when: the job is created (held QUEUED), followed, then released
    job = await services.create_job(owner=account.user, kind=kind, payload={"x": 42})
    seen: list[JobState] = []
    follower = asyncio.create_task(_follow(job.id, account.user, seen))
    await wait_until(lambda: len(seen) == 1)
    await gate.release()
    await wait_until(lambda: any(s.stage == "half" for s in seen))
    running = await Job.get(id=job.id)
    proceed.set()
    await asyncio.wait_for(follower, 5)
    # then
    assert (job.status, job.attempts, job.max_attempts) == (JobStatus.QUEUED, 0, 3)
    assert running.status == JobStatus.RUNNING
    assert running.started_at is not None and running.heartbeat_at is not None
    assert [(s.status, s.progress, s.stage) for s in seen] == [
        (JobStatus.QUEUED, 0.0, None),
        (JobStatus.RUNNING, 0.0, None),
        (JobStatus.RUNNING, 0.5, "half"),
        (JobStatus.SUCCEEDED, 1.0, "half"),
    ]
    assert seen[2].message == "halfway there"
    done = await Job.get(id=job.id)
    assert done.status == JobStatus.SUCCEEDED
    assert done.result == {"echo": 42, "attempt": 1}
    assert (done.progress, done.attempts, done.error_code) == (1.0, 1, None)
    assert done.finished_at is not None and done.finished_at >= done.started_at
    assert seen[-1].result == {"echo": 42, "attempt": 1}


async def test_a_failing_job_is_retried_then_fails_with_a_code(app, register_kind, fast_jobs):
    # given: a handler that always breaks
    calls: list[int] = []

    async def handler(job: Job, report: Any) -> None:
        calls.append(job.attempts)
        raise RuntimeError("disk on fire")

    kind = register_kind(handler)
    account = await make_user()
    # when
    job = await services.create_job(owner=account.user, kind=kind, max_attempts=3)
    seen: list[JobState] = []
    follower = asyncio.create_task(_follow(job.id, account.user, seen))
    done = await wait_for(job.id, JobStatus.FAILED)
    await asyncio.wait_for(follower, 5)
    # then: three attempts, then FAILED with the runner's code; internals are not leaked
    assert calls == [1, 2, 3]
    assert (done.attempts, done.error_code) == (3, "HANDLER_ERROR")
    assert done.error_message == "The job failed (RuntimeError)."
    assert "disk on fire" not in done.error_message
    assert done.result is None
    assert seen[-1].status == JobStatus.FAILED
    retries = [s for s in seen if s.status == JobStatus.QUEUED and s.attempts > 0]
    assert [s.attempts for s in retries] == [1, 2]
    assert retries[0].error_code == "HANDLER_ERROR"
    # full jitter: each wait is drawn in [0, min(cap, 0.01 x 2^(n-1))]
    waits = [float((s.message or "").split(" in ")[1].removesuffix(" s.")) for s in retries]
    assert 0.0 <= waits[0] <= 0.01 and 0.0 <= waits[1] <= 0.02
    assert (retries[0].message or "").startswith("Attempt 1 failed; retrying in ")


async def test_a_retry_that_succeeds_clears_the_error(app, register_kind, fast_jobs):
    async def handler(job: Job, report: Any) -> dict[str, int]:
        if job.attempts == 1:
            raise ConnectionError("flaky")
        return {"attempt": job.attempts}

    kind = register_kind(handler)
    account = await make_user()
    job = await services.create_job(owner=account.user, kind=kind)
    done = await wait_for(job.id, JobStatus.SUCCEEDED, JobStatus.FAILED)
    assert (done.status, done.attempts, done.result) == (JobStatus.SUCCEEDED, 2, {"attempt": 2})
    assert (done.error_code, done.error_message) == (None, None)


async def test_job_failed_is_not_retried(app, register_kind, fast_jobs):
    calls: list[int] = []

    async def handler(job: Job, report: Any) -> None:
        calls.append(job.attempts)
        raise JobFailed("EMPTY_DOCUMENT", "Nothing to read on this page.")

    kind = register_kind(handler)
    account = await make_user()
    job = await services.create_job(owner=account.user, kind=kind, max_attempts=5)
    done = await wait_for(job.id, JobStatus.FAILED)
    assert calls == [1]
    assert (done.attempts, done.error_code) == (1, "EMPTY_DOCUMENT")
    assert done.error_message == "Nothing to read on this page."


async def test_a_job_over_its_time_limit_fails_with_timeout(
    app, register_kind, fast_jobs, monkeypatch
):
    monkeypatch.setattr(fast_jobs, "job_timeout_seconds", 0.1)

    async def handler(job: Job, report: Any) -> None:
        await asyncio.sleep(30)

    kind = register_kind(handler)
    account = await make_user()
    job = await services.create_job(owner=account.user, kind=kind, max_attempts=1)
    done = await wait_for(job.id, JobStatus.FAILED)
    assert (done.error_code, done.error_message) == ("TIMEOUT", "The job took longer than 0.1 s.")


async def test_cancelling_a_queued_job_means_it_never_runs(app, gate, register_kind):
    calls: list[int] = []

    async def handler(job: Job, report: Any) -> None:
        calls.append(job.attempts)

    kind = register_kind(handler)
    account = await make_user()
    job = await services.create_job(owner=account.user, kind=kind)
    # when
    cancelled = await services.cancel_job(job_id=job.id, owner=account.user)
    await gate.release()  # the delivery arrives after the cancel
    await asyncio.sleep(0.1)
    # then
    assert cancelled.status == JobStatus.CANCELLED
    assert cancelled.finished_at is not None
    after = await Job.get(id=job.id)
    assert (after.status, after.attempts, calls) == (JobStatus.CANCELLED, 0, [])
    assert await running.run_job(job.id, 0) == "skipped"
    with pytest.raises(JobsError) as again:
        await services.cancel_job(job_id=job.id, owner=account.user)
    assert again.value.code == JobsErrorCode.ALREADY_FINISHED


async def test_cancelling_a_running_job_stops_it_at_its_next_report(app, register_kind):
    # given: a running handler between two reports
    started, proceed = asyncio.Event(), asyncio.Event()
    outcome: list[str] = []

    async def handler(job: Job, report: Any) -> dict[str, bool]:
        await report(0.1, "first")
        started.set()
        await proceed.wait()
        try:
            await report(0.2, "second")
        except JobCancelled:
            outcome.append("stopped at report")
            raise
        outcome.append("ran on")
        return {"finished": True}

    kind = register_kind(handler)
    account = await make_user()
    job = await services.create_job(owner=account.user, kind=kind)
    await asyncio.wait_for(started.wait(), 5)
    # when
    cancelled = await services.cancel_job(job_id=job.id, owner=account.user)
    proceed.set()
    await wait_until(lambda: bool(outcome))
    # then
    assert cancelled.status == JobStatus.CANCELLED
    assert outcome == ["stopped at report"]
    after = await Job.get(id=job.id)
    assert (after.status, after.result, after.attempts) == (JobStatus.CANCELLED, None, 1)


async def test_a_cancelled_handler_that_never_reports_is_stopped_by_the_heartbeat(
    app, register_kind, fast_jobs
):
    started = asyncio.Event()
    outcome: list[str] = []

    async def handler(job: Job, report: Any) -> None:
        started.set()
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            outcome.append("cancelled")
            raise

    kind = register_kind(handler)
    account = await make_user()
    job = await services.create_job(owner=account.user, kind=kind)
    await asyncio.wait_for(started.wait(), 5)
    await services.cancel_job(job_id=job.id, owner=account.user)
    await wait_until(lambda: bool(outcome), within=2)
    assert outcome == ["cancelled"]
    assert (await Job.get(id=job.id)).status == JobStatus.CANCELLED


async def test_create_job_refuses_unknown_kinds_and_bad_input(app):
    account = await make_user()
    with pytest.raises(JobsError) as unknown:
        await services.create_job(owner=account.user, kind="no.such.kind")
    assert (unknown.value.code, unknown.value.field) == (JobsErrorCode.UNKNOWN_KIND, "kind")


async def test_create_job_refuses_a_payload_that_is_not_json(app, register_kind):
    async def handler(job: Job, report: Any) -> None:
        return None

    kind = register_kind(handler)
    account = await make_user()
    with pytest.raises(JobsError) as bad:
        await services.create_job(owner=account.user, kind=kind, payload={"when": object()})
    assert (bad.value.code, bad.value.field) == (JobsErrorCode.INVALID_INPUT, "payload")
    assert not await Job.filter(kind=kind).exists()
