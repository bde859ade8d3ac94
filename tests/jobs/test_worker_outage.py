"""The arq worker (`jobs.worker.Worker`) waits for Redis instead of exiting, however redis-py
reports the lost connection (TEST_REDIS_URL)."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from arq import create_pool
from arq.connections import RedisSettings
from arq.worker import Worker as ArqWorker
from redis.asyncio import Redis
from redis.exceptions import WatchError

from jobs.worker import Worker, redis_went_away, worker_options
from server.settings import get_settings


async def _connection_lost_inside_a_watch(redis_url: str) -> WatchError:
    """What redis-py raises when the connection drops between a WATCH and the next command (as
    when Redis is killed while arq checks a delivery before starting it)."""
    client, admin = Redis.from_url(redis_url), Redis.from_url(redis_url)
    try:
        async with client.pipeline(transaction=True) as pipe:
            await pipe.watch(f"scanbase:test:watched:{secrets.token_hex(4)}")
            own_id: Any = await pipe.execute_command("CLIENT", "ID")  # sent at once: watching
            await admin.client_kill_filter(_id=str(own_id))
            with pytest.raises(WatchError) as raised:
                await pipe.exists("anything")
        return raised.value
    finally:
        await client.aclose()
        await admin.aclose()


async def test_a_connection_lost_inside_a_watch_is_redis_going_away(redis_url):
    lost = await _connection_lost_inside_a_watch(redis_url)
    assert redis_went_away(lost)
    assert not redis_went_away(WatchError("Watched variable changed."))  # a real conflict
    assert not redis_went_away(ValueError("a bug"))


async def test_the_worker_waits_for_redis_when_it_goes_away_while_checking_a_delivery(
    redis_url, monkeypatch
):
    # given: a worker whose check of a waiting delivery loses its Redis connection inside the
    # WATCH, after arq took a concurrency slot for it
    lost = await _connection_lost_inside_a_watch(redis_url)

    async def start_jobs_losing_redis(self: ArqWorker, job_ids: list[bytes]) -> None:
        await self.sem.acquire()
        self.job_counter += 1
        raise lost

    monkeypatch.setattr(ArqWorker, "start_jobs", start_jobs_losing_redis)
    queue_name = f"scanbase:test-worker:{secrets.token_hex(4)}"
    settings = get_settings().model_copy(
        update={"job_queue_name": queue_name, "job_concurrency": 2}
    )
    pool = await create_pool(RedisSettings.from_dsn(redis_url))
    worker: Any = Worker(
        **worker_options(settings, redis_url=redis_url, standalone=False),
        redis_pool=pool,
        burst=True,
        handle_signals=False,
    )
    try:
        await pool.zadd(queue_name, {"delivery:0": 1})
        free = worker.sem._value
        # when: it polls
        await worker._poll_iteration()
        for release in list(worker._releases):
            await release
    finally:
        await pool.delete(queue_name)
        await worker.close()
    # then: it waited for Redis (which answers again) instead of raising, and gave the slot back
    assert worker.redis_outages == 1
    assert (worker.job_counter, worker.sem._value) == (0, free)
