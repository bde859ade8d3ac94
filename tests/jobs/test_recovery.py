"""Crashes and duplicates: lost workers, zombie attempts, double deliveries, shutdown."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from server.jobs import recovery, running, services
from server.jobs.models import Job, JobStatus
from server.jobs.runtime import using
from server.queue import InProcessQueue
from tests.factories import make_user
from tests.jobs.conftest import wait_for, wait_until


def _long_ago() -> datetime:
    return datetime.now(UTC) - timedelta(hours=1)


async def _running_row(
    owner: Any, kind: str, *, attempts: int, max_attempts: int = 3, beat: datetime
) -> Job:
    """A row as a worker that died mid-job leaves it."""
    return await Job.create(
        owner=owner,
        kind=kind,
        status=JobStatus.RUNNING,
        attempts=attempts,
        max_attempts=max_attempts,
        progress=0.4,
        started_at=beat,
        heartbeat_at=beat,
    )


async def test_a_running_job_with_a_stale_heartbeat_is_retried_and_succeeds_once(
    app, register_kind
):
    # given: one job whose worker died an hour ago, one whose worker is alive
    calls: list[int] = []

    async def handler(job: Job, report: Any) -> dict[str, int]:
        calls.append(job.attempts)
        return {"attempt": job.attempts}

    kind = register_kind(handler)
    account = await make_user()
    lost = await _running_row(account.user, kind, attempts=1, beat=_long_ago())
    alive = await _running_row(account.user, kind, attempts=1, beat=datetime.now(UTC))
    # when
    found = await recovery.recover_jobs(kinds=[kind], queued_for=None)
    done = await wait_for(lost.id, JobStatus.SUCCEEDED)
    again = await recovery.recover_jobs(kinds=[kind], queued_for=None)
    # then
    assert (found.requeued, found.failed) == (1, 0)
    assert (again.requeued, again.failed) == (0, 0)
    assert calls == [2]
    assert (done.attempts, done.result, done.error_code) == (2, {"attempt": 2}, None)
    untouched = await Job.get(id=alive.id)
    assert (untouched.status, untouched.attempts) == (JobStatus.RUNNING, 1)


async def test_recovery_never_hands_over_an_attempt_this_process_is_running(app, register_kind):
    # given: attempt 1 of a job runs in this process, its heartbeat late (a loaded event loop),
    # and another job's attempt 1 was lost with its worker elsewhere
    proceed = asyncio.Event()
    calls: list[tuple[str, int]] = []

    async def handler(job: Job, report: Any) -> dict[str, int]:
        calls.append((str(job.id), job.attempts))
        await proceed.wait()
        return {"attempt": job.attempts}

    kind = register_kind(handler)
    account = await make_user()
    here = await services.create_job(owner=account.user, kind=kind)
    await wait_for(here.id, JobStatus.RUNNING)
    lost = await _running_row(account.user, kind, attempts=1, beat=_long_ago())
    await Job.filter(id=here.id).update(heartbeat_at=_long_ago())
    in_flight = running.in_flight()
    # when
    found = await recovery.recover_jobs(kinds=[kind], queued_for=None)
    still = await Job.get(id=here.id)
    proceed.set()
    done = [await wait_for(job.id, JobStatus.SUCCEEDED) for job in (here, lost)]
    # then: only the lost one went to a new attempt; the one running here finished attempt 1
    assert (here.id, 1) in in_flight
    assert (found.requeued, found.failed) == (1, 0)
    assert (still.status, still.attempts, still.error_code) == (JobStatus.RUNNING, 1, None)
    assert [(job.attempts, job.result) for job in done] == [
        (1, {"attempt": 1}),
        (2, {"attempt": 2}),
    ]
    assert sorted(calls) == sorted([(str(here.id), 1), (str(lost.id), 2)])
    # the attempt leaves the registry once its outcome is written and published
    await wait_until(lambda: (here.id, 1) not in running.in_flight())


async def test_a_lost_job_without_attempts_left_fails_with_worker_lost(app, register_kind):
    async def handler(job: Job, report: Any) -> None:
        raise AssertionError("must not run")

    kind = register_kind(handler)
    account = await make_user()
    lost = await _running_row(account.user, kind, attempts=2, max_attempts=2, beat=_long_ago())
    found = await recovery.recover_jobs(kinds=[kind], queued_for=None)
    failed = await Job.get(id=lost.id)
    assert (found.requeued, found.failed) == (0, 1)
    assert (failed.status, failed.error_code) == (JobStatus.FAILED, "WORKER_LOST")
    assert failed.finished_at is not None


def _as_another_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Recovery that does not know this process's attempts, as another process's: the zombie
    tests run the zombie here, where it can be watched."""
    monkeypatch.setattr(running, "in_flight", frozenset)


async def test_a_zombie_attempt_cannot_overwrite_the_outcome(app, gate, register_kind, monkeypatch):
    # given: attempt 1 hangs (its worker seems dead), another process's recovery hands the job
    # to attempt 2
    _as_another_process(monkeypatch)
    zombie_may_finish = asyncio.Event()

    async def handler(job: Job, report: Any) -> dict[str, int]:
        if job.attempts == 1:
            await zombie_may_finish.wait()
        return {"attempt": job.attempts}

    kind = register_kind(handler)
    account = await make_user()
    job = await services.create_job(owner=account.user, kind=kind)
    zombie = asyncio.create_task(running.run_job(job.id, 0))
    await wait_for(job.id, JobStatus.RUNNING)
    await Job.filter(id=job.id).update(heartbeat_at=_long_ago())
    await gate.release()
    found = await recovery.recover_jobs(kinds=[kind], queued_for=None)
    done = await wait_for(job.id, JobStatus.SUCCEEDED)
    # when: the zombie wakes up and returns its own result
    zombie_may_finish.set()
    zombie_outcome = await asyncio.wait_for(zombie, 5)
    # then: its write matched no row
    assert found.requeued == 1
    assert zombie_outcome == "superseded"
    final = await Job.get(id=job.id)
    assert (final.status, final.attempts, final.result) == (JobStatus.SUCCEEDED, 2, {"attempt": 2})
    assert final.revision == done.revision


async def test_a_zombie_attempt_is_stopped_at_its_next_report(
    app, gate, register_kind, monkeypatch
):
    _as_another_process(monkeypatch)
    proceed = asyncio.Event()
    outcome: list[str] = []

    async def handler(job: Job, report: Any) -> dict[str, int]:
        if job.attempts == 1:
            await proceed.wait()
            await asyncio.sleep(0.25)  # past the persist interval: this report writes
            try:
                await report(0.9, "late")
            except BaseException as exc:
                outcome.append(type(exc).__name__)
                raise
        return {"attempt": job.attempts}

    kind = register_kind(handler)
    account = await make_user()
    job = await services.create_job(owner=account.user, kind=kind)
    zombie = asyncio.create_task(running.run_job(job.id, 0))
    await wait_for(job.id, JobStatus.RUNNING)
    await Job.filter(id=job.id).update(heartbeat_at=_long_ago())
    await gate.release()
    await recovery.recover_jobs(kinds=[kind], queued_for=None)
    await wait_for(job.id, JobStatus.SUCCEEDED)
    proceed.set()
    assert await asyncio.wait_for(zombie, 5) == "cancelled"
    assert outcome == ["JobCancelled"]
    final = await Job.get(id=job.id)
    assert (final.progress, final.stage, final.result) == (1.0, None, {"attempt": 2})


async def test_a_duplicate_delivery_runs_the_job_once(app, gate, register_kind):
    calls: list[int] = []

    async def handler(job: Job, report: Any) -> dict[str, int]:
        calls.append(job.attempts)
        await asyncio.sleep(0.05)
        return {"ok": 1}

    kind = register_kind(handler)
    account = await make_user()
    job = await services.create_job(owner=account.user, kind=kind)
    outcomes = await asyncio.gather(running.run_job(job.id, 0), running.run_job(job.id, 0))
    assert sorted(outcomes) == ["skipped", "succeeded"]
    assert calls == [1]
    assert await running.run_job(job.id, 0) == "skipped"


async def test_shutdown_leaves_unfinished_jobs_queued_for_the_next_start(app, register_kind):
    # given: a runner of one slot, one job running and one waiting
    started, unblocked = asyncio.Event(), asyncio.Event()

    async def handler(job: Job, report: Any) -> dict[str, bool]:
        started.set()
        await unblocked.wait()
        return {"done": True}

    kind = register_kind(handler)
    account = await make_user()
    runner = InProcessQueue(running.run_job, concurrency=1, shutdown_grace=0.05)
    with using(queue=runner):
        first = await services.create_job(owner=account.user, kind=kind)
        second = await services.create_job(owner=account.user, kind=kind)
        await asyncio.wait_for(started.wait(), 5)
        # when: the process shuts down
        await runner.close()
    # then: both are QUEUED; the interrupted attempt does not count against the job
    interrupted, waiting = await Job.get(id=first.id), await Job.get(id=second.id)
    assert (interrupted.status, interrupted.attempts, interrupted.max_attempts) == (
        JobStatus.QUEUED,
        1,
        4,
    )
    assert interrupted.message == "Interrupted by a shutdown; queued again."
    assert (waiting.status, waiting.attempts) == (JobStatus.QUEUED, 0)
    # when: the next start recovers them
    unblocked.set()
    found = await recovery.recover_jobs(kinds=[kind])
    for job in (first, second):
        await wait_for(job.id, JobStatus.SUCCEEDED)
    assert found.enqueued == 2
    assert (await Job.get(id=first.id)).attempts == 2


async def test_progress_is_published_every_time_but_persisted_at_most_every_200ms(
    app, gate, register_kind
):
    from tests.sql import count_sql

    writes: list[int] = []

    async def handler(job: Job, report: Any) -> dict[str, int]:
        with count_sql() as statements:
            for step in range(1, 51):
                await report(step / 50, f"step {step}")
        writes.append(sum(1 for s in statements if s.lstrip().upper().startswith("UPDATE")))
        return {"steps": 50}

    kind = register_kind(handler)
    account = await make_user()
    job = await services.create_job(owner=account.user, kind=kind)
    seen: list[Any] = []

    async def follow() -> None:
        async for state in services.follow_job(job_id=job.id, owner=account.user):
            seen.append(state)

    follower = asyncio.create_task(follow())
    await wait_until(lambda: bool(seen))
    await gate.release()
    await asyncio.wait_for(follower, 5)
    # then: 50 reports, 50 events, at most a couple of writes (the handler takes ~no time)
    assert writes[0] <= 2
    stages = [s.stage for s in seen if s.status == JobStatus.RUNNING and s.stage]
    assert stages == [f"step {n}" for n in range(1, 51)]
    assert seen[-1].status == JobStatus.SUCCEEDED


async def test_a_throttled_report_is_still_saved_shortly_after(app, register_kind):
    proceed = asyncio.Event()

    async def handler(job: Job, report: Any) -> None:
        await report(0.1, "a")
        await report(0.2, "b", "second")
        await proceed.wait()

    kind = register_kind(handler)
    account = await make_user()
    job = await services.create_job(owner=account.user, kind=kind)
    saved = await wait_for(job.id, JobStatus.RUNNING, check=lambda j: j.stage == "b", within=2)
    proceed.set()
    assert (saved.progress, saved.message) == (0.2, "second")
    await wait_for(job.id, JobStatus.SUCCEEDED)
