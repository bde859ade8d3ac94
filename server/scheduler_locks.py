"""Leases of periodic tasks (`server.scheduler`): who runs a task's slot, across processes.

`hold(name, until=...)` yields a `Lease` when the task was free (None when another process has
it) and keeps it while the run lasts. A lease this process can no longer vouch for (Redis
unreachable until it expired, or taken since; the PostgreSQL connection that held the advisory
lock lost) is marked `lost`: the scheduler then cancels the run, so that two processes do not
run the task at once for longer than that detection takes (one renewal period, ~10 s).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import math
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

log = logging.getLogger("scanbase.scheduler")

# While a run lasts, its lease is pushed this far ahead, every third of it.
RUNNING_LEASE = 30.0


class Lease:
    """A lease held by this process; `lost` is set when it may be someone else's now."""

    def __init__(self) -> None:
        self.lost = asyncio.Event()
        self.reason = ""

    def lose(self, reason: str) -> None:
        if not self.lost.is_set():
            self.reason = reason
            self.lost.set()


class TaskLock(Protocol):
    def hold(self, name: str, *, until: float) -> AbstractAsyncContextManager[Lease | None]:
        """Take `name`'s lease until the Unix time `until` (kept while the body runs): yields
        the lease, or None when another process has it. Leaving the body releases it only if
        `until` has passed."""
        ...


@dataclass
class MemoryTaskLock:
    """Leases of one process (the in-process scheduler); `clock` is replaceable for tests."""

    clock: Callable[[], float] = time.time
    _leases: dict[str, float] = field(default_factory=dict)

    @asynccontextmanager
    async def hold(self, name: str, *, until: float) -> AsyncIterator[Lease | None]:
        if self._leases.get(name, -math.inf) > self.clock():
            yield None
            return
        self._leases[name] = math.inf  # held while running, whatever the clock says
        try:
            yield Lease()
        finally:
            self._leases[name] = until


# Extend or end a lease only if it is still ours (another process may hold it since).
_EXTEND = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  if tonumber(ARGV[2]) > 0 then return redis.call('pexpire', KEYS[1], ARGV[2]) end
  return redis.call('del', KEYS[1])
end
return 0
"""


@dataclass
class RedisTaskLock:
    """Leases in Redis, shared by every process on REDIS_URL (SET NX PX with a token).

    While the body runs, a keeper extends the lease every `renew_every` seconds; a failed
    extension is retried (every second) until the lease would expire, then the lease is lost,
    as it is at once when Redis says the key is no longer ours."""

    redis: Any
    prefix: str = "scanbase:periodic:"
    clock: Callable[[], float] = time.time
    renew_every: float = RUNNING_LEASE / 3

    @asynccontextmanager
    async def hold(self, name: str, *, until: float) -> AsyncIterator[Lease | None]:
        key, token = self.prefix + name, uuid.uuid4().hex
        started = self.clock()
        first = max(until - started, RUNNING_LEASE)
        if not await self.redis.set(key, token, nx=True, px=int(first * 1000)):
            yield None
            return
        lease = Lease()
        keeper = asyncio.create_task(self._keep(name, key, token, lease, until, started + first))
        try:
            yield lease
        finally:
            keeper.cancel()
            await asyncio.wait({keeper})  # it never raises; an outer cancel still propagates
            remaining = int((until - self.clock()) * 1000)
            try:
                await self.redis.eval(_RELEASE, 1, key, token, max(remaining, 0))
            except Exception:  # the lease expires on its own
                log.warning("could not release the lease of %s", name, exc_info=True)

    async def _keep(
        self, name: str, key: str, token: str, lease: Lease, until: float, expires: float
    ) -> None:
        delay = self.renew_every
        while True:
            await asyncio.sleep(delay)
            now = self.clock()
            ahead = max(until - now, RUNNING_LEASE)
            try:
                extended = await self.redis.eval(_EXTEND, 1, key, token, int(ahead * 1000))
            except Exception:
                delay = min(self.renew_every, 1.0)
                if self.clock() + delay >= expires:
                    log.warning("lost the lease of %s: Redis unreachable", name, exc_info=True)
                    lease.lose("Redis unreachable until the lease expired")
                    return
                log.warning("could not extend the lease of %s; retrying", name, exc_info=True)
                continue
            if not extended:
                log.warning("lost the lease of %s: it expired or was taken", name)
                lease.lose("the lease expired or another process took it")
                return
            expires, delay = now + ahead, self.renew_every


# The query parameters of a PostgreSQL URL that asyncpg reads itself (any other one would be
# sent as a server setting: Tortoise's pool parameters, maxsize..., would fail the connection).
_ASYNCPG_PARAMETERS = frozenset(
    {
        "application_name",
        "gsslib",
        "krbsrvname",
        "passfile",
        "service",
        "ssl_max_protocol_version",
        "ssl_min_protocol_version",
        "sslcert",
        "sslcrl",
        "sslkey",
        "sslmode",
        "sslnegotiation",
        "sslpassword",
        "sslrootcert",
        "target_session_attrs",
    }
)


def postgres_dsn(database_url: str) -> str:
    """The asyncpg DSN of DATABASE_URL: its host, credentials, database and the parameters
    asyncpg reads (SSL, certificates...); Tortoise's `ssl=true` becomes `sslmode=require`."""
    parts = urlsplit(database_url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k in _ASYNCPG_PARAMETERS]
    tortoise_ssl = dict(parse_qsl(parts.query)).get("ssl", "").lower()
    if tortoise_ssl in {"true", "1", "yes", "on"} and not any(k == "sslmode" for k, _ in query):
        query.append(("sslmode", "require"))
    return urlunsplit(("postgresql", parts.netloc, parts.path, urlencode(query), ""))


class PostgresTaskLock:
    """Leases as PostgreSQL session advisory locks, for several API processes without Redis.

    One connection of its own per process (not the pool's: a lease is kept until its slot
    ends, idle, and must not starve requests). A lease is an advisory lock on that connection,
    released at the end of its slot (or of the run, if later); a dead process's connection
    closes and PostgreSQL drops its leases at once. So does a lost connection: the leases of
    the runs in progress are then lost (checked every `check_every` seconds), and a lease
    released after its run may be taken again in the same slot.
    """

    def __init__(
        self,
        database_url: str,
        *,
        namespace: str = "scanbase:periodic:",
        connect: Callable[[str], Awaitable[Any]] | None = None,
        check_every: float = RUNNING_LEASE / 3,
    ) -> None:
        self._dsn = postgres_dsn(database_url)
        self._namespace = namespace
        self._connect = connect
        self._check_every = check_every
        self._connection: Any = None
        self._generation = 0  # one per connection: a lock belongs to the one that took it
        self._guard = asyncio.Lock()  # one query at a time on the connection
        self._running: set[Lease] = set()
        self._releases: set[asyncio.Task[None]] = set()

    def _key(self, name: str) -> int:
        digest = hashlib.blake2b(f"{self._namespace}{name}".encode(), digest_size=8).digest()
        return int.from_bytes(digest, "big", signed=True)

    def _connection_lost(self, reason: str) -> None:
        self._connection = None
        for lease in self._running:
            lease.lose(reason)

    async def _query(self, sql: str, *args: Any, generation: int | None = None) -> Any:
        """Run `sql` on the connection (reconnecting if it is gone); with `generation`, only
        on that connection (None otherwise)."""
        async with self._guard:
            if self._connection is not None and self._connection.is_closed():
                self._connection_lost("the connection holding the advisory lock closed")
            if self._connection is None:
                if self._connect is None:
                    import asyncpg

                    self._connection = await asyncpg.connect(self._dsn)
                else:
                    self._connection = await self._connect(self._dsn)
                self._generation += 1
            if generation is not None and generation != self._generation:
                return None
            connection = self._connection
            try:
                return await connection.fetchval(sql, *args)
            except Exception:
                # A broken connection may still hold our locks: close it, so PostgreSQL drops
                # them, and count them lost.
                self._connection_lost("the connection holding the advisory lock failed")
                with contextlib.suppress(Exception):
                    connection.terminate()
                raise

    @asynccontextmanager
    async def hold(self, name: str, *, until: float) -> AsyncIterator[Lease | None]:
        key = self._key(name)
        if not await self._query("SELECT pg_try_advisory_lock($1)", key):
            yield None
            return
        lease, generation = Lease(), self._generation
        self._running.add(lease)
        keeper = asyncio.create_task(self._keep(lease))
        try:
            yield lease
        finally:
            self._running.discard(lease)
            keeper.cancel()
            await asyncio.wait({keeper})
            if not lease.lost.is_set():
                release = asyncio.create_task(self._release_at(key, until, generation))
                self._releases.add(release)
                release.add_done_callback(self._releases.discard)

    async def _keep(self, lease: Lease) -> None:
        """Check the connection (and so the lock on it) while the run lasts."""
        while not lease.lost.is_set():
            await asyncio.sleep(self._check_every)
            try:
                await self._query("SELECT 1")
            except Exception:
                log.warning("periodic task lease: the database connection failed", exc_info=True)
                return  # _query marked the lease lost

    async def _release_at(self, key: int, until: float, generation: int) -> None:
        await asyncio.sleep(max(until - time.time(), 0.0))
        try:  # on the connection that took the lock (if another, the lock went with it)
            await self._query("SELECT pg_advisory_unlock($1)", key, generation=generation)
        except Exception:  # the connection is gone, and the lock with it
            log.warning("could not release a periodic task's advisory lock", exc_info=True)

    async def close(self) -> None:
        """Drop every lease (closing the connection releases its advisory locks)."""
        for release in list(self._releases):
            release.cancel()
        if self._connection is not None:
            connection, self._connection = self._connection, None
            await connection.close()
