"""The one contract every blob store honours, run against each backend (see conftest.py)."""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from server.storage import BlobNotFound, BlobTooLarge, InvalidKey, InvalidMetadata
from server.storage.base import BlobInfo, validate_key

if TYPE_CHECKING:
    from tests.storage.conftest import Backend

MiB = 1024 * 1024
INVALID_KEYS = [
    "",
    "../x",
    "/etc/passwd",
    "a/../b",
    "a/./b",
    "a//b",
    "a/",
    ".hidden",
    "a\\b",
    "C:x",
    "nul\x00byte",
    "espace dedans",
    "é",
    "x" * 201,
]


async def chunked(data: bytes, size: int) -> AsyncIterator[bytes]:
    """An async stream of `data` in `size`-byte chunks, as an upload arrives."""
    for start in range(0, len(data), size):
        yield data[start : start + size]
        await asyncio.sleep(0)


async def endless(chunk: bytes, then_raise: BaseException | None = None) -> AsyncIterator[bytes]:
    """A stream that never ends on its own (or fails after 12 MiB): only a limit stops it."""
    sent = 0
    while then_raise is None or sent < 12 * MiB:
        yield chunk
        sent += len(chunk)
    raise then_raise


def expected(data: bytes) -> tuple[str, int]:
    return hashlib.sha256(data).hexdigest(), len(data)


async def read_all(backend: Backend, key: str) -> bytes:
    stream = await backend.store.open(key)
    return b"".join([chunk async for chunk in stream])


async def test_put_bytes_reports_digest_and_size(backend: Backend) -> None:
    # given
    data = b"%PDF-1.7 receipt" * 100
    # when
    info = await backend.store.put(data, content_type="application/pdf", key="receipts/r1.pdf")
    # then
    assert (info.sha256, info.size) == expected(data)
    assert info == BlobInfo("receipts/r1.pdf", len(data), expected(data)[0], "application/pdf", {})
    assert await backend.store.stat("receipts/r1.pdf") == info


async def test_put_stream_of_many_chunks(backend: Backend) -> None:
    # given
    data = os.urandom(300_000)
    # when
    info = await backend.store.put(chunked(data, 997), content_type="image/jpeg", key="photo")
    # then
    assert (info.sha256, info.size) == expected(data)
    assert await read_all(backend, "photo") == data
    assert await backend.store.read("photo") == data
    stat = await backend.store.stat("photo")
    assert (stat.sha256, stat.size) == expected(data)


async def test_large_streamed_put_round_trips(backend: Backend) -> None:
    # given: more than 10 MiB, so S3 has to go multipart
    data = os.urandom(10 * MiB + 123_457)
    # when
    info = await backend.store.put(chunked(data, 256 * 1024), content_type="image/tiff")
    # then
    assert (info.sha256, info.size) == expected(data)
    assert await read_all(backend, info.key) == data
    stat = await backend.store.stat(info.key)
    assert (stat.sha256, stat.size, stat.content_type) == (*expected(data), "image/tiff")
    assert await backend.contents() != set()


async def test_empty_blob(backend: Backend) -> None:
    # when
    info = await backend.store.put(b"", content_type="text/plain", key="empty")
    # then
    assert (info.sha256, info.size) == expected(b"")
    assert await read_all(backend, "empty") == b""
    assert (await backend.store.stat("empty")).size == 0


async def test_content_type_and_metadata_preserved(backend: Backend) -> None:
    # given
    metadata = {
        "filename": "reçu de mars 100%.pdf",
        "uploaded-by": "user_42",
        "note": " spaces around ",
        "empty": "",
    }
    # when
    await backend.store.put(
        b"x", content_type="application/pdf; charset=binary", metadata=metadata, key="m"
    )
    # then
    stat = await backend.store.stat("m")
    assert stat.content_type == "application/pdf; charset=binary"
    assert stat.metadata == metadata


async def test_put_without_key_generates_distinct_safe_keys(backend: Backend) -> None:
    # when
    first = await backend.store.put(b"1", content_type="text/plain")
    second = await backend.store.put(b"2", content_type="text/plain")
    # then
    assert first.key != second.key
    assert validate_key(first.key) == first.key
    assert await backend.store.read(first.key) == b"1"
    assert await backend.store.read(second.key) == b"2"


async def test_put_replaces_existing_blob(backend: Backend) -> None:
    # given
    await backend.store.put(b"old", content_type="text/plain", metadata={"v": "1"}, key="k")
    # when
    await backend.store.put(b"newer", content_type="text/csv", metadata={"v": "2"}, key="k")
    # then
    assert await backend.store.read("k") == b"newer"
    stat = await backend.store.stat("k")
    assert (stat.size, stat.content_type, stat.metadata) == (5, "text/csv", {"v": "2"})


async def test_max_bytes_exceeded_mid_stream_leaves_nothing(backend: Backend) -> None:
    # given: enough data before the limit for S3 to have started a multipart upload
    before = await backend.contents()
    # when
    with pytest.raises(BlobTooLarge) as raised:
        await backend.store.put(
            endless(b"z" * MiB), content_type="image/png", key="big", max_bytes=10 * MiB
        )
    # then
    assert raised.value.max_bytes == 10 * MiB
    assert not await backend.store.exists("big")
    assert await backend.contents() == before


async def test_max_bytes_exceeded_by_bytes_leaves_nothing(backend: Backend) -> None:
    # given
    before = await backend.contents()
    # when
    with pytest.raises(BlobTooLarge):
        await backend.store.put(b"12345", content_type="text/plain", key="k", max_bytes=4)
    # then
    assert await backend.contents() == before


async def test_max_bytes_is_inclusive(backend: Backend) -> None:
    # when
    info = await backend.store.put(chunked(b"12345", 2), content_type="text/plain", max_bytes=5)
    # then
    assert info.size == 5


async def test_too_large_replacement_keeps_previous_blob(backend: Backend) -> None:
    # given
    await backend.store.put(b"keep me", content_type="text/plain", key="k")
    before = await backend.contents()
    # when
    with pytest.raises(BlobTooLarge):
        await backend.store.put(
            endless(b"z" * MiB), content_type="text/plain", key="k", max_bytes=6 * MiB
        )
    # then
    assert await backend.store.read("k") == b"keep me"
    assert await backend.contents() == before


async def test_failing_source_leaves_nothing(backend: Backend) -> None:
    # given
    before = await backend.contents()
    # when
    with pytest.raises(ConnectionResetError):
        await backend.store.put(
            endless(b"y" * MiB, then_raise=ConnectionResetError("client went away")),
            content_type="text/plain",
            key="broken",
        )
    # then
    assert await backend.contents() == before


async def test_cancelled_put_leaves_nothing(backend: Backend) -> None:
    # given: an upload that has sent 7 MiB and then stalls
    before = await backend.contents()
    stalled = asyncio.Event()

    async def stalling() -> AsyncIterator[bytes]:
        for _ in range(7):
            yield b"c" * MiB
        stalled.set()
        await asyncio.Event().wait()
        yield b""  # pragma: no cover

    task = asyncio.create_task(
        backend.store.put(stalling(), content_type="text/plain", key="cancelled")
    )
    await stalled.wait()
    # when
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    # then
    assert await backend.contents() == before


async def test_exists_delete_and_delete_again(backend: Backend) -> None:
    # given
    await backend.store.put(b"data", content_type="text/plain", key="a/b/c.txt")
    assert await backend.store.exists("a/b/c.txt") is True
    # when
    await backend.store.delete("a/b/c.txt")
    # then
    assert await backend.store.exists("a/b/c.txt") is False
    await backend.store.delete("a/b/c.txt")  # idempotent
    await backend.store.delete("never-existed")
    assert await backend.store.exists("a/b/c.txt") is False
    assert {item for item in await backend.contents() if "c.txt" in item} == set()


async def test_missing_blob_raises_not_found(backend: Backend) -> None:
    # when / then: open raises when awaited, before any chunk is iterated
    with pytest.raises(BlobNotFound) as raised:
        await backend.store.open("missing/key")
    assert raised.value.key == "missing/key"
    with pytest.raises(BlobNotFound):
        await backend.store.stat("missing/key")
    with pytest.raises(BlobNotFound):
        await backend.store.read("missing/key")
    assert await backend.store.exists("missing/key") is False


@pytest.mark.parametrize("key", INVALID_KEYS)
async def test_invalid_keys_are_refused(backend: Backend, key: str) -> None:
    store = backend.store
    with pytest.raises(InvalidKey):
        await store.put(b"x", content_type="text/plain", key=key)
    with pytest.raises(InvalidKey):
        await store.open(key)
    with pytest.raises(InvalidKey):
        await store.stat(key)
    with pytest.raises(InvalidKey):
        await store.exists(key)
    with pytest.raises(InvalidKey):
        await store.delete(key)
    assert await backend.contents() == set()


@pytest.mark.parametrize(
    ("content_type", "metadata"),
    [
        ("not a type", None),
        ("text/plain\r\nX-Injected: 1", None),
        ("text/plain", {"Upper": "x"}),
        ("text/plain", {"scanbase-sha256": "forged"}),
        ("text/plain", {"big": "x" * 3000}),
    ],
)
async def test_invalid_content_type_or_metadata_refused(
    backend: Backend, content_type: str, metadata: dict[str, str] | None
) -> None:
    with pytest.raises(InvalidMetadata):
        await backend.store.put(b"x", content_type=content_type, metadata=metadata, key="k")
    assert await backend.contents() == set()


async def test_concurrent_puts_of_different_keys(backend: Backend) -> None:
    # given
    payloads = {f"batch/{i}": os.urandom(50_000 + i) for i in range(20)}
    # when
    infos = await asyncio.gather(
        *(
            backend.store.put(chunked(data, 4096), content_type="image/png", key=key)
            for key, data in payloads.items()
        )
    )
    # then
    assert {info.key: (info.sha256, info.size) for info in infos} == {
        key: expected(data) for key, data in payloads.items()
    }
    for key, data in payloads.items():
        assert await backend.store.read(key) == data


async def test_read_with_limit(backend: Backend) -> None:
    # given
    await backend.store.put(b"0123456789", content_type="text/plain", key="ten")
    # when / then
    assert await backend.store.read("ten", max_bytes=10) == b"0123456789"
    with pytest.raises(BlobTooLarge):
        await backend.store.read("ten", max_bytes=9)


async def test_open_streams_in_chunks_and_can_stop_early(backend: Backend) -> None:
    # given
    data = os.urandom(3 * MiB)
    await backend.store.put(data, content_type="application/octet-stream", key="chunks")
    # when
    stream = await backend.store.open("chunks", chunk_size=MiB)
    first = await anext(stream)
    await stream.aclose()  # type: ignore[attr-defined]
    # then
    assert 0 < len(first) <= MiB
    assert data.startswith(first)


async def test_health(backend: Backend) -> None:
    assert await backend.store.health() == "ok"


async def test_list_blobs_by_prefix(backend: Backend) -> None:
    # given
    store = backend.store
    for key, data in [
        ("uploads/a", b"1"),
        ("uploads/b/c", b"22"),
        ("uploadsX", b"333"),
        ("exports/x.csv", b"4444"),
    ]:
        await store.put(data, content_type="text/plain", key=key)
    await store.put(b"55555", content_type="text/plain", key="uploads/a")  # replaced: listed once
    # when
    everything = [entry async for entry in store.list_blobs()]
    uploads = [entry async for entry in store.list_blobs("uploads/")]
    started = [entry async for entry in store.list_blobs("upl")]
    # then
    assert sorted((e.key, e.size) for e in everything) == [
        ("exports/x.csv", 4),
        ("uploads/a", 5),
        ("uploads/b/c", 2),
        ("uploadsX", 3),
    ]
    assert sorted(e.key for e in uploads) == ["uploads/a", "uploads/b/c"]
    assert sorted(e.key for e in started) == ["uploads/a", "uploads/b/c", "uploadsX"]
    now = datetime.now(UTC)
    assert all(abs(now - e.modified_at) < timedelta(minutes=5) for e in everything)
    with pytest.raises(InvalidKey):
        [entry async for entry in store.list_blobs("../")]


async def test_discard_incomplete_removes_interrupted_writes_once_old(backend: Backend) -> None:
    # given: a stored blob, and what a write killed mid-way left behind
    await backend.store.put(b"kept", content_type="text/plain", key="uploads/kept")
    before = await backend.contents()
    await backend.interrupt_write("uploads/interrupted")
    assert await backend.contents() != before
    # when: younger than the limit, it may be a write in progress (moto reports every multipart
    # upload as initiated in 2010, so S3 cannot show this against it)
    young = 0 if backend.name == "s3" else await backend.store.discard_incomplete(older_than=3600)
    # when: past it (a cutoff a minute ahead: some services stamp whole seconds)
    removed = await backend.store.discard_incomplete(older_than=-60)
    # then: only the leftovers went
    assert (young, removed) == (0, 1)
    assert await backend.contents() == before
    assert await backend.store.read("uploads/kept") == b"kept"
    assert [e.key async for e in backend.store.list_blobs()] == ["uploads/kept"]
