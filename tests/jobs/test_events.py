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
    # n=3 found the queue full: the backlog 0..2 is replaced by one MISSED, then n=4 queues
    assert received == [MISSED, {"n": 4}]


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


async def test_memory_broker_keeps_the_last_retained_message_until_it_expires(monkeypatch):
    # given
    import server.events as events

    clock = [1000.0]
    monkeypatch.setattr(events.time, "monotonic", lambda: clock[0])
    broker = MemoryBroker()
    channel = _channel()
    # when
    await broker.publish(channel, {"n": 1}, retain=10)
    await broker.publish(channel, {"n": 2}, retain=10)
    await broker.publish(channel, {"n": 3})  # not retained: the last retained one stays
    kept = await broker.last(channel)
    clock[0] += 11
    expired = await broker.last(channel)
    # then
    assert kept == {"n": 2}
    assert expired is None
    assert await broker.last(_channel()) is None


async def test_redis_broker_keeps_the_last_retained_message_for_other_processes(redis_url):
    # given: the publisher and a late reader are different broker instances (processes)
    worker, api = RedisBroker(redis_url), RedisBroker(redis_url)
    await worker.start()
    await api.start()
    channel = _channel()
    try:
        # when
        await worker.publish(channel, {"stage": "a"}, retain=60)
        await worker.publish(channel, {"stage": "b"}, retain=60)
        kept = await api.last(channel)
        ttl = await api._redis.pttl(api._last_key(channel))
        await worker.publish(channel, {"stage": "short"}, retain=0.05)
        await asyncio.sleep(0.2)
        expired = await api.last(channel)
    finally:
        await worker.close()
        await api.close()
    # then
    assert kept == {"stage": "b"}
    assert 50_000 < ttl <= 60_000  # the 60 s retention, set with the message
    assert expired is None
