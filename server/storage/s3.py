"""Blob store on S3 or an S3-compatible service (MinIO, OVH, DO Spaces...) via aiobotocore.

Objects live at `<prefix>/<key>` in one bucket. Content type is the object's Content-Type; the
sha256 is the user metadata `scanbase-sha256`; user metadata are `x-amz-meta-*` with values
percent-encoded where S3 would mangle them (see `server.storage.base.quote_metadata_value`).

This module holds the store, its client and what reads, lists and deletes; writing (one
PutObject, or a multipart upload, then the digest stamp) is `server.storage.s3_upload`, and
botocore's errors become the storage layer's in `server.storage.s3_errors`.

One aiobotocore client per store, created on first use and closed by `close()`. With a custom
`endpoint_url`, path-style addressing is the default (MinIO and most compatibles need it) and
botocore's newer default request checksums are sent only when required (several S3-compatible
services reject them).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import AsyncGenerator, AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from aiobotocore.config import AioConfig
from aiobotocore.session import AioSession, get_session
from botocore.exceptions import ClientError

from server.storage.base import (
    DEFAULT_CHUNK_SIZE,
    RESERVED_METADATA_PREFIX,
    BlobEntry,
    BlobInfo,
    BlobStoreBase,
    start_stream,
    unquote_metadata_value,
    validate_key,
    validate_prefix,
)
from server.storage.errors import BlobNotFound
from server.storage.s3_errors import translate_errors
from server.storage.s3_upload import (
    DEFAULT_PART_SIZE,
    MAX_PART_SIZE,
    MIN_PART_SIZE,
    SHA256_METADATA,
    S3Uploads,
)

__all__ = ["DEFAULT_PART_SIZE", "MAX_PART_SIZE", "MIN_PART_SIZE", "S3BlobStore"]

SseMode = Literal["AES256", "aws:kms"]
AddressingStyle = Literal["auto", "path", "virtual"]


class S3BlobStore(S3Uploads, BlobStoreBase):
    """Blobs as objects in `bucket` under `prefix`.

    Credentials are optional: when `access_key`/`secret_key` are None, botocore's default chain
    applies (environment, shared config files, instance or task role).
    """

    def __init__(
        self,
        bucket: str,
        *,
        prefix: str = "",
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key: str | None = None,
        secret_key: str | None = None,
        session_token: str | None = None,
        sse: SseMode | None = None,
        sse_kms_key_id: str | None = None,
        addressing_style: AddressingStyle | None = None,
        part_size: int = DEFAULT_PART_SIZE,
    ) -> None:
        if not bucket:
            raise ValueError("an S3 bucket name is required")
        if sse not in (None, "AES256", "aws:kms"):
            raise ValueError("sse must be 'AES256' or 'aws:kms'")
        if sse_kms_key_id and sse != "aws:kms":
            raise ValueError("sse_kms_key_id needs sse='aws:kms'")
        if (access_key is None) != (secret_key is None):
            raise ValueError("give both access_key and secret_key, or neither")
        if not MIN_PART_SIZE <= part_size <= MAX_PART_SIZE:
            raise ValueError(f"part_size must be between {MIN_PART_SIZE} and {MAX_PART_SIZE}")
        if addressing_style not in (None, "auto", "path", "virtual"):
            raise ValueError("addressing_style must be 'auto', 'path' or 'virtual'")
        prefix = prefix.strip("/")
        self.bucket = bucket
        self.prefix = validate_key(prefix) if prefix else ""
        self.endpoint_url = endpoint_url
        self.region = region
        self.part_size = part_size
        self._credentials = {
            "aws_access_key_id": access_key,
            "aws_secret_access_key": secret_key,
            "aws_session_token": session_token,
        }
        self._sse: dict[str, str] = {}
        if sse:
            self._sse["ServerSideEncryption"] = sse
        if sse_kms_key_id:
            self._sse["SSEKMSKeyId"] = sse_kms_key_id
        checksums = "when_required" if endpoint_url else "when_supported"
        self._config = AioConfig(
            signature_version="s3v4",
            s3={"addressing_style": addressing_style or ("path" if endpoint_url else "auto")},
            request_checksum_calculation=checksums,
            response_checksum_validation=checksums,
            retries={"mode": "standard", "max_attempts": 3},
        )
        self._client: Any = None
        self._client_lock = asyncio.Lock()
        self._exit_stack = contextlib.AsyncExitStack()

    def __repr__(self) -> str:  # never show credentials
        return f"S3BlobStore(bucket={self.bucket!r}, prefix={self.prefix!r})"

    async def _get_client(self) -> Any:
        """The store's one client, created on first use inside the running loop."""
        if self._client is None:
            async with self._client_lock:
                if self._client is None:
                    factory = _shared_session().create_client(
                        "s3",
                        region_name=self.region,
                        endpoint_url=self.endpoint_url,
                        config=self._config,
                        **self._credentials,
                    )
                    self._client = await self._exit_stack.enter_async_context(factory)
        return self._client

    def _object_key(self, key: str) -> str:
        key = validate_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    async def open(self, key: str, *, chunk_size: int = DEFAULT_CHUNK_SIZE) -> AsyncIterator[bytes]:
        """GetObject and stream its body; raises BlobNotFound here rather than mid-stream."""
        return await start_stream(self._chunks(key, self._object_key(key), chunk_size))

    async def _chunks(
        self, key: str, object_key: str, chunk_size: int
    ) -> AsyncGenerator[bytes, None]:
        client = await self._get_client()
        with translate_errors(key):
            response = await client.get_object(Bucket=self.bucket, Key=object_key)
            async with response["Body"] as body:
                while chunk := await body.read(chunk_size):
                    yield chunk

    async def stat(self, key: str) -> BlobInfo:
        """HeadObject: size, content type, digest and user metadata."""
        object_key = self._object_key(key)
        client = await self._get_client()
        with translate_errors(key):
            head = await client.head_object(Bucket=self.bucket, Key=object_key)
        stored: dict[str, str] = dict(head.get("Metadata") or {})
        sha256 = stored.pop(SHA256_METADATA, "")
        return BlobInfo(
            key=key,
            size=int(head["ContentLength"]),
            sha256=sha256,
            content_type=head.get("ContentType") or "application/octet-stream",
            metadata={
                name: unquote_metadata_value(value)
                for name, value in stored.items()
                if not name.startswith(RESERVED_METADATA_PREFIX)
            },
        )

    async def delete(self, key: str) -> None:
        """DeleteObject, which S3 already treats as idempotent."""
        object_key = self._object_key(key)
        client = await self._get_client()
        with translate_errors(key):
            await client.delete_object(Bucket=self.bucket, Key=object_key)

    async def exists(self, key: str) -> bool:
        """HeadObject. Without s3:ListBucket, AWS answers 403 for a missing key: a StorageError."""
        try:
            await self.stat(key)
        except BlobNotFound:
            return False
        return True

    async def list_blobs(self, prefix: str = "") -> AsyncIterator[BlobEntry]:
        """ListObjectsV2, page by page (needs s3:ListBucket)."""
        prefix = validate_prefix(prefix)
        store_prefix = f"{self.prefix}/" if self.prefix else ""
        client = await self._get_client()
        pages = client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=store_prefix + prefix
        )
        with translate_errors(None):
            async for page in pages:
                for item in page.get("Contents", ()):
                    yield BlobEntry(
                        key=item["Key"][len(store_prefix) :],
                        size=int(item["Size"]),
                        modified_at=_aware(item["LastModified"]),
                    )

    async def discard_incomplete(self, *, older_than: float) -> int:
        """Abort this store's multipart uploads initiated more than `older_than` seconds ago
        (a process killed mid-upload leaves their parts billed). A bucket lifecycle rule
        (AbortIncompleteMultipartUpload) does the same on AWS; this covers the others."""
        cutoff = datetime.now(UTC) - timedelta(seconds=older_than)
        store_prefix = f"{self.prefix}/" if self.prefix else ""
        client = await self._get_client()
        pages = client.get_paginator("list_multipart_uploads").paginate(
            Bucket=self.bucket, Prefix=store_prefix
        )
        aborted = 0
        with translate_errors(None):
            async for page in pages:
                for upload in page.get("Uploads", ()):
                    if _aware(upload["Initiated"]) >= cutoff:
                        continue
                    with contextlib.suppress(ClientError):  # completed or aborted meanwhile
                        await client.abort_multipart_upload(
                            Bucket=self.bucket, Key=upload["Key"], UploadId=upload["UploadId"]
                        )
                        aborted += 1
        return aborted

    async def health(self) -> str:
        """HeadBucket: the endpoint answers, the credentials work and the bucket is there."""
        client = await self._get_client()
        with translate_errors(None):
            await client.head_bucket(Bucket=self.bucket)
        return "ok"

    async def close(self) -> None:
        """Close the client and its connection pool."""
        self._client = None
        await self._exit_stack.aclose()


@functools.cache
def _shared_session() -> AioSession:
    """One botocore session per process: each new one re-parses the S3 model (~0.3 s)."""
    return get_session()


def _aware(moment: datetime) -> datetime:
    """botocore's timestamps are aware already; a naive one from a compatible service is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
