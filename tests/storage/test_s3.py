"""S3-only behaviour, checked behind the store's back with a raw client on the same moto server."""

from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from server.storage import StorageError
from server.storage.s3 import S3BlobStore

MiB = 1024 * 1024
MakeStore = Callable[..., S3BlobStore]


async def chunked(data: bytes, size: int) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


@pytest.mark.parametrize("size", [1000, 11 * MiB], ids=["put-object", "multipart"])
async def test_sse_flag_is_sent(
    make_s3_store: MakeStore, s3_client: Any, s3_bucket: str, size: int
) -> None:
    # given
    store = make_s3_store(s3_bucket, sse="AES256")
    # when
    await store.put(chunked(os.urandom(size), MiB), content_type="image/png", key="enc.png")
    await store.close()
    # then
    head = await s3_client.head_object(Bucket=s3_bucket, Key="scans/2024/enc.png")
    assert head["ServerSideEncryption"] == "AES256"


async def test_sse_kms_key_is_sent(
    make_s3_store: MakeStore, s3_client: Any, s3_bucket: str
) -> None:
    # given
    store = make_s3_store(s3_bucket, sse="aws:kms", sse_kms_key_id="alias/scanbase")
    # when
    await store.put(b"secret", content_type="text/plain", key="kms")
    await store.close()
    # then
    head = await s3_client.head_object(Bucket=s3_bucket, Key="scans/2024/kms")
    assert head["ServerSideEncryption"] == "aws:kms"
    assert "scanbase" in head["SSEKMSKeyId"]


async def test_large_put_uses_multipart_and_records_digest(
    make_s3_store: MakeStore, s3_client: Any, s3_bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    store = make_s3_store(s3_bucket)
    parts: list[int] = []
    upload_part = store._upload_part

    async def counting(*args: Any) -> dict[str, Any]:
        part = await upload_part(*args)
        parts.append(part["PartNumber"])
        return part

    monkeypatch.setattr(store, "_upload_part", counting)
    data = os.urandom(11 * MiB)
    # when
    info = await store.put(chunked(data, 64 * 1024), content_type="image/tiff", key="big")
    # then
    assert parts == [1, 2, 3]
    head = await s3_client.head_object(Bucket=s3_bucket, Key="scans/2024/big")
    assert head["Metadata"]["scanbase-sha256"] == hashlib.sha256(data).hexdigest() == info.sha256
    assert head["ContentType"] == "image/tiff"
    assert head["ContentLength"] == len(data)
    assert (await s3_client.list_multipart_uploads(Bucket=s3_bucket)).get("Uploads", []) == []
    await store.close()


async def test_metadata_is_stored_as_readable_ascii_headers(
    make_s3_store: MakeStore, s3_client: Any, s3_bucket: str
) -> None:
    # given
    store = make_s3_store(s3_bucket)
    # when
    await store.put(
        b"x",
        content_type="application/pdf",
        metadata={"filename": "reçu 1.pdf", "source": "mobile-app"},
        key="m",
    )
    await store.close()
    # then
    head = await s3_client.head_object(Bucket=s3_bucket, Key="scans/2024/m")
    assert head["Metadata"]["filename"] == "re%C3%A7u%201.pdf"
    assert head["Metadata"]["source"] == "mobile-app"


async def test_object_written_by_others_has_unknown_digest(
    make_s3_store: MakeStore, s3_client: Any, s3_bucket: str
) -> None:
    # given
    await s3_client.put_object(Bucket=s3_bucket, Key="scans/2024/foreign", Body=b"abc")
    store = make_s3_store(s3_bucket)
    # when
    info = await store.stat("foreign")
    await store.close()
    # then
    assert (info.size, info.sha256, info.metadata) == (3, "", {})


async def test_digest_stamp_is_conditional_on_the_uploaded_etag(
    make_s3_store: MakeStore, s3_bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: a spy on CopyObject (moto ignores x-amz-copy-source-if-match, so check the request)
    store = make_s3_store(s3_bucket)
    client = await store._get_client()
    copies: list[dict[str, Any]] = []
    copy_object = client.copy_object

    async def spy(**kwargs: Any) -> Any:
        copies.append(kwargs)
        return await copy_object(**kwargs)

    monkeypatch.setattr(client, "copy_object", spy)
    # when
    await store.put(chunked(os.urandom(6 * MiB), MiB), content_type="text/plain", key="race")
    # then
    [copy] = copies
    assert copy["CopySourceIfMatch"].strip('"').endswith("-2")  # the multipart upload's ETag
    assert copy["MetadataDirective"] == "REPLACE"
    await store.close()


@pytest.mark.parametrize(
    ("code", "warned"),
    [("PreconditionFailed", False), ("412", False), ("AccessDenied", True)],
)
async def test_digest_stamp_skips_object_replaced_meanwhile(
    make_s3_store: MakeStore, caplog: pytest.LogCaptureFixture, code: str, warned: bool
) -> None:
    # given: S3 answers 412 because another put replaced the object after ours completed (an
    # AccessDenied, by contrast, is a real failure worth a warning)
    class Refusing:
        def __init__(self) -> None:
            self.copies: list[dict[str, Any]] = []
            self.error = ClientError({"Error": {"Code": code, "Message": "no"}}, "CopyObject")

        async def copy_object(self, **kwargs: Any) -> None:
            self.copies.append(kwargs)
            raise self.error

    client = Refusing()
    store = make_s3_store("bucket")
    target = {"Bucket": "bucket", "Key": "scans/2024/race"}
    # when: no error either way (the blob is stored; failing the put would orphan it)
    with caplog.at_level("WARNING", logger="server.storage.s3"):
        await store._stamp_digest(client, target, '"e-2"', "text/plain", {}, "f" * 64)
    # then: one conditional copy was tried; their object is left alone, and only a real
    # failure is logged
    [copy] = client.copies
    assert (copy["Key"], copy["CopySourceIfMatch"]) == ("scans/2024/race", '"e-2"')
    assert copy["Metadata"]["scanbase-sha256"] == "f" * 64
    warnings = [r.getMessage() for r in caplog.records if r.name == "server.storage.s3"]
    expected = f"could not record sha256 on scans/2024/race: {client.error!r}"
    assert warnings == ([expected] if warned else [])


async def test_missing_bucket_is_a_storage_error(make_s3_store: MakeStore) -> None:
    store = make_s3_store("no-such-bucket-here")
    with pytest.raises(StorageError):
        await store.health()
    with pytest.raises(StorageError):
        await store.put(b"x", content_type="text/plain", key="k")
    await store.close()


def test_repr_hides_credentials() -> None:
    store = S3BlobStore("b", access_key="AKIAEXAMPLE", secret_key="s3cr3t/+key")
    assert "s3cr3t" not in repr(store)
    assert "AKIAEXAMPLE" not in repr(store)


@pytest.mark.parametrize(
    "options",
    [
        {"sse": "DES"},
        {"sse_kms_key_id": "k"},
        {"access_key": "only-half"},
        {"part_size": 4 * MiB},
        {"addressing_style": "sideways"},
        {"prefix": "../up"},
    ],
)
def test_invalid_options_are_refused(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        S3BlobStore("b", **options)


async def test_one_big_bytes_put_is_split_into_parts(
    make_s3_store: MakeStore, s3_bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    store = make_s3_store(s3_bucket)
    sizes: list[int] = []
    upload_part = store._upload_part

    async def recording(*args: Any) -> dict[str, Any]:
        sizes.append(len(args[-1]))
        return await upload_part(*args)

    monkeypatch.setattr(store, "_upload_part", recording)
    data = os.urandom(12 * MiB)
    # when
    info = await store.put(data, content_type="application/pdf", key="whole")
    # then
    assert sizes == [5 * MiB, 5 * MiB, 2 * MiB]
    assert await store.read("whole") == data
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    await store.close()


async def test_failed_digest_stamp_keeps_the_blob(
    make_s3_store: MakeStore, s3_bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: CopyObject is denied (a narrow IAM policy, say)
    store = make_s3_store(s3_bucket)
    client = await store._get_client()

    async def denied(**kwargs: Any) -> None:
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "CopyObject")

    monkeypatch.setattr(client, "copy_object", denied)
    data = os.urandom(6 * MiB)
    # when
    info = await store.put(data, content_type="image/png", key="kept")
    # then: stored and readable, digest returned, unknown to stat
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    assert await store.read("kept") == data
    assert (await store.stat("kept")).sha256 == ""
    await store.close()
