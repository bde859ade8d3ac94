"""Attempt throttling (logins, signups): an attempt is counted BEFORE the work it guards.

Counting after the fact lets N concurrent guesses all reach the password check before any of
them is recorded. Here each attempt first takes its place atomically, then compares the count
(its own place included) with the limit, so at most `limit` attempts per window ever get past,
whatever the concurrency and however many API processes there are.

Two backends with one contract (`AttemptCounter`):

- Redis (when REDIS_URL is set): one counter per key, `INCR` and `EXPIRE` in one Lua script (a
  fixed window starting at the key's first attempt; a crash cannot leave a key without expiry).
  Refused attempts count too, which cannot extend the window. Retry-after is the key's TTL.
- The database (`login_failures`): every attempt is a row, inserted (and committed) before the
  rows of its keys in the window are counted. On PostgreSQL with several processes each count
  sees every attempt committed before it, so the k-th attempt sees at least k rows. A sliding
  window; refused attempts count too (a burst of 100 leaves the key locked, it does not cancel
  itself out). Retry-after is when few enough attempts remain in the window.

An attempt has an account key (`account`, may be empty) and a client key (`client`). A success
`release`s its own place on the client key (a busy NAT is not locked out by successful logins)
and `reset_account` forgets the account's failures, never the client counters of anyone else.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from tortoise.expressions import Q

from server.accounts.models import LoginFailure


@dataclass(frozen=True, slots=True)
class Attempt:
    """One counted attempt; `refused_for_seconds` > 0 when a limit was exceeded."""

    account: str
    client: str
    token: Any
    refused_for_seconds: int = 0


@dataclass(frozen=True, slots=True)
class Limits:
    account: int
    client: int
    window_seconds: int


class AttemptCounter(Protocol):
    async def hit(self, *, account: str, client: str, limits: Limits) -> Attempt: ...

    async def release(self, attempt: Attempt) -> None: ...

    async def reset_account(self, account: str) -> None: ...


def _retry(seconds: float) -> int:
    return max(1, int(seconds + 0.999))


class DatabaseCounter:
    """Attempts as rows of `login_failures` (`email` holds the account key, `ip` the client)."""

    async def hit(self, *, account: str, client: str, limits: Limits) -> Attempt:
        row = await LoginFailure.create(email=account[:254], ip=client[:64])
        since = row.created_at - timedelta(seconds=limits.window_seconds)
        await self._forget_expired(row, since)
        refused = 0.0
        checks = [(LoginFailure.filter(ip=row.ip), limits.client)]
        if account:
            checks.append((LoginFailure.filter(email=row.email), limits.account))
        for query, limit in checks:
            newest = (
                await query.filter(created_at__gte=since)
                .order_by("-created_at")
                .limit(limit + 1)
                .values_list("created_at", flat=True)
            )
            if len(newest) > limit:
                # Free again once only limit - 1 attempts newer than it remain in the window.
                refused = max(refused, (newest[limit - 1] - since).total_seconds())
        return Attempt(account, client, row.id, _retry(refused) if refused else 0)

    async def release(self, attempt: Attempt) -> None:
        await LoginFailure.filter(id=attempt.token).delete()

    async def reset_account(self, account: str) -> None:
        # Detach the rows from the account: they still count for their client addresses.
        await LoginFailure.filter(email=account[:254]).update(email="")

    @staticmethod
    async def _forget_expired(row: LoginFailure, since: datetime) -> None:
        """Housekeeping on the keys at hand, so the table stays as small as the windows."""
        keys = Q(ip=row.ip) | Q(email=row.email) if row.email else Q(ip=row.ip)
        await LoginFailure.filter(keys, created_at__lt=since).delete()


# KEYS: counters; ARGV[1]: window seconds. Returns {count, ttl} per key, atomically.
_HIT = """
local out = {}
for i, key in ipairs(KEYS) do
  local n = redis.call('INCR', key)
  local ttl = redis.call('TTL', key)
  if n == 1 or ttl < 0 then
    redis.call('EXPIRE', key, ARGV[1])
    ttl = tonumber(ARGV[1])
  end
  out[#out + 1] = n
  out[#out + 1] = ttl
end
return out
"""
# Give back one place, never below zero and never on a key that expired meanwhile.
_RELEASE = """
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n > 0 then redis.call('DECR', KEYS[1]) end
return n
"""


class RedisCounter:
    """Fixed-window counters in Redis: `<prefix>a:<sha256(account)>` and `<prefix>c:<client>`."""

    def __init__(self, url: str, prefix: str = "scanbase:throttle:") -> None:
        self.url = url
        self.prefix = prefix
        self._clients: dict[int, Any] = {}

    def _redis(self) -> Any:
        # One client per event loop: a redis-py pool must not be shared across loops.
        loop = id(asyncio.get_running_loop())
        client = self._clients.get(loop)
        if client is None:
            from redis.asyncio import Redis

            client = self._clients[loop] = Redis.from_url(self.url)
        return client

    def _account_key(self, account: str) -> str:
        return self.prefix + "a:" + hashlib.sha256(account.encode()).hexdigest()

    def _client_key(self, client: str) -> str:
        return self.prefix + "c:" + client[:64]

    async def hit(self, *, account: str, client: str, limits: Limits) -> Attempt:
        keys = [self._client_key(client)]
        caps = [limits.client]
        if account:
            keys.append(self._account_key(account))
            caps.append(limits.account)
        values = await self._redis().eval(_HIT, len(keys), *keys, limits.window_seconds)
        refused = 0
        for i, cap in enumerate(caps):
            count, ttl = int(values[2 * i]), int(values[2 * i + 1])
            if count > cap:
                refused = max(refused, _retry(ttl))
        return Attempt(account, client, None, refused)

    async def release(self, attempt: Attempt) -> None:
        await self._redis().eval(_RELEASE, 1, self._client_key(attempt.client))

    async def reset_account(self, account: str) -> None:
        await self._redis().delete(self._account_key(account))

    async def close(self) -> None:
        clients, self._clients = self._clients, {}
        for client in clients.values():
            await client.aclose()


_counters: dict[str, AttemptCounter] = {}


async def close_attempt_counters() -> None:
    """Close the Redis connections of this process's counters (at shutdown)."""
    counters = list(_counters.values())
    _counters.clear()
    for counter in counters:
        if isinstance(counter, RedisCounter):
            await counter.close()


def attempt_counter(redis_url: str | None) -> AttemptCounter:
    """Redis counters when REDIS_URL is set (shared by every process), else the database."""
    key = redis_url or ""
    counter = _counters.get(key)
    if counter is None:
        counter = _counters[key] = RedisCounter(redis_url) if redis_url else DatabaseCounter()
    return counter
