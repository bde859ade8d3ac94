"""The transactional outbox: written with the business change, delivered at least once, never
again once delivered, each row once by concurrent dispatchers."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from tortoise.transactions import in_transaction

from server import outbox
from server.accounts.models import User
from server.jobs.registry import JobPolicy
from server.outbox import OutboxDelivery, OutboxMessage, OutboxStatus, dispatcher
from server.outbox.dispatcher import ERROR_MAX_LENGTH, LEASE_MARGIN, _claim, _deliver_one
from server.settings import get_settings
from tests.factories import unique_email
from tests.jobs.conftest import wait_until


class Boom(Exception):
    pass


class Recorder:
    """A throw-away effect kind whose handler records deliveries and fails on demand."""

    def __init__(self) -> None:
        self.kind = f"test.{secrets.token_hex(4)}"
        self.delivered: list[OutboxDelivery] = []
        self.failures = 0  # how many next calls raise

    async def __call__(self, delivery: OutboxDelivery) -> None:
        await asyncio.sleep(0)  # let concurrent dispatchers interleave
        if self.failures:
            self.failures -= 1
            raise Boom("the provider said no")
        self.delivered.append(delivery)


@pytest.fixture
def effect() -> Iterator[Recorder]:
    recorder = Recorder()
    outbox.register_outbox_handler(
        recorder.kind,
        recorder,
        policy=JobPolicy(
            max_attempts=3, timeout_seconds=5, backoff_seconds=10, max_delay_seconds=20
        ),
    )
    yield recorder
    outbox.unregister_outbox_handler(recorder.kind)


@pytest.fixture
def nudges(monkeypatch: pytest.MonkeyPatch) -> list[tuple[list[str], float]]:
    """The retry nudges a failed delivery asks for, recorded instead of scheduled (so that only
    the test's own sweeps deliver)."""
    asked: list[tuple[list[str], float]] = []

    async def record(*messages: OutboxMessage, delay: float = 0.0) -> None:
        asked.append(([str(m.id) for m in messages], delay))

    monkeypatch.setattr(dispatcher, "dispatch_soon", record)
    return asked


def later(seconds: float) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=seconds)


async def _mine(effect: Recorder) -> list[OutboxMessage]:
    return await OutboxMessage.filter(effect_kind=effect.kind).order_by("created_at")


async def test_the_row_commits_with_the_business_change_and_not_without_it(app, effect) -> None:
    # given
    kept, dropped = unique_email(), unique_email()
    # when: one transaction commits, the other rolls back after writing both
    async with in_transaction():
        await User.create(email=kept, password_hash="x")
        await outbox.add(effect.kind, {"email": kept}, idempotency_key=f"welcome:{kept}")
    with pytest.raises(Boom):
        async with in_transaction():
            await User.create(email=dropped, password_hash="x")
            await outbox.add(effect.kind, {"email": dropped}, idempotency_key=f"welcome:{dropped}")
            raise Boom("the business rule failed after the outbox write")
    # then
    assert await User.exists(email=kept) and not await User.exists(email=dropped)
    rows = await _mine(effect)
    assert [(row.idempotency_key, row.payload, row.status) for row in rows] == [
        (f"welcome:{kept}", {"email": kept}, OutboxStatus.PENDING)
    ]


async def test_the_same_idempotency_key_is_recorded_once(app, effect) -> None:
    # given
    key = f"invoice.created:{secrets.token_hex(4)}"
    first = await outbox.add(effect.kind, {"n": 1}, idempotency_key=key)
    # when: the same key again, alone and inside a transaction that goes on writing
    again = await outbox.add(effect.kind, {"n": 2}, idempotency_key=key)
    email = unique_email()
    async with in_transaction():
        inside = await outbox.add(effect.kind, {"n": 3}, idempotency_key=key)
        await User.create(email=email, password_hash="x")
    # then: one row, the first payload; the transaction was not aborted by the duplicate
    assert again.id == first.id and inside.id == first.id
    rows = await _mine(effect)
    assert [(row.id, row.payload) for row in rows] == [(first.id, {"n": 1})]
    assert await User.exists(email=email)


async def test_unknown_kinds_and_bad_payloads_are_refused(app, effect) -> None:
    with pytest.raises(ValueError):
        await outbox.add("no.such.kind", {}, idempotency_key="k")
    with pytest.raises(TypeError):
        await outbox.add(effect.kind, {"when": datetime.now(UTC)}, idempotency_key="k2")
    with pytest.raises(ValueError):
        await outbox.add(effect.kind, {}, idempotency_key="")
    assert await _mine(effect) == []


async def test_a_failing_handler_is_retried_with_backoff_then_delivered_once(
    app, effect, nudges
) -> None:
    # given: a row whose first delivery fails
    message = await outbox.add(effect.kind, {"to": "ana"}, idempotency_key="k:retry:" + effect.kind)
    effect.failures = 1
    # when: a sweep delivers (fails), a sweep before the backoff ends, one after it, one later
    first = await outbox.dispatch_due()
    failed = await OutboxMessage.get(id=message.id)
    early = await outbox.dispatch_due()
    second = await outbox.dispatch_due(now=later(25))
    done = await OutboxMessage.get(id=message.id)
    third = await outbox.dispatch_due(now=later(10_000))
    # then: attempts and the last error recorded; the backoff is within [0, 10] s (full jitter)
    assert (failed.status, failed.attempts) == (OutboxStatus.PENDING, 1)
    assert failed.last_error == "Boom: the provider said no"
    assert failed.last_attempt_at is not None
    assert (
        failed.last_attempt_at
        <= failed.available_at
        <= failed.last_attempt_at + timedelta(seconds=10.01)
    )
    assert (done.status, done.attempts, done.delivered_at is not None) == (
        OutboxStatus.DELIVERED,
        2,
        True,
    )
    # the handler ran twice (once raising), and got the key each time
    assert [(d.idempotency_key, d.payload, d.attempt) for d in effect.delivered] == [
        (message.idempotency_key, {"to": "ana"}, 2)
    ]
    assert (first, early, second, third) == (0, 0, 1, 0)  # never again once DELIVERED
    # the retry was nudged for when its backoff ends
    [(ids, delay)] = nudges
    assert ids == [str(message.id)]
    assert failed.available_at - failed.last_attempt_at == pytest.approx(
        timedelta(seconds=delay), abs=timedelta(milliseconds=50)
    )


async def test_a_row_out_of_attempts_fails_and_is_left_alone(app, effect, nudges) -> None:
    # given: a handler that always fails, 3 attempts allowed
    message = await outbox.add(effect.kind, {}, idempotency_key="k:dead:" + effect.kind)
    effect.failures = 10
    # when
    for hours in (0, 1, 2, 3, 4):
        await outbox.dispatch_due(now=later(hours * 3600))
    row = await OutboxMessage.get(id=message.id)
    # then
    assert (row.status, row.attempts, row.last_error) == (
        OutboxStatus.FAILED,
        3,
        "Boom: the provider said no",
    )
    assert effect.failures == 7  # three calls, no more
    assert effect.delivered == []
    assert len(nudges) == 2  # after attempts 1 and 2, not after the last


async def test_a_dispatcher_killed_after_its_claim_loses_the_row_when_its_lease_ends(
    app, effect
) -> None:
    # given: a dispatcher claimed the row, then died (nothing recorded after the claim)
    message = await outbox.add(effect.kind, {}, idempotency_key="k:killed:" + effect.kind)
    claimed = await _claim(now=datetime.now(UTC), ids=[message.id])
    assert [row.id for row in claimed] == [message.id]
    # when: sweeps during the lease, then after it (timeout 5 s + the margin)
    during = await outbox.dispatch_due(now=later(4))
    after = await outbox.dispatch_due(now=later(5 + LEASE_MARGIN + 1))
    row = await OutboxMessage.get(id=message.id)
    # then: redelivered once, by the second dispatcher, as attempt 2
    assert (during, after) == (0, 1)
    assert (row.status, row.attempts) == (OutboxStatus.DELIVERED, 2)
    assert [d.attempt for d in effect.delivered] == [2]


async def test_a_last_attempt_whose_lease_ran_out_is_a_dead_letter_not_claimed_again(
    app, effect, nudges
) -> None:
    # given: 3 attempts allowed; each claim's dispatcher was killed (its handler takes the
    # process down): the third claim's lease has run out too, attempts == max_attempts
    message = await outbox.add(effect.kind, {}, idempotency_key="k:poison:" + effect.kind)
    lease = 5 + LEASE_MARGIN + 1
    for n in range(3):
        assert [row.id for row in await _claim(now=later(n * lease), ids=[message.id])] == [
            message.id
        ]
    # when: a sweep and a nudge after the last lease ended, then later sweeps
    swept = await outbox.dispatch_due(now=later(3 * lease))
    nudged = await outbox.deliver([message.id])
    again = await _claim(now=later(10_000), ids=[message.id])
    row = await OutboxMessage.get(id=message.id)
    # then: FAILED with attempts 3, the handler never ran a fourth time, no retry asked for
    assert (swept, nudged, again) == (0, 0, [])
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, 3)
    assert row.last_error is not None and row.last_error.startswith("LeaseExpired: attempt 3 of 3")
    assert effect.delivered == [] and nudges == []


async def test_a_lease_that_ran_out_with_attempts_left_is_claimed_again(app, effect) -> None:
    # given: attempt 2 of 3 was claimed and its dispatcher killed
    message = await outbox.add(effect.kind, {}, idempotency_key="k:crash2:" + effect.kind)
    lease = 5 + LEASE_MARGIN + 1
    await _claim(now=later(0), ids=[message.id])
    await _claim(now=later(lease), ids=[message.id])
    # when
    delivered = await outbox.dispatch_due(now=later(2 * lease))
    row = await OutboxMessage.get(id=message.id)
    # then: the last attempt runs
    assert delivered == 1
    assert (row.status, row.attempts) == (OutboxStatus.DELIVERED, 3)
    assert [d.attempt for d in effect.delivered] == [3]


async def test_last_error_and_the_log_hold_no_url_credentials_emails_or_tokens(
    app, nudges, caplog
) -> None:
    # given: a provider error quoting the webhook URL (token in path, userinfo, query) and an
    # address, then one far longer than the cap
    kind = f"test.{secrets.token_hex(4)}"
    secret_url = "https://bot:pw123@hooks.example.com/services/T0/B0/sEcReTpAtH?token=tok456&x=1"
    said = f"POST {secret_url} refused for ana.lima+x@example.org: password=hunter2"

    async def leaky(delivery: OutboxDelivery) -> None:
        raise Boom(said if delivery.attempt == 1 else "x " * 5_000)

    outbox.register_outbox_handler(kind, leaky, policy=JobPolicy(max_attempts=3, timeout_seconds=5))
    try:
        message = await outbox.add(kind, {}, idempotency_key="k:leak:" + kind)
        # when
        with caplog.at_level("WARNING", logger="scanbase.outbox"):
            await outbox.dispatch_due()
            first = await OutboxMessage.get(id=message.id)
            await outbox.dispatch_due(now=later(3600))
            second = await OutboxMessage.get(id=message.id)
    finally:
        outbox.unregister_outbox_handler(kind)
    # then: the class, the host, what was redacted
    assert first.last_error == (
        "Boom: POST https://hooks.example.com/[REDACTED] refused for [EMAIL]: password=[REDACTED]"
    )
    assert second.last_error is not None and len(second.last_error) == ERROR_MAX_LENGTH
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "hooks.example.com/[REDACTED]" in logged
    for leaked in ("pw123", "sEcReTpAtH", "tok456", "ana.lima", "example.org", "hunter2"):
        assert leaked not in logged and leaked not in first.last_error


async def test_a_late_outcome_of_a_lost_lease_does_not_overwrite_the_new_claim(
    app, effect, nudges
) -> None:
    # given: dispatcher A's claim expired and dispatcher B claimed the row again
    message = await outbox.add(effect.kind, {}, idempotency_key="k:late:" + effect.kind)
    stale = (await _claim(now=datetime.now(UTC), ids=[message.id]))[0]
    fresh = (await _claim(now=later(5 + LEASE_MARGIN + 1), ids=[message.id]))[0]
    # when: A's handler finally fails and tries to record it
    effect.failures = 1
    await _deliver_one(stale, settings=get_settings())
    row = await OutboxMessage.get(id=message.id)
    # then: B's claim stands (A's write matched nothing)
    assert (row.attempts, row.available_at, row.last_error) == (2, fresh.available_at, None)
    assert nudges == []


async def test_two_dispatchers_deliver_each_row_exactly_once(app, effect) -> None:
    # given: 40 due rows
    messages = [
        await outbox.add(effect.kind, {"n": n}, idempotency_key=f"k:{effect.kind}:{n}")
        for n in range(40)
    ]

    # when: two dispatchers sweep at the same time, in small batches, until nothing is left
    async def dispatcher() -> int:
        total = 0
        while delivered := await outbox.dispatch_due(limit=7):
            total += delivered
        return total

    counts = await asyncio.gather(dispatcher(), dispatcher())
    # then
    ids = [d.id for d in effect.delivered]
    assert sorted(ids) == sorted(str(m.id) for m in messages)
    assert sum(counts) == 40
    rows = await _mine(effect)
    assert {(row.status, row.attempts) for row in rows} == {(OutboxStatus.DELIVERED, 1)}


async def test_dispatch_soon_delivers_after_the_commit_in_process(app, effect) -> None:
    # given: a row written with its change
    email = unique_email()
    async with in_transaction():
        await User.create(email=email, password_hash="x")
        message = await outbox.add(effect.kind, {"email": email}, idempotency_key=f"w:{email}")
    # when
    await outbox.dispatch_soon(message)
    await wait_until(lambda: len(effect.delivered) == 1)
    # then
    row = await OutboxMessage.get(id=message.id)
    assert row.status == OutboxStatus.DELIVERED
    assert effect.delivered[0].payload == {"email": email}
    assert effect.delivered[0].idempotency_key == f"w:{email}"
