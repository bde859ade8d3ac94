"""The in-process broker forgets retained messages once they expire (pruned at a publish, at
most once a minute), so that a long-lived API process does not keep every channel's last one."""

from __future__ import annotations

from server.events import RETAIN_PRUNE_SECONDS, MemoryBroker


async def test_expired_retained_messages_are_pruned_at_a_publish() -> None:
    broker = MemoryBroker()
    # given: one message retained for no time, one for an hour
    await broker.publish("gone", {"n": 1}, retain=0.0)
    await broker.publish("kept", {"n": 2}, retain=3600.0)
    # when: a later publish comes after the prune interval
    broker._next_prune = 0.0
    await broker.publish("other", {"n": 3}, retain=3600.0)
    # then: the expired one is gone from memory, the others stay
    assert sorted(broker._retained) == ["kept", "other"]
    assert await broker.last("gone") is None
    assert await broker.last("kept") == {"n": 2}
    assert RETAIN_PRUNE_SECONDS >= 1
