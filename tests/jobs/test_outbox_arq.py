"""The outbox on arq: `dispatch_soon` enqueues a delivery that a worker's `deliver_outbox` runs
(the Redis half of tests/core/test_outbox.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tortoise.transactions import in_transaction

from server import outbox
from server.outbox import OutboxMessage, OutboxStatus
from tests.core.test_outbox import Recorder
from tests.jobs.conftest import run_burst_worker


@pytest.fixture
def effect() -> Iterator[Recorder]:
    recorder = Recorder()
    outbox.register_outbox_handler(recorder.kind, recorder)
    yield recorder
    outbox.unregister_outbox_handler(recorder.kind)


async def test_dispatch_soon_enqueues_an_arq_delivery_that_a_worker_runs(
    app, effect, arq_runtime, redis_url, queue_name
) -> None:
    # given: the job queue is arq on Redis; a committed row
    async with in_transaction():
        message = await outbox.add(effect.kind, {"n": 1}, idempotency_key=f"arq:{effect.kind}")
    # when: nudged (an arq job on Redis), then a worker drains the queue
    await outbox.dispatch_soon(message)
    waiting = await arq_runtime.pool.zcard(queue_name)
    await run_burst_worker(redis_url, queue_name)
    # then: delivered by the worker's `deliver_outbox`, with the key
    row = await OutboxMessage.get(id=message.id)
    assert waiting == 1
    assert (row.status, row.attempts) == (OutboxStatus.DELIVERED, 1)
    assert [(d.idempotency_key, d.payload) for d in effect.delivered] == [
        (f"arq:{effect.kind}", {"n": 1})
    ]
