"""Deleting a receipt removes its file's blob from the store the file row names (`file.store`),
not from the originals store whatever the row says."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from server.files.models import StoredFile
from server.files.services import get_blob_store, set_blob_store
from server.receipts.deletion import delete_receipt
from server.storage.local import LocalBlobStore
from tests.factories import make_user
from tests.receipts.factories import processing_receipt


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[LocalBlobStore]:
    store = LocalBlobStore(tmp_path / "archive", fsync=False)
    set_blob_store(store, "archive")
    yield store
    set_blob_store(None, "archive")


async def test_a_receipts_file_is_deleted_from_its_own_store(app, archive) -> None:
    # given: a receipt whose file row says its blob is in the archive store; the originals store
    # holds another blob under the same key
    account = await make_user()
    receipt = await processing_receipt(account)
    file = await StoredFile.get(id=receipt.file_id)  # type: ignore[attr-defined]
    originals = get_blob_store()
    await archive.put(b"archived bytes", content_type="image/png", key=file.blob_key)
    file.store = "archive"
    await file.save(update_fields=["store"])
    # when
    await delete_receipt(receipt_id=receipt.id, owner=account.user)
    # then: the archive's blob is gone, the originals' untouched, the row gone
    assert await archive.exists(file.blob_key) is False
    assert await originals.exists(file.blob_key) is True
    assert await StoredFile.get_or_none(id=file.id) is None
