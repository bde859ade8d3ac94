"""Periodic tasks: declared once, run once per slot of their interval, never twice at the same
time, whether two in-process schedulers share a lease or two processes share Redis."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from server.scheduler import (
    Cron,
    PeriodicTask,
    Scheduler,
    periodic_tasks,
    run_once,
)
from server.scheduler_locks import (
    Lease,
    MemoryTaskLock,
    PostgresTaskLock,
    RedisTaskLock,
    postgres_dsn,
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
        (5400.0, {"hour": set(range(24)), "minute": 0, "second": 0}),  # 90 min: hourly
    ],
)
def test_intervals_become_arq_cron_fields(every, fields):
    assert PeriodicTask("t", _noop, every=every).arq_cron_fields() == fields


def test_an_interval_cron_cannot_express_cuts_slots_of_the_interval_it_runs_at(caplog):
    # given: every 45 s, which arq cron fires at :00 and :30
    task = PeriodicTask("odd", _noop, every=45.0)
    # then: the slots (the leases) are 30 s long too
    assert task.interval == 30.0
    assert [task.next_run(t) for t in (0.0, 29.0, 30.0, 45.0, 59.0)] == [30, 30, 60, 60, 60]
    assert "every 45s is not a cron interval; it runs every 30s" in caplog.text
    # when: the cron fires every 30 s and a run takes its slot's lease until the slot ends
    runs, held_until = [], -1.0
    for fire in range(0, 300, 30):
        if fire >= held_until:
            runs.append(fire)
            held_until = task.next_run(fire)
    # then: it runs at every firing, 30 s apart (45 s slots skipped every other one)
    assert runs == list(range(0, 300, 30))


def test_a_run_s_time_limit_defaults_to_its_interval_at_least_five_minutes():
    assert PeriodicTask("t", _noop, every=600.0).time_limit(0.0) == 600.0
    assert PeriodicTask("t", _noop, every=30.0).time_limit(0.0) == 300.0
    assert PeriodicTask("t", _noop, every=30.0, timeout=5.0).time_limit(0.0) == 5.0
    nightly = PeriodicTask("nightly", _noop, cron=Cron(hour=3, minute=0))
    assert nightly.time_limit(1710072000.0) == 86400.0
    with pytest.raises(ValueError, match="timeout"):
        PeriodicTask("t", _noop, every=30.0, timeout=0)


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


# --- failures of the lease store, lost leases, time limits -----------------------------------------


class FlakyLock:
    """Leases whose store fails the first `failures` times (a database restarting)."""

    def __init__(self, failures: int = 1) -> None:
        self.failures = failures
        self.inner = MemoryTaskLock()

    @contextlib.asynccontextmanager
    async def hold(self, name: str, *, until: float) -> AsyncIterator[Lease | None]:
        if self.failures > 0:
            self.failures -= 1
            raise OSError("connection refused (database restarting)")
        async with self.inner.hold(name, until=until) as lease:
            yield lease


async def test_a_lease_store_failure_is_logged_and_the_next_slot_runs(caplog):
    # given: a lock whose hold fails once, then works
    clock, calls = FakeClock(1000.0), []
    task = _recording_task(calls, clock)
    scheduler = Scheduler([task], get_settings(), lock=FlakyLock(), clock=clock)
    # when: the task is due twice
    await scheduler.run_due(task, 1000.0, last=None)
    clock.now = 1030.0
    await scheduler.run_due(task, 1030.0, last=1000.0)
    # then: the failure was logged, not raised, and the task ran in the next slot
    assert calls == [1030.0]
    assert scheduler.runs == {"record": 1}
    assert "periodic task record could not take its lease" in caplog.text


async def test_the_running_scheduler_survives_a_lease_store_failure():
    # given: a task every 20 ms whose lease store fails at first
    fired = asyncio.Event()

    async def tick(settings: Any) -> None:
        fired.set()

    scheduler = Scheduler(
        [PeriodicTask("tick", tick, every=0.02)], get_settings(), lock=FlakyLock(failures=2)
    )
    # when / then: it still runs afterwards
    async with scheduler.running():
        await asyncio.wait_for(fired.wait(), 10)
    assert scheduler.runs["tick"] >= 1


async def test_the_scheduling_loop_survives_its_own_failures(caplog):
    # given: a scheduler whose first check raises (whatever the cause)
    fired = asyncio.Event()

    async def tick(settings: Any) -> None:
        fired.set()

    class Failing(Scheduler):
        failed = False

        async def run_due(self, task: PeriodicTask, now: float, *, last: float | None) -> float:
            if not self.failed:
                self.failed = True
                raise RuntimeError("clock broken")
            return await super().run_due(task, now, last=last)

    scheduler = Failing([PeriodicTask("tick", tick, every=0.02)], get_settings())
    # when / then: the loop logs it and goes on
    async with scheduler.running():
        await asyncio.wait_for(fired.wait(), 10)
    assert scheduler.failed and scheduler.runs["tick"] >= 1
    assert "periodic task tick: scheduling failed" in caplog.text


async def test_a_run_past_its_time_limit_is_cancelled_and_its_lease_released(caplog):
    # given: a task that hangs, with a short time limit
    cancelled = False

    async def hang(settings: Any) -> None:
        nonlocal cancelled
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled = True
            raise

    clock = FakeClock(1000.0)
    lock = MemoryTaskLock(clock)
    task = PeriodicTask("hang", hang, every=60.0, timeout=0.05)
    # when
    ran = await run_once(task, get_settings(), lock, until=1020.0)
    # then: it was cancelled; the next slot can run it
    assert (ran, cancelled) == (True, True)
    assert "periodic task hang cancelled after its 0.05s time limit" in caplog.text
    clock.now = 1020.0
    async with lock.hold("hang", until=1080.0) as lease:
        assert lease is not None


class FakeRedis:
    """SET NX and the lease scripts; `extend` answers each extension: a number or an error."""

    def __init__(self, extend: list[Any], clock: FakeClock | None = None) -> None:
        self.extend = extend
        self.clock = clock
        self.extended = asyncio.Event()
        self.calls: list[str] = []

    async def set(self, key: str, token: str, *, nx: bool, px: int) -> bool:
        return True

    async def eval(self, script: str, numkeys: int, key: str, token: str, ms: int) -> int:
        if "del" in script:
            self.calls.append("release")
            return 1
        if self.clock is not None:
            self.clock.now += 10.0  # each extension attempt, time goes on
        answer = self.extend.pop(0) if self.extend else 1
        self.calls.append("extend" if isinstance(answer, int) else "error")
        if not self.extend:
            self.extended.set()
        if isinstance(answer, Exception):
            raise answer
        return answer


async def test_a_redis_lease_survives_one_failed_extension():
    # given: Redis fails one extension, then extends again
    redis = FakeRedis([ConnectionError("Redis restarting"), 1])
    lock = RedisTaskLock(redis, renew_every=0.001)
    done = []

    async def run(settings: Any) -> None:
        await redis.extended.wait()
        done.append("finished")

    task = PeriodicTask("report", run, every=3600.0)
    # when
    ran = await run_once(task, get_settings(), lock, until=task.next_run(1000.0))
    # then: the run went to its end and the lease was released
    assert (ran, done) == (True, ["finished"])
    assert redis.calls[:2] == ["error", "extend"] and redis.calls[-1] == "release"


@pytest.mark.parametrize(
    "answers",
    [
        [0],  # the key is no longer ours
        [ConnectionError("down")] * 20,  # Redis unreachable until the lease expired
    ],
)
async def test_a_lost_redis_lease_cancels_the_run(answers, caplog):
    # given: a run whose lease Redis no longer keeps
    clock = FakeClock(1000.0)
    redis = FakeRedis(list(answers), clock)
    lock = RedisTaskLock(redis, clock=clock, renew_every=0.001)
    cancelled = False

    async def hang(settings: Any) -> None:
        nonlocal cancelled
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled = True
            raise

    task = PeriodicTask("report", hang, every=60.0)
    # when
    ran = await run_once(task, get_settings(), lock, until=1020.0)
    # then: cancelled, and the release is still tried
    assert (ran, cancelled) == (True, True)
    assert redis.calls[-1] == "release"
    assert "periodic task report cancelled" in caplog.text


class FakeConnection:
    def __init__(self, log: list[str], fail_ping: bool = False) -> None:
        self.log = log
        self.fail_ping = fail_ping
        self.closed = False

    def is_closed(self) -> bool:
        return self.closed

    async def fetchval(self, sql: str, *args: Any) -> Any:
        self.log.append(sql.split("(")[0].removeprefix("SELECT "))
        if sql == "SELECT 1" and self.fail_ping:
            raise ConnectionResetError("server closed the connection")
        return True

    def terminate(self) -> None:
        self.closed = True

    async def close(self) -> None:
        self.closed = True


async def test_a_lost_postgresql_connection_loses_its_leases_and_cancels_the_run(caplog):
    # given: an advisory-lock lease on a connection that breaks during the run
    queries: list[str] = []
    connections: list[FakeConnection] = []

    async def connect(dsn: str) -> FakeConnection:
        connections.append(FakeConnection(queries, fail_ping=not connections))
        return connections[-1]

    lock = PostgresTaskLock("asyncpg://u@db/app", connect=connect, check_every=0.001)
    cancelled = False

    async def hang(settings: Any) -> None:
        nonlocal cancelled
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled = True
            raise

    task = PeriodicTask("report", hang, every=60.0)
    # when
    ran = await run_once(task, get_settings(), lock, until=0.0)
    # then: the run was cancelled; the broken connection was closed (dropping its locks)
    assert (ran, cancelled) == (True, True)
    assert connections[0].closed
    assert "the connection holding the advisory lock failed" in caplog.text
    # and: a lock that connection took is not unlocked on the next one
    await asyncio.sleep(0)
    await asyncio.gather(*lock._releases)
    assert queries == ["pg_try_advisory_lock", "1"]
    await lock.close()


async def test_a_reconnect_counts_as_lost_postgresql_leases():
    # given: a run holding a lease, and the connection closed under it
    connections: list[FakeConnection] = []

    async def connect(dsn: str) -> FakeConnection:
        connections.append(FakeConnection([]))
        return connections[-1]

    lock = PostgresTaskLock("asyncpg://u@db/app", connect=connect, check_every=3600.0)
    async with lock.hold("report", until=0.0) as lease:
        assert lease is not None
        connections[0].closed = True
        # when: the next query reconnects
        await lock._query("SELECT 1")
        # then
        assert lease.lost.is_set() and len(connections) == 2
    await lock.close()


def test_the_postgresql_lease_dsn_keeps_the_ssl_parameters():
    url = (
        "asyncpg://app:secret@db.example:5432/scanbase?maxsize=20&minsize=2&sslmode=verify-full"
        "&sslrootcert=/etc/ssl/ca.pem&sslcert=/etc/ssl/c.pem&sslkey=/etc/ssl/c.key"
    )
    assert postgres_dsn(url) == (
        "postgresql://app:secret@db.example:5432/scanbase?sslmode=verify-full"
        "&sslrootcert=%2Fetc%2Fssl%2Fca.pem&sslcert=%2Fetc%2Fssl%2Fc.pem&sslkey=%2Fetc%2Fssl%2Fc.key"
    )
    # Tortoise's ssl=true, and a URL without parameters
    assert (
        postgres_dsn("postgres://u@h/d?ssl=true&maxsize=5") == "postgresql://u@h/d?sslmode=require"
    )
    assert postgres_dsn("asyncpg://u@h:5432/d") == "postgresql://u@h:5432/d"
