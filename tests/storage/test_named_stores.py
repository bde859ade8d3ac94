"""Named blob stores: each purpose goes to the store its own URL names (STORAGE_<PURPOSE>_URL),
STORAGE_URL otherwise, and purposes on one URL share one store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from server.files.stores import BlobStores, StorePurpose
from server.settings import Settings
from server.storage.local import LocalBlobStore
from server.storage.s3 import S3BlobStore
from tests.storage.conftest import S3_CREDENTIALS, S3_REGION, local_contents, s3_contents


def _s3_url(endpoint: str, bucket: str, prefix: str) -> str:
    return (
        f"s3://{bucket}/{prefix}?endpoint_url={endpoint}&region={S3_REGION}"
        f"&access_key={S3_CREDENTIALS['access_key']}&secret_key={S3_CREDENTIALS['secret_key']}"
    )


async def test_each_purpose_writes_to_the_backend_its_url_names(
    tmp_path: Path, s3_endpoint: str, s3_client: Any, s3_bucket: str
):
    # given: captures and reports on two local folders, temporary blobs and the archive in S3
    settings = Settings(
        storage_url=f"file:{tmp_path / 'default'}",
        storage_originals_url=f"file:{tmp_path / 'originals'}",
        storage_generated_url=f"file:{tmp_path / 'generated'}",
        storage_temporary_url=_s3_url(s3_endpoint, s3_bucket, "tmp"),
        storage_archive_url=_s3_url(s3_endpoint, s3_bucket, "archive"),
    )
    stores = BlobStores.from_settings(settings)
    try:
        # when: each purpose stores one blob under the same key
        for purpose in StorePurpose:
            await stores.get(purpose).put(
                purpose.value.encode(), content_type="text/plain", key=f"k/{purpose.value}"
            )
        # then: every blob is in its purpose's backend, and nothing reached STORAGE_URL
        assert isinstance(stores.get("originals"), LocalBlobStore)
        assert isinstance(stores.get(StorePurpose.ARCHIVE), S3BlobStore)
        assert local_contents(tmp_path / "originals") >= {"k/originals"}
        assert "k/generated" not in local_contents(tmp_path / "originals")
        assert local_contents(tmp_path / "generated") >= {"k/generated"}
        assert not (tmp_path / "default").exists()
        assert await s3_contents(s3_client, s3_bucket) == {
            "object:tmp/k/temporary",
            "object:archive/k/archive",
        }
        assert await stores.get("archive").read("k/archive") == b"archive"
        assert not await stores.get("temporary").exists("k/archive")
        assert len(stores.distinct()) == 4
    finally:
        await stores.close()


async def test_unset_purposes_share_the_storage_url_store(tmp_path: Path):
    # given: only the archive has its own URL
    settings = Settings(
        storage_url=f"file:{tmp_path / 'main'}", storage_archive_url=f"file:{tmp_path / 'cold'}"
    )
    stores = BlobStores.from_settings(settings)
    # when
    groups = {tuple(purposes): store for store, purposes in stores.distinct()}
    # then: one store object serves originals, generated and temporary; the archive its own
    assert set(groups) == {
        (StorePurpose.ORIGINALS, StorePurpose.GENERATED, StorePurpose.TEMPORARY),
        (StorePurpose.ARCHIVE,),
    }
    assert stores.get("originals") is stores.get("temporary")
    assert isinstance(stores.get("archive"), LocalBlobStore)
    assert stores.get("archive").root == tmp_path / "cold"  # type: ignore[attr-defined]
    await stores.close()


def test_an_unknown_purpose_is_refused(tmp_path: Path):
    stores = BlobStores.from_settings(Settings(storage_url=f"file:{tmp_path}"))
    with pytest.raises(ValueError, match="'thumbnails' is not a valid StorePurpose"):
        stores.get("thumbnails")
