"""The transactional outbox: effects on the outside world (emails, SMS, webhooks, cloud sync)
written in the same transaction as the change that causes them, delivered at least once after.

    async with in_transaction():
        invoice = await Invoice.create(...)
        message = await outbox.add("webhook", {"invoice_id": str(invoice.id)},
                                   idempotency_key=f"invoice.created:{invoice.id}")
    await outbox.dispatch_soon(message)  # after the commit; the sweep delivers it otherwise

    @outbox_handler("webhook", policy=JobPolicy(max_attempts=20, timeout_seconds=10))
    async def send_webhook(delivery: OutboxDelivery) -> None:
        ...  # send delivery.payload with delivery.idempotency_key as a header; raise to retry

A rolled-back transaction leaves no row, so no effect. A committed row is delivered by the
dispatcher (`server.outbox.dispatcher`): right away when `dispatch_soon` is called (an arq job
with REDIS_URL, a task of this process otherwise), and in any case by the periodic sweep of
undelivered rows (OUTBOX_SWEEP_SECONDS, a periodic task of `server.scheduler`). Delivery is at least
once: a handler may run again after a crash or a lease that ran out, so it passes the
idempotency key on (a header, a provider's deduplication id) or checks it itself. A row marked
DELIVERED is never delivered again; a handler runs at most its policy's `max_attempts` times (a
row whose last attempt's lease ran out without an outcome is marked FAILED, not claimed again).

Handlers are registered per effect kind, at import time, in a module listed in
`server.jobs.registry.HANDLER_MODULES` (the API and the worker import them all). Their policy is
a `JobPolicy`: what it leaves unset comes from the OUTBOX_* settings.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from server.jobs.registry import JobPolicy, ResolvedPolicy
from server.outbox.models import OutboxMessage, OutboxStatus
from server.settings import Settings, get_settings

KIND_MAX_LENGTH = 64
KEY_MAX_LENGTH = 255


@dataclass(frozen=True, slots=True)
class OutboxDelivery:
    """What a handler gets: the effect, its key (pass it on), and which attempt this is."""

    id: str
    effect_kind: str
    payload: dict[str, Any]
    idempotency_key: str
    attempt: int


OutboxHandler = Callable[[OutboxDelivery], Awaitable[Any]]
OutboxHandlerT = TypeVar("OutboxHandlerT", bound=OutboxHandler)

_handlers: dict[str, tuple[OutboxHandler, JobPolicy]] = {}


def register_outbox_handler(
    effect_kind: str, handler: OutboxHandler, *, policy: JobPolicy | None = None
) -> None:
    """Register the handler of `effect_kind` (exactly one per kind) with its policy."""
    if not effect_kind or len(effect_kind) > KIND_MAX_LENGTH:
        raise ValueError(f"effect kind must be 1..{KIND_MAX_LENGTH} characters: {effect_kind!r}")
    existing = _handlers.get(effect_kind)
    if existing is not None and existing[0] is not handler:
        raise ValueError(f"an outbox handler is already registered for {effect_kind!r}")
    _handlers[effect_kind] = (handler, policy or JobPolicy())


def outbox_handler(
    effect_kind: str, *, policy: JobPolicy | None = None
) -> Callable[[OutboxHandlerT], OutboxHandlerT]:
    """Decorator form of `register_outbox_handler`."""

    def decorate(handler: OutboxHandlerT) -> OutboxHandlerT:
        register_outbox_handler(effect_kind, handler, policy=policy)
        return handler

    return decorate


def unregister_outbox_handler(effect_kind: str) -> None:
    """Forget a kind (tests register throw-away kinds)."""
    _handlers.pop(effect_kind, None)


def get_outbox_handler(effect_kind: str) -> OutboxHandler | None:
    entry = _handlers.get(effect_kind)
    return entry[0] if entry else None


def registered_effect_kinds() -> list[str]:
    return sorted(_handlers)


def outbox_policy(effect_kind: str, settings: Settings | None = None) -> ResolvedPolicy:
    """The resolved policy of `effect_kind`: unset values from the OUTBOX_* settings."""
    settings = settings or get_settings()
    policy = _handlers[effect_kind][1] if effect_kind in _handlers else JobPolicy()
    return policy.with_defaults(
        timeout_seconds=settings.outbox_timeout_seconds,
        max_attempts=settings.outbox_max_attempts,
        backoff_seconds=settings.outbox_retry_delay_seconds,
        max_delay_seconds=settings.outbox_retry_max_delay_seconds,
    )


def longest_timeout(settings: Settings | None = None) -> float:
    """The largest handler timeout (what arq's backstop timeout must exceed)."""
    settings = settings or get_settings()
    timeouts = [outbox_policy(kind, settings).timeout_seconds for kind in _handlers]
    return max([settings.outbox_timeout_seconds, *timeouts])


async def add(effect_kind: str, payload: dict[str, Any], idempotency_key: str) -> OutboxMessage:
    """Record an effect to deliver once the surrounding transaction commits (call it inside the
    transaction of the business change; outside one, it commits on its own). A key already
    recorded adds nothing: the existing row is returned (its payload kept). Raises ValueError
    for an unknown kind, a key of the wrong length, or a payload that is not JSON."""
    if effect_kind not in _handlers:
        raise ValueError(f"no outbox handler for effect kind {effect_kind!r}")
    if not idempotency_key or len(idempotency_key) > KEY_MAX_LENGTH:
        raise ValueError(f"the idempotency key must be 1..{KEY_MAX_LENGTH} characters")
    json.dumps(payload)  # TypeError/ValueError now rather than at delivery
    # ON CONFLICT DO NOTHING (INSERT OR IGNORE on SQLite): a duplicate key neither raises nor
    # aborts the caller's PostgreSQL transaction, and concurrent adders cannot both insert.
    await OutboxMessage.bulk_create(
        [
            OutboxMessage(
                effect_kind=effect_kind,
                payload=payload,
                idempotency_key=idempotency_key,
                available_at=datetime.now(UTC),
            )
        ],
        ignore_conflicts=True,
    )
    return await OutboxMessage.get(idempotency_key=idempotency_key)


from server.outbox.dispatcher import (  # noqa: E402 - the dispatcher uses the registry above
    close_dispatcher,
    deliver,
    dispatch_due,
    dispatch_soon,
)

__all__ = [
    "OutboxDelivery",
    "OutboxMessage",
    "OutboxStatus",
    "add",
    "close_dispatcher",
    "deliver",
    "dispatch_due",
    "dispatch_soon",
    "get_outbox_handler",
    "outbox_handler",
    "outbox_policy",
    "register_outbox_handler",
    "registered_effect_kinds",
    "unregister_outbox_handler",
]
