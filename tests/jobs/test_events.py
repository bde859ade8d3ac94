"""The events brokers: in memory, and Redis pub/sub across broker instances (processes)."""

from __future__ import annotations

import asyncio
import secrets

from server.events import MISSED, MemoryBroker, RedisBroker, Subscription


def _channel() -> str:
    return f"test:{secrets.token_hex(6)}"


async def test_memory_broker_delivers_to_subscribers_of_the_channel_only():
    broker = MemoryBroker()
    channel = _channel()
    async with (
        broker.subscribe(channel) as first,
        broker.subscribe(channel) as second,
        broker.subscribe(_channel()) as other,
    ):
        await broker.publish(channel, {"n": 1})
        assert await first.get() == {"n": 1}
        assert await second.get() == {"n": 1}
        assert other._queue.empty()
    await broker.publish(channel, {"n": 2})  # nobody left: dropped, nothing kept
    assert broker._subscribers == {}


async def test_a_slow_subscriber_gets_missed_instead_of_an_unbounded_backlog():
    subscription = Subscription("c", maxsize=3)
    for n in range(5):
        subscription.deliver({"n": n})
    received = [subscription._queue.get_nowait() for _ in range(subscription._queue.qsize())]
    assert received[0] is MISSED
    assert len(received) <= 3


async def test_redis_broker_delivers_across_instances(redis_url):
    # given: two brokers, as in two processes (an API replica and a worker)
    api, worker = RedisBroker(redis_url), RedisBroker(redis_url)
    await api.start()
    await worker.start()
    channel = _channel()
    try:
        async with api.subscribe(channel) as first, api.subscribe(channel) as second:
            # when: published right after subscribing (the subscription is live on return)
            await worker.publish(channel, {"status": "RUNNING", "progress": 0.5})
            await worker.publish(channel, {"status": "SUCCEEDED", "progress": 1.0})
            # then: both local subscribers get both, in order
            for subscription in (first, second):
                got = [await asyncio.wait_for(subscription.get(), 2) for _ in range(2)]
                assert got == [
                    {"status": "RUNNING", "progress": 0.5},
                    {"status": "SUCCEEDED", "progress": 1.0},
                ]
            assert len(api._local[channel]) == 2
        assert channel not in api._local
        assert (await api.ping(), await worker.ping()) == ("ok (redis)", "ok (redis)")
    finally:
        await api.close()
        await worker.close()


async def test_redis_subscribers_come_and_go_without_losing_messages(redis_url):
    broker = RedisBroker(redis_url)
    await broker.start()
    channel = _channel()
    try:
        for n in range(20):  # subscribe/unsubscribe churn on one channel
            async with broker.subscribe(channel) as subscription:
                await broker.publish(channel, {"n": n})
                assert await asyncio.wait_for(subscription.get(), 2) == {"n": n}
    finally:
        await broker.close()
