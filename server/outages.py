"""Which failures mean "a service we depend on is down" (database, Redis), as opposed to a bug.

The API answers those with a retryable SERVICE_UNAVAILABLE error instead of a masked internal
error (`schema.core.extensions.public_error`), and the arq worker waits for Redis to come back
instead of exiting (`jobs.worker`). Drivers wrap each other's errors (Tortoise around asyncpg,
redis-py around OSError), so the whole cause chain is looked at.
"""

from __future__ import annotations

import errno
import sqlite3

import redis.exceptions
from tortoise.exceptions import DBConnectionError


class ServiceUnavailable(Exception):
    """A dependency (database, job queue) cannot be reached now; the same request may succeed
    in a moment."""


# Redis unreachable, restarting (LOADING) or not answering.
REDIS_DOWN: tuple[type[BaseException], ...] = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    ConnectionError,
    TimeoutError,
)

# OSErrors of the network (file-system OSErrors such as ENOENT are bugs or config, not outages).
_NETWORK_ERRNOS = frozenset(
    {
        errno.ECONNREFUSED,
        errno.ECONNRESET,
        errno.ECONNABORTED,
        errno.EHOSTUNREACH,
        errno.ENETUNREACH,
        errno.ENETDOWN,
        errno.ETIMEDOUT,
        errno.EPIPE,
        errno.ENOTCONN,
    }
)
# SQLite: another process holds the write lock, or the file cannot be opened right now.
_SQLITE_TRANSIENT = ("database is locked", "unable to open database file", "disk i/o error")


def _asyncpg_outages() -> tuple[type[BaseException], ...]:
    try:
        import asyncpg
    except ImportError:  # pragma: no cover - asyncpg is a dependency
        return ()
    return (
        asyncpg.exceptions.PostgresConnectionError,  # class 08: connection failures
        asyncpg.exceptions.OperatorInterventionError,  # class 57: admin shutdown, cannot connect now
        asyncpg.exceptions.InsufficientResourcesError,  # class 53: too many connections
        asyncpg.exceptions.InvalidCatalogNameError,  # the database itself is gone
        asyncpg.exceptions.ConnectionDoesNotExistError,
    )


_DOWN = (ServiceUnavailable, DBConnectionError, *REDIS_DOWN, *_asyncpg_outages())


def _is_outage(exc: BaseException) -> bool:
    if isinstance(exc, _DOWN):
        return True
    if type(exc).__name__ == "InterfaceError" and "closed" in str(exc):
        return True  # asyncpg: "connection is closed" (terminated while idle in the pool)
    if isinstance(exc, sqlite3.OperationalError):
        return str(exc).lower().startswith(_SQLITE_TRANSIENT)
    if type(exc) is OSError:
        # asyncio's "Multiple exceptions: [Errno 111] Connect call failed ..." has no errno.
        return exc.errno is None or exc.errno in _NETWORK_ERRNOS
    return False


def outage_cause(exc: BaseException | None, *, depth: int = 8) -> BaseException | None:
    """The first exception in `exc`'s chain of explicit causes (`raise ... from`) that means a
    dependency is down, or None. Implicit context is not followed: a bug raised while handling an
    outage is still a bug. (One known exception, handled where it happens: redis-py's WatchError
    for a connection lost inside a WATCH carries it only as context; see
    `jobs.worker.redis_went_away`.)"""
    seen = 0
    while exc is not None and seen < depth:
        if _is_outage(exc):
            return exc
        exc = exc.__cause__
        seen += 1
    return None
