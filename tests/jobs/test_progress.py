"""Live progress: a late subscriber starts from the last published state (not the row, saved at
most every PERSIST_INTERVAL), progress never goes backwards, and values carry no float noise.
Run with the in-memory broker and with Redis pub/sub."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from server.events import EventBroker, current_broker
from server.jobs import running, services
from server.jobs.models import Job, JobStatus
from server.jobs.runtime import using
from server.jobs.state import JobState
from tests.factories import make_user


@pytest.fixture(params=["memory", "redis"])
def broker(request: pytest.FixtureRequest, app: Any) -> Iterator[EventBroker]:
    """The session's in-memory broker, or a Redis one for the test's duration."""
    if request.param == "memory":
        yield current_broker()
        return
    redis_broker = request.getfixturevalue("redis_broker")
    with using(events=redis_broker):
        yield redis_broker


def _seen(states: list[JobState]) -> list[tuple[str, float, str | None]]:
    return [(s.status.value, s.progress, s.stage) for s in states]


async def test_a_late_subscriber_starts_from_the_last_published_progress(
    broker, register_kind, monkeypatch
):
    # given: a running job that reported twice; the row has not caught up with either report
    monkeypatch.setattr(running, "PERSIST_INTERVAL", 3600.0)
    reported, proceed = asyncio.Event(), asyncio.Event()

    async def handler(job: Job, report: Any) -> dict[str, bool]:
        await report(0.25, "page 1/4")
        await report(0.5, "page 2/4")
        reported.set()
        await proceed.wait()
        await report(0.75, "page 3/4")
        return {"ok": True}

    kind = register_kind(handler)
    account = await make_user()
    job = await services.create_job(owner=account.user, kind=kind)
    await asyncio.wait_for(reported.wait(), 5)
    row = await Job.get(id=job.id)
    # when: a subscriber arrives now
    follow = services.follow_job(job_id=job.id, owner=account.user)
    first = await asyncio.wait_for(anext(follow), 5)
    proceed.set()
    rest = [state async for state in follow]
    # then: it starts where the job is, not where the row is, and goes on from there
    assert (row.status, row.stage, row.progress) == (JobStatus.RUNNING, None, 0.0)
    assert _seen([first, *rest]) == [
        ("RUNNING", 0.5, "page 2/4"),
        ("RUNNING", 0.75, "page 3/4"),
        ("SUCCEEDED", 1.0, "page 3/4"),
    ]


async def test_progress_never_goes_backwards_for_a_subscriber(broker, gate, register_kind):
    # given: a queued job, and a stale RUNNING state retained and then delivered late
    async def handler(job: Job, report: Any) -> dict[str, bool]:
        for step in (1, 2, 3):
            await report(step / 4, f"step {step}")
        return {"ok": True}

    kind = register_kind(handler)
    account = await make_user()
    job = await services.create_job(owner=account.user, kind=kind)
    row = JobState.from_model(await Job.get(id=job.id))
    stale = row.evolve(status=JobStatus.RUNNING, progress=0.9, stage="stale").to_event()
    channel = services.job_channel(job.id)
    await broker.publish(channel, stale, retain=60)
    seen: list[JobState] = []
    started = asyncio.Event()

    async def follow() -> None:
        async for state in services.follow_job(job_id=job.id, owner=account.user):
            seen.append(state)
            if len(seen) == 1:
                await broker.publish(channel, stale)  # an old event arriving late
                started.set()

    follower = asyncio.create_task(follow())
    await asyncio.wait_for(started.wait(), 5)
    # when
    await gate.release()
    await asyncio.wait_for(follower, 5)
    # then: the stale state was never shown, and progress only grew
    assert "stale" not in [s.stage for s in seen]
    assert _seen(seen) == [
        ("QUEUED", 0.0, None),
        ("RUNNING", 0.0, None),
        ("RUNNING", 0.25, "step 1"),
        ("RUNNING", 0.5, "step 2"),
        ("RUNNING", 0.75, "step 3"),
        ("SUCCEEDED", 1.0, "step 3"),
    ]


async def test_progress_is_rounded_in_events_and_in_the_row(app, gate, register_kind):
    async def handler(job: Job, report: Any) -> None:
        await report(0.05 + 0.8 * 1.0, "ocr: page 1/1")  # 0.8500000000000001 in floats
        await report(0.1 + 0.2, "three")  # 0.30000000000000004

    kind = register_kind(handler)
    account = await make_user()
    job = await services.create_job(owner=account.user, kind=kind, max_attempts=1)
    seen: list[JobState] = []
    follow = services.follow_job(job_id=job.id, owner=account.user)
    seen.append(await anext(follow))
    await gate.release()
    seen.extend([state async for state in follow])
    done = await Job.get(id=job.id)
    progress = [s.progress for s in seen if s.status == JobStatus.RUNNING and s.stage]
    assert progress == [0.85, 0.3]
    assert (done.status, done.progress) == (JobStatus.SUCCEEDED, 1.0)
