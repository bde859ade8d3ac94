"""Generated files (reports, exports) go to the `generated` store with an expiry the sweeper
enforces; temporary blobs go after the store's TTL; downloads read from the file's own store."""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from server.files.models import StoredFile
from server.files.services import set_blob_store, store_generated_file
from server.files.sweeper import sweep
from server.security.file_tokens import sign_file_token
from server.settings import get_settings
from server.storage.local import LocalBlobStore
from tests.factories import make_user

HOUR = 3600.0


@pytest.fixture
def stores(tmp_path: Path) -> Iterator[dict[str, LocalBlobStore]]:
    """A folder of its own for each purpose, undone after the test."""
    made = {
        purpose: LocalBlobStore(tmp_path / purpose, fsync=False)
        for purpose in ("originals", "generated", "temporary", "archive")
    }
    for purpose, store in made.items():
        set_blob_store(store, purpose)
    yield made
    set_blob_store(None)


async def _chunks() -> AsyncIterator[bytes]:
    yield b"month,total\r\n"
    yield b"2024-03,12.50\r\n"


def _download_url(file: StoredFile) -> str:
    return "/files/" + sign_file_token(file.id, secret=get_settings().secret_key, expires_in=60)


async def test_a_generated_file_is_written_to_the_generated_store_and_downloaded_from_it(
    app, client, stores
):
    # given
    account = await make_user()
    # when: a report streamed as chunks
    file = await store_generated_file(
        _chunks(),
        content_type="text/csv",
        filename="report.csv",
        owner=account.user,
        expires_at=datetime.now(UTC) + timedelta(hours=1),
    )
    response = await client.get(_download_url(file))
    # then: the row says where the blob is, and the link serves it from there
    row = await StoredFile.get(id=file.id)
    assert (row.store, row.size, row.filename) == ("generated", 28, "report.csv")
    assert row.blob_key.startswith("generated/")
    assert await stores["generated"].read(row.blob_key) == b"month,total\r\n2024-03,12.50\r\n"
    assert not await stores["originals"].exists(row.blob_key)
    assert response.status_code == 200
    assert response.content == b"month,total\r\n2024-03,12.50\r\n"
    assert response.headers["content-type"].startswith("text/csv")


async def test_expired_generated_files_are_swept_and_no_longer_downloadable(app, client, stores):
    # given: one report past its expiry, one not yet, one kept for ever
    account = await make_user()
    now = datetime.now(UTC)
    made = {}
    for name, expires_at in (
        ("expired", now - timedelta(minutes=1)),
        ("current", now + timedelta(hours=1)),
        ("kept", None),
    ):
        made[name] = await store_generated_file(
            name.encode(),
            content_type="text/plain",
            filename=f"{name}.txt",
            owner=account.user,
            expires_at=expires_at,
        )
    # when
    refused = await client.get(_download_url(made["expired"]))
    swept = await sweep(orphan_grace=HOUR, export_retention=None, now=now)
    # then: the expired one is refused at once, then its row and blob are gone
    assert refused.status_code == 404
    assert swept.expired_files == 1
    assert not await StoredFile.exists(id=made["expired"].id)
    assert not await stores["generated"].exists(made["expired"].blob_key)
    for name in ("current", "kept"):
        assert await StoredFile.exists(id=made[name].id)
        assert await stores["generated"].read(made[name].blob_key) == name.encode()


def _age(store: LocalBlobStore, key: str, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(store._path(key), (then, then))


async def test_temporary_blobs_go_after_the_ttl_whatever_their_row_says(app, stores):
    # given: two temporary files, one written two hours ago, with a one-hour TTL
    account = await make_user()
    old, young = [
        await store_generated_file(
            data,
            content_type="application/octet-stream",
            filename="scratch.bin",
            owner=account.user,
            purpose="temporary",
            expires_at=datetime.now(UTC) + timedelta(days=365),
        )
        for data in (b"old", b"young")
    ]
    _age(stores["temporary"], old.blob_key, 2 * HOUR)
    # when
    swept = await sweep(orphan_grace=HOUR, export_retention=None, temporary_ttl=HOUR)
    # then: the old one's blob and row are gone; the young one stays
    assert swept.expired_temporary == 1
    assert not await stores["temporary"].exists(old.blob_key)
    assert not await StoredFile.exists(id=old.id)
    assert await stores["temporary"].read(young.blob_key) == b"young"
    assert await StoredFile.exists(id=young.id)
    # and: the asked expiry (a year) was capped at the configured TTL
    ttl = timedelta(seconds=get_settings().storage_temporary_ttl_seconds)
    assert young.blob_key.startswith("temporary/")
    assert young.expires_at is not None
    assert young.expires_at - young.created_at <= ttl + timedelta(seconds=1)


async def test_the_temporary_ttl_spares_other_purposes_sharing_the_store(app, tmp_path):
    # given: one store for every purpose, with an old upload (referenced) and an old temp blob
    shared = LocalBlobStore(tmp_path / "shared", fsync=False)
    set_blob_store(shared)
    try:
        account = await make_user()
        await shared.put(b"photo", content_type="image/png", key="uploads/photo")
        await StoredFile.create(
            owner=account.user,
            blob_key="uploads/photo",
            sha256="0" * 64,
            size=5,
            content_type="image/png",
            filename="photo.png",
        )
        scratch = await store_generated_file(
            b"tmp",
            content_type="text/plain",
            filename="t.txt",
            owner=account.user,
            purpose="temporary",
        )
        _age(shared, "uploads/photo", 2 * HOUR)
        _age(shared, scratch.blob_key, 2 * HOUR)
        # when
        swept = await sweep(orphan_grace=HOUR, export_retention=None, temporary_ttl=HOUR)
        # then
        assert swept.expired_temporary == 1
        assert {entry.key async for entry in shared.list_blobs()} == {"uploads/photo"}
    finally:
        set_blob_store(None)


async def test_store_generated_file_refuses_the_originals_store(app, stores):
    account = await make_user()
    with pytest.raises(ValueError, match="originals hold uploads"):
        await store_generated_file(
            b"x", content_type="text/plain", filename="x", owner=account.user, purpose="originals"
        )
