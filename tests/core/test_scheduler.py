"""Periodic tasks: declared once, run once per slot of their interval, never twice at the same
time, whether two in-process schedulers share a lease or two processes share Redis."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from server.scheduler import (
    Cron,
    MemoryTaskLock,
    PeriodicTask,
    RedisTaskLock,
    Scheduler,
    periodic_tasks,
    run_once,
)
from server.settings import get_settings
from tests.conftest import IN_CI, TEST_REDIS_URL


class FakeClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _recording_task(calls: list[float], clock: FakeClock, every: float = 60.0) -> PeriodicTask:
    async def run(settings: Any) -> None:
        calls.append(clock())

    return PeriodicTask("record", run, every=every)


async def test_a_task_runs_once_in_each_slot_of_its_interval():
    # given: a task every 60 s, slots starting at 960, 1020, 1080...
    clock, calls = FakeClock(1000.0), []
    task = _recording_task(calls, clock)
    scheduler = Scheduler([task], get_settings(), clock=clock)
    # when: it is checked at 1000 (never ran), 1010 (same slot), 1020 and 1079 (next slot)
    last = None
    for now in (1000.0, 1010.0, 1020.0, 1079.0, 1085.0):
        clock.now = now
        await scheduler.run_due(task, now, last=last)
        last = now
    # then
    assert calls == [1000.0, 1020.0, 1085.0]
    assert scheduler.runs == {"record": 3}


async def test_two_schedulers_sharing_a_lease_run_each_slot_once():
    # given: two schedulers (two API processes) on one lease store
    clock, calls = FakeClock(1000.0), []
    task = _recording_task(calls, clock)
    lock = MemoryTaskLock(clock)
    first, second = (Scheduler([task], get_settings(), lock=lock, clock=clock) for _ in range(2))
    # when: both check in the slot 960-1020, then both in the next one, second first
    await first.run_due(task, 1000.0, last=None)
    await second.run_due(task, 1001.0, last=None)
    clock.now = 1030.0
    await second.run_due(task, 1030.0, last=1001.0)
    await first.run_due(task, 1030.0, last=1000.0)
    # then: one run per slot, by whichever came first
    assert calls == [1000.0, 1030.0]
    assert (first.runs, second.runs) == ({"record": 1}, {"record": 1})


async def test_a_run_that_outlasts_its_slot_is_not_started_twice():
    # given: a run of the task in progress, past the end of its slot
    clock = FakeClock(1000.0)
    started, release = asyncio.Event(), asyncio.Event()
    runs = 0

    async def slow(settings: Any) -> None:
        nonlocal runs
        runs += 1
        started.set()
        await release.wait()

    task = PeriodicTask("slow", slow, every=60.0)
    lock = MemoryTaskLock(clock)
    running = asyncio.create_task(run_once(task, get_settings(), lock, until=1020.0))
    await started.wait()
    clock.now = 1500.0
    # when: another scheduler finds the next slot due
    second = await run_once(task, get_settings(), lock, until=1560.0)
    release.set()
    first = await running
    # then
    assert (first, second, runs) == (True, False, 1)


async def test_a_failing_task_is_logged_and_tried_again_next_slot(caplog):
    calls = 0

    async def boom(settings: Any) -> None:
        nonlocal calls
        calls += 1
        raise RuntimeError("store down")

    clock = FakeClock(1000.0)
    task = PeriodicTask("boom", boom, every=60.0)
    scheduler = Scheduler([task], get_settings(), clock=clock)
    await scheduler.run_due(task, 1000.0, last=None)
    clock.now = 1030.0
    await scheduler.run_due(task, 1030.0, last=1000.0)
    assert calls == 2
    assert "periodic task boom failed" in caplog.text


async def test_the_running_scheduler_fires_tasks_on_their_interval():
    # given: a task every 20 ms on the real clock
    fired = asyncio.Event()
    count = 0

    async def tick(settings: Any) -> None:
        nonlocal count
        count += 1
        if count == 2:
            fired.set()

    scheduler = Scheduler([PeriodicTask("tick", tick, every=0.02)], get_settings())
    # when
    async with scheduler.running():
        await asyncio.wait_for(fired.wait(), 10)
    # then: it ran in two slots (not at startup: startup recovery already ran)
    assert scheduler.runs["tick"] >= 2


def test_the_declaration_follows_the_settings():
    settings = get_settings().model_copy(
        update={"job_recovery_seconds": 20.0, "sweep_interval_seconds": 600.0}
    )
    tasks = {task.name: task.every for task in periodic_tasks(settings)}
    assert tasks == {
        "recover-jobs": 20.0,
        "reconcile-documents": 20.0,
        "dispatch-outbox": settings.outbox_sweep_seconds,
        "sweep-blobs": 600.0,
    }
    off = get_settings().model_copy(update={"sweep_interval_seconds": 0})
    assert "sweep-blobs" not in {task.name for task in periodic_tasks(off)}


async def _noop(settings: Any) -> None:
    return None


@pytest.mark.parametrize(
    ("every", "fields"),
    [
        (30.0, {"second": {0, 30}}),
        (300.0, {"minute": set(range(0, 60, 5)), "second": 0}),
        (7200.0, {"hour": set(range(0, 24, 2)), "minute": 0, "second": 0}),
        (45.0, {"second": {0, 30}}),  # not a cron interval: the one below, more often
    ],
)
def test_intervals_become_arq_cron_fields(every, fields):
    assert PeriodicTask("t", _noop, every=every).arq_cron_fields() == fields


def test_a_cron_task_runs_at_its_times():
    task = PeriodicTask("nightly", _noop, cron=Cron(hour=3, minute=0))
    # 2024-03-10 12:00 UTC -> 2024-03-11 03:00 UTC
    assert task.next_run(1710072000.0) == 1710126000.0


def test_the_worker_runs_the_declared_tasks_as_unique_cron_jobs():
    from jobs.worker import worker_options

    options = worker_options(get_settings(), redis_url="redis://127.0.0.1:6379/4")
    embedded = worker_options(
        get_settings(), redis_url="redis://127.0.0.1:6379/4", standalone=False
    )
    names = {job.name for job in options["cron_jobs"]}
    queue = get_settings().job_queue_name
    assert names == {f"{queue}:periodic:{t.name}" for t in periodic_tasks(get_settings())}
    assert all(job.unique for job in options["cron_jobs"])
    assert embedded["cron_jobs"] == []


@pytest.fixture
async def redis_pair():
    """Two Redis clients (two processes) on TEST_REDIS_URL; skipped when unset."""
    if not TEST_REDIS_URL:
        if IN_CI:
            pytest.fail("CI=true but TEST_REDIS_URL is not set")
        pytest.skip("TEST_REDIS_URL not set: Redis lease test skipped (CI sets it)")
    from redis.asyncio import Redis

    clients = [Redis.from_url(TEST_REDIS_URL) for _ in range(2)]
    yield clients
    for client in clients:
        await client.aclose()


async def test_two_processes_sharing_redis_run_each_slot_once(redis_pair):
    # given: one task, an hour-long slot, a lease per process on the same Redis
    import time

    prefix = f"test:periodic:{uuid.uuid4().hex}:"
    calls: list[str] = []

    async def run(settings: Any) -> None:
        calls.append("ran")

    task = PeriodicTask("report", run, every=3600.0)
    until = task.next_run(time.time())
    locks = [RedisTaskLock(client, prefix=prefix) for client in redis_pair]
    # when: both fire for the slot, at once, then again in the same slot
    first = await asyncio.gather(
        *(run_once(task, get_settings(), lock, until=until) for lock in locks)
    )
    again = await run_once(task, get_settings(), locks[1], until=until)
    # then: it ran once; the lease stays until the slot ends
    try:
        assert sorted(first) == [False, True] and again is False
        assert calls == ["ran"]
        ttl_ms = await redis_pair[0].pttl(prefix + "report")
        assert 0 < ttl_ms <= 3600 * 1000
    finally:
        await redis_pair[0].delete(prefix + "report")


async def test_two_api_processes_on_postgresql_run_each_slot_once(database_url):
    # given: two processes' advisory-lock leases on the same database
    if not database_url.startswith("asyncpg"):
        pytest.skip("PostgreSQL advisory locks: runs in the PostgreSQL pass (TEST_DB_BACKEND)")
    import time

    from server.scheduler import PostgresTaskLock

    calls: list[str] = []

    async def run(settings: Any) -> None:
        calls.append("ran")

    task = PeriodicTask(f"report-{uuid.uuid4().hex}", run, every=3600.0)
    locks = [PostgresTaskLock(database_url) for _ in range(2)]
    try:
        # when: both fire for this slot, then the second again in the same slot
        until = task.next_run(time.time())
        first = [await run_once(task, get_settings(), lock, until=until) for lock in locks]
        again = await run_once(task, get_settings(), locks[1], until=until)
        # and: the first process exits
        await locks[0].close()  # the first process exits: PostgreSQL drops its leases
        after_exit = await run_once(task, get_settings(), locks[1], until=0.0)
        # then
        assert (first, again, after_exit) == ([True, False], False, True)
        assert calls == ["ran", "ran"]
    finally:
        for lock in locks:
            await lock.close()
