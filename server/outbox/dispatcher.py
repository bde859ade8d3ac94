"""Delivering outbox rows: claim with a lease, run the handler, record the outcome.

Claiming is what keeps two dispatchers (two workers, a worker and a sweep) from delivering a row
twice: inside one transaction the due rows are selected `FOR UPDATE SKIP LOCKED` (PostgreSQL; a
competing dispatcher skips them rather than waits) and each is taken by a conditional UPDATE
`WHERE status = PENDING AND attempts = <seen> AND available_at <= now` (the only guard SQLite
needs: its writes are serialised), which bumps `attempts` and pushes `available_at` to the end
of a lease (the handler's timeout plus a margin). The outcome is written only while the row
still has that attempt number, so a dispatcher whose lease ran out cannot mark a row another
one has taken. A dispatcher killed after its claim loses the row when the lease ends; the sweep
delivers it again, unless that claim was the row's last attempt: a row whose lease ran out with
`attempts >= max_attempts` is marked FAILED (a dead letter) by the same claiming transaction,
never claimed again, so a handler that kills or hangs its process runs at most `max_attempts`
times.

What a failure records (`last_error`) and logs is the exception's class and its message with
URLs cut to their scheme and host, email addresses and token-like values redacted, capped in
length (`describe_error`): a provider's error may quote the webhook URL or the address it failed
on.

Where deliveries run: `dispatch_soon` enqueues an arq job (`deliver_outbox`, see
`jobs/worker.py`) when this process's job queue is arq, else starts a task here; the periodic
sweep (`dispatch_due`, a periodic task of `server.scheduler`) catches everything else: a row whose
nudge was lost, a retry whose backoff ended, a lease that expired.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from server import outbox
from server.logging_setup import scrub
from server.outbox.models import OutboxMessage, OutboxStatus
from server.queue import ArqQueue, current_queue
from server.settings import Settings, get_settings

log = logging.getLogger("scanbase.outbox")

OUTBOX_FUNCTION = "deliver_outbox"  # the arq function's name
LEASE_MARGIN = 30.0  # seconds a lease outlasts the handler's timeout
# A nudge may arrive a little before the row's `available_at` (clocks, arq's scheduling): it
# still claims the row rather than leave it to the sweep.
EARLY_TOLERANCE = timedelta(seconds=1)
SWEEP_BATCH = 100
CONCURRENCY = 8  # deliveries at once per dispatch
ERROR_MAX_LENGTH = 2000

_tasks: set[asyncio.Task[Any]] = set()

# scheme://[userinfo@]host[:port][/path][?query][#fragment]: everything after the host may hold
# a credential (userinfo, a query's token, a webhook URL's path), so only scheme and host stay.
_URL = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)(?:[^\s/?#@]*@)?([^\s/?#@]*)([/?#][^\s]*)?")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_REDACTED = "[REDACTED]"


def _redact_url(match: re.Match[str]) -> str:
    rest = "/" + _REDACTED if match.group(3) else ""
    return f"{match.group(1)}{match.group(2)}{rest}"


def describe_error(exc: BaseException, *, limit: int = ERROR_MAX_LENGTH) -> str:
    """`Class: message` for `last_error` and the log, with what may be secret or personal taken
    out (URLs past their host, email addresses, tokens, passwords: `logging_setup.scrub`) and
    at most `limit` characters."""
    try:
        message = str(exc)
    except Exception:
        message = "(the message could not be read)"
    if len(message) > 4 * limit:  # bounds the regexes' work; a cut word may be half a secret
        cut = message[: 4 * limit]
        message = re.sub(r"\S*$", "", cut).rstrip() or cut
    message = _EMAIL.sub("[EMAIL]", _URL.sub(_redact_url, message))
    text = f"{type(exc).__name__}: {scrub(message)}" if message else type(exc).__name__
    return text[:limit]


def _now() -> datetime:
    return datetime.now(UTC)


async def _claim(
    *, now: datetime, ids: Iterable[uuid.UUID] | None = None, limit: int = SWEEP_BATCH
) -> list[OutboxMessage]:
    """Take due PENDING rows (only `ids`, when given) for one lease each; returns them claimed.
    Only kinds with a handler in this process: a process without a kind's module leaves its rows
    to one that has it."""
    kinds = outbox.registered_effect_kinds()
    if not kinds:
        return []
    due = OutboxMessage.filter(
        status=OutboxStatus.PENDING, available_at__lte=now, effect_kind__in=kinds
    )
    if ids is not None:
        due = due.filter(id__in=list(ids))
    settings = get_settings()
    claimed: list[uuid.UUID] = []
    dead: list[OutboxMessage] = []
    async with in_transaction():
        rows = await due.order_by("available_at").limit(limit).select_for_update(skip_locked=True)
        for row in rows:
            policy = outbox.outbox_policy(row.effect_kind, settings)
            unchanged = OutboxMessage.filter(
                id=row.id, status=OutboxStatus.PENDING, attempts=row.attempts, available_at__lte=now
            )
            if row.attempts >= policy.max_attempts:
                # Due and PENDING with no attempt left: the last claim's lease ran out without
                # an outcome (its process died or hung). A dead letter, not another attempt.
                if await unchanged.update(
                    status=OutboxStatus.FAILED,
                    last_error=(
                        f"LeaseExpired: attempt {row.attempts} of {policy.max_attempts} recorded"
                        " no outcome before its lease ended (the dispatcher died or hung)"
                    ),
                    available_at=now,
                    updated_at=now,
                ):
                    dead.append(row)
                continue
            taken = await unchanged.update(
                attempts=row.attempts + 1,
                available_at=now + timedelta(seconds=policy.timeout_seconds + LEASE_MARGIN),
                last_attempt_at=now,
                updated_at=now,
            )
            if taken:
                claimed.append(row.id)
    for row in dead:
        log.error(
            "outbox %s (%s) failed for good: the lease of its last attempt (%d) ran out",
            row.id,
            row.effect_kind,
            row.attempts,
        )
    if not claimed:
        return []
    return await OutboxMessage.filter(id__in=claimed).order_by("available_at")


async def _deliver_one(message: OutboxMessage, *, settings: Settings) -> bool:
    """Run the handler of one claimed row and record the outcome; True when delivered."""
    policy = outbox.outbox_policy(message.effect_kind, settings)
    handler = outbox.get_outbox_handler(message.effect_kind)
    mine = OutboxMessage.filter(
        id=message.id, status=OutboxStatus.PENDING, attempts=message.attempts
    )
    try:
        if handler is None:  # unregistered since the claim (tests)
            raise LookupError(f"no outbox handler for {message.effect_kind!r} in this process")
        await asyncio.wait_for(
            handler(
                outbox.OutboxDelivery(
                    id=str(message.id),
                    effect_kind=message.effect_kind,
                    payload=message.payload,
                    idempotency_key=message.idempotency_key,
                    attempt=message.attempts,
                )
            ),
            policy.timeout_seconds,
        )
    except Exception as exc:
        error = describe_error(exc)
        now = _now()
        if message.attempts >= policy.max_attempts:
            await mine.update(
                status=OutboxStatus.FAILED, last_error=error, available_at=now, updated_at=now
            )
            log.error(
                "outbox %s (%s) failed for good after %d attempts: %s",
                message.id,
                message.effect_kind,
                message.attempts,
                error,
            )
            return False
        delay = policy.retry_delay(message.attempts)
        if await mine.update(
            last_error=error, available_at=now + timedelta(seconds=delay), updated_at=now
        ):
            log.warning(
                "outbox %s (%s) attempt %d failed (%s); retrying in %.3g s",
                message.id,
                message.effect_kind,
                message.attempts,
                error,
                delay,
            )
            await dispatch_soon(message, delay=delay)
        return False
    now = _now()
    if not await mine.update(status=OutboxStatus.DELIVERED, delivered_at=now, updated_at=now):
        # Our lease ran out and another dispatcher took the row (it delivers again: at least
        # once; the idempotency key lets the receiver tell) or marked it FAILED (last attempt).
        log.warning("outbox %s: delivered after its lease ended", message.id)
    return True


async def _deliver_all(messages: list[OutboxMessage]) -> int:
    settings = get_settings()
    slots = asyncio.Semaphore(CONCURRENCY)

    async def one(message: OutboxMessage) -> bool:
        async with slots:
            return await _deliver_one(message, settings=settings)

    return sum(await asyncio.gather(*(one(message) for message in messages)))


async def deliver(ids: Iterable[uuid.UUID | str]) -> int:
    """Deliver these rows if they are due and nobody holds them (what a nudge runs); returns how
    many were delivered."""
    wanted = [uuid.UUID(str(value)) for value in ids]
    if not wanted:
        return 0
    return await _deliver_all(await _claim(now=_now() + EARLY_TOLERANCE, ids=wanted))


async def dispatch_due(*, now: datetime | None = None, limit: int = SWEEP_BATCH) -> int:
    """Deliver up to `limit` due rows (the sweep); returns how many were delivered. `now` is
    for tests (a later time stands for a lease or a backoff that ran out)."""
    return await _deliver_all(await _claim(now=now or _now(), limit=limit))


async def dispatch_soon(*messages: OutboxMessage, delay: float = 0.0) -> None:
    """Ask for these rows to be delivered now (or after `delay` s), once their transaction has
    committed: an arq job when the job queue is arq, a task of this process otherwise. Never
    raises: the sweep delivers what a lost nudge leaves behind."""
    ids = [str(message.id) for message in messages]
    if not ids:
        return
    try:
        queue = current_queue()
    except RuntimeError:
        return  # no runtime here (a script): the sweep delivers
    try:
        if isinstance(queue, ArqQueue) and queue.pool is not None:
            attempts = max(message.attempts for message in messages)
            await queue.pool.enqueue_job(
                OUTBOX_FUNCTION,
                ids,
                _job_id=f"outbox:{ids[0]}:{len(ids)}:{attempts}",
                _queue_name=queue.queue_name,
                _defer_by=delay if delay > 0 else None,
            )
            return
    except Exception:
        log.warning("could not enqueue outbox delivery (the sweep will)", exc_info=True)
        return
    task = asyncio.create_task(_deliver_later(ids, delay), name="outbox-delivery")
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)


async def _deliver_later(ids: list[str], delay: float) -> None:
    try:
        if delay > 0:
            await asyncio.sleep(delay)
        await deliver(ids)
    except asyncio.CancelledError:
        raise
    except Exception:
        log.warning("outbox delivery failed (the sweep will retry)", exc_info=True)


async def close_dispatcher() -> None:
    """Cancel this process's pending deliveries (shutdown); their rows' leases run out and the
    sweep delivers them."""
    tasks = list(_tasks)
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
