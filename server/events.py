"""Publish/subscribe of small JSON messages by channel: in memory, or Redis pub/sub across processes.

Without REDIS_URL the broker lives in this process (the in-process job runner publishes where the
subscribers are). With REDIS_URL every process publishes to Redis and each process keeps ONE
pub/sub connection, shared by all its local subscribers of all channels, so any API replica can
serve any subscriber whichever process runs the job.

Race-free setup: `async with broker.subscribe(channel) as sub:` returns only once the
subscription is live (for Redis: once the server confirmed SUBSCRIBE), so a caller that
subscribes first and then reads the current state misses nothing published after that read.

Retained messages: `publish(..., retain=seconds)` also keeps the message as the channel's last
one for that long, and `last(channel)` returns it (in memory, or a Redis key with a TTL), so a
subscriber that arrives late can start from the latest state rather than wait for the next one.

Delivery is at most once. A slow subscriber's buffer is bounded; when it overflows, or when the
Redis connection drops, the subscriber receives `MISSED` instead of the lost messages and should
re-read the state it follows.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Final

from server.settings import Settings

log = logging.getLogger("scanbase.events")

Message = dict[str, Any]
SUBSCRIBER_BUFFER = 1000
SUBSCRIBE_TIMEOUT = 5.0
RETAIN_PRUNE_SECONDS = 60.0


class Missed:
    """Marker delivered in place of messages a subscriber may have lost."""

    def __repr__(self) -> str:
        return "MISSED"


MISSED: Final = Missed()


class Subscription:
    """One subscriber's bounded buffer; iterate it, or `await get()`."""

    def __init__(self, channel: str, maxsize: int = SUBSCRIBER_BUFFER) -> None:
        self.channel = channel
        self._queue: asyncio.Queue[Message | Missed] = asyncio.Queue(maxsize)

    def deliver(self, message: Message | Missed) -> None:
        try:
            self._queue.put_nowait(message)
        except asyncio.QueueFull:
            # Drop the backlog rather than grow without bound; the reader re-reads the state.
            while not self._queue.empty():
                self._queue.get_nowait()
            self._queue.put_nowait(MISSED)

    async def get(self) -> Message | Missed:
        return await self._queue.get()

    def __aiter__(self) -> AsyncIterator[Message | Missed]:
        return self

    async def __anext__(self) -> Message | Missed:
        return await self._queue.get()


class EventBroker(ABC):
    name: str

    async def start(self) -> None:  # noqa: B027 - optional hook
        """Open connections; a no-op for brokers that need none."""

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Close connections; local subscribers stop receiving."""

    @abstractmethod
    async def publish(self, channel: str, message: Message, *, retain: float | None = None) -> None:
        """Send `message` to the channel's subscribers; `retain`: also keep it as the channel's
        last message for that many seconds."""

    @abstractmethod
    async def last(self, channel: str) -> Message | None:
        """The channel's last retained message, if it has not expired."""

    @abstractmethod
    def subscribe(self, channel: str) -> contextlib.AbstractAsyncContextManager[Subscription]:
        """A live subscription for the duration of the `async with` block."""

    @abstractmethod
    async def ping(self) -> str:
        """A short status for /health; raises when the broker is unusable."""


class MemoryBroker(EventBroker):
    """Subscribers of this process only."""

    name = "memory"

    def __init__(self) -> None:
        self._subscribers: dict[str, set[Subscription]] = {}
        self._retained: dict[str, tuple[float, Message]] = {}
        self._next_prune = 0.0

    async def publish(self, channel: str, message: Message, *, retain: float | None = None) -> None:
        if retain is not None:
            now = time.monotonic()
            self._retained[channel] = (now + retain, message)
            if now >= self._next_prune:  # expired entries go at most once a minute
                self._next_prune = now + RETAIN_PRUNE_SECONDS
                for name, (expires, _) in list(self._retained.items()):
                    if expires <= now:
                        del self._retained[name]
        for subscription in list(self._subscribers.get(channel, ())):
            subscription.deliver(message)

    async def last(self, channel: str) -> Message | None:
        kept = self._retained.get(channel)
        if kept is None or kept[0] <= time.monotonic():
            return None
        return kept[1]

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[Subscription]:
        subscription = Subscription(channel)
        self._subscribers.setdefault(channel, set()).add(subscription)
        try:
            yield subscription
        finally:
            local = self._subscribers.get(channel)
            if local is not None:
                local.discard(subscription)
                if not local:
                    del self._subscribers[channel]

    async def ping(self) -> str:
        return f"ok (memory, {sum(map(len, self._subscribers.values()))} subscribers)"


class RedisBroker(EventBroker):
    """Redis pub/sub: one publishing pool and one subscribing connection per process."""

    name = "redis"

    def __init__(self, url: str, *, prefix: str = "scanbase:events:") -> None:
        self.url = url
        self.prefix = prefix
        self._redis: Any = None
        self._pubsub: Any = None
        self._reader: asyncio.Task[None] | None = None
        self._local: dict[str, set[Subscription]] = {}
        self._confirmed: dict[str, asyncio.Future[None]] = {}
        self._lock = asyncio.Lock()
        self._reconnected = False
        # A channel of our own keeps the connection in subscribed mode while nobody listens.
        self._idle_channel = f"{prefix}_idle:{id(self):x}"

    async def start(self) -> None:
        from redis.asyncio import Redis

        self._redis = Redis.from_url(self.url, decode_responses=True)
        self._pubsub = self._redis.pubsub()
        await self._pubsub.subscribe(self._idle_channel)
        self._reader = asyncio.create_task(self._read(), name="events-redis-reader")

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
            self._reader = None
        for waiter in self._confirmed.values():
            if not waiter.done():
                waiter.cancel()
        if self._pubsub is not None:
            await self._pubsub.aclose()
        if self._redis is not None:
            await self._redis.aclose()

    async def publish(self, channel: str, message: Message, *, retain: float | None = None) -> None:
        data = json.dumps(message, separators=(",", ":"))
        if retain is None:
            await self._redis.publish(self.prefix + channel, data)
            return
        # One round trip; the key is written before subscribers hear the message.
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(self._last_key(channel), data, px=max(int(retain * 1000), 1))
            pipe.publish(self.prefix + channel, data)
            await pipe.execute()

    async def last(self, channel: str) -> Message | None:
        data = await self._redis.get(self._last_key(channel))
        if data is None:
            return None
        try:
            message = json.loads(data)
        except ValueError:
            return None
        return message if isinstance(message, dict) else None

    def _last_key(self, channel: str) -> str:
        # Not a pub/sub channel name: keys and channels live in separate namespaces anyway.
        return f"{self.prefix}last:{channel}"

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[Subscription]:
        subscription = Subscription(channel)
        await self._add(subscription)
        try:
            yield subscription
        finally:
            await self._remove(subscription)

    async def _add(self, subscription: Subscription) -> None:
        channel = subscription.channel
        async with self._lock:
            local = self._local.setdefault(channel, set())
            local.add(subscription)
            waiter = self._confirmed.get(channel)
            if waiter is None:
                waiter = self._confirmed[channel] = asyncio.get_running_loop().create_future()
                try:
                    await self._pubsub.subscribe(self.prefix + channel)
                except Exception:
                    self._confirmed.pop(channel, None)
                    local.discard(subscription)
                    raise
        try:
            # shield: another subscriber of the channel may be waiting on the same confirmation
            await asyncio.wait_for(asyncio.shield(waiter), SUBSCRIBE_TIMEOUT)
        except BaseException:
            await self._remove(subscription)
            raise

    async def _remove(self, subscription: Subscription) -> None:
        channel = subscription.channel
        async with self._lock:
            local = self._local.get(channel)
            if local is None:
                return
            local.discard(subscription)
            if local:
                return
            del self._local[channel]
            waiter = self._confirmed.pop(channel, None)
            if waiter is not None and not waiter.done():
                waiter.cancel()
            with contextlib.suppress(Exception):
                await self._pubsub.unsubscribe(self.prefix + channel)

    async def _read(self) -> None:
        delay = 0.1
        while True:
            try:
                message = await self._pubsub.get_message(timeout=None)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("redis pub/sub connection lost (%s); reconnecting", type(exc).__name__)
                self._reconnected = True
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
                continue
            delay = 0.1
            if message is None:
                continue
            if self._reconnected:
                # redis-py re-subscribed on reconnect; what was published meanwhile is lost.
                self._reconnected = False
                for local in self._local.values():
                    for subscription in local:
                        subscription.deliver(MISSED)
            self._dispatch(message)

    def _dispatch(self, message: dict[str, Any]) -> None:
        channel = str(message.get("channel", ""))
        if not channel.startswith(self.prefix):
            return
        channel = channel[len(self.prefix) :]
        kind = message.get("type")
        if kind == "subscribe":
            waiter = self._confirmed.get(channel)
            if waiter is not None and not waiter.done():
                waiter.set_result(None)
            return
        if kind != "message":
            return
        local = self._local.get(channel)
        if not local:
            return
        try:
            data = json.loads(message["data"])
        except (TypeError, ValueError):
            log.warning("dropped a malformed event on %s", channel)
            return
        for subscription in list(local):
            subscription.deliver(data)

    async def ping(self) -> str:
        await self._redis.ping()
        if self._reader is None or self._reader.done():
            raise RuntimeError("pub/sub reader is not running")
        return "ok (redis)"


def create_broker(settings: Settings) -> EventBroker:
    """Redis pub/sub when REDIS_URL is set, else the in-memory broker."""
    if settings.redis_url:
        return RedisBroker(settings.redis_url)
    return MemoryBroker()


_current: EventBroker | None = None


def current_broker() -> EventBroker:
    """This process's broker, installed at startup by the job runtime (API or worker)."""
    if _current is None:
        raise RuntimeError("no events broker is running in this process")
    return _current


def install_broker(broker: EventBroker | None) -> EventBroker | None:
    """Make `broker` this process's broker; returns the previous one (to restore it)."""
    global _current
    previous, _current = _current, broker
    return previous
