"""Blob store on S3 or an S3-compatible service (MinIO, OVH, DO Spaces...) via aiobotocore.

Objects live at `<prefix>/<key>` in one bucket. Content type is the object's Content-Type; the
sha256 is the user metadata `scanbase-sha256`; user metadata are `x-amz-meta-*` with values
percent-encoded where S3 would mangle them (see `server.storage.base.quote_metadata_value`).

Uploads stream: chunks are buffered up to `part_size` (8 MiB by default, S3's minimum is 5 MiB);
content that ends before the first part is full goes up in one PutObject, anything larger as a
multipart upload, one part at a time (memory stays near one part). On any failure, `BlobTooLarge`
or cancellation the multipart upload is aborted, so neither an object nor billed orphan parts
remain. Parts go up sequentially: simpler, and one connection per upload is enough for scans.

The digest is only known at the end, but S3 metadata is fixed when a multipart upload starts: the
completed object is therefore copied onto itself (server side, `MetadataDirective=REPLACE`,
`CopySourceIfMatch` on its ETag so a concurrent writer's object is never stamped with our digest).
CopyObject stops at 5 GiB: above that, `stat` reports an empty sha256 (`put` still returns it).

One aiobotocore client per store, created on first use and closed by `close()`. With a custom
`endpoint_url`, path-style addressing is the default (MinIO and most compatibles need it) and
botocore's newer default request checksums are sent only when required (several S3-compatible
services reject them).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from aiobotocore.config import AioConfig
from aiobotocore.session import AioSession, get_session
from botocore.exceptions import BotoCoreError, ClientError

from server.storage.base import (
    DEFAULT_CHUNK_SIZE,
    RESERVED_METADATA_PREFIX,
    BlobData,
    BlobEntry,
    BlobInfo,
    BlobStoreBase,
    limited_chunks,
    new_key,
    quote_metadata_value,
    start_stream,
    unquote_metadata_value,
    update_hash,
    validate_content_type,
    validate_key,
    validate_max_bytes,
    validate_metadata,
    validate_prefix,
)
from server.storage.errors import BlobNotFound, StorageError

logger = logging.getLogger(__name__)

MIN_PART_SIZE = 5 * 1024 * 1024
DEFAULT_PART_SIZE = 8 * 1024 * 1024
MAX_PART_SIZE = 5 * 1024**3
_MAX_COPY_SIZE = 5 * 1024**3
_MAX_PARTS = 10_000  # S3's limit: 8 MiB parts allow blobs up to ~78 GiB
_SHA256_METADATA = f"{RESERVED_METADATA_PREFIX}sha256"
_NOT_FOUND_CODES = frozenset({"404", "NoSuchKey", "NotFound"})

SseMode = Literal["AES256", "aws:kms"]
AddressingStyle = Literal["auto", "path", "virtual"]


class S3BlobStore(BlobStoreBase):
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

    async def put(
        self,
        data: BlobData,
        *,
        content_type: str,
        metadata: Mapping[str, str] | None = None,
        key: str | None = None,
        max_bytes: int | None = None,
    ) -> BlobInfo:
        """PutObject for content under one part, else a multipart upload (see module docstring)."""
        key = new_key() if key is None else validate_key(key)
        content_type = validate_content_type(content_type)
        user_metadata = validate_metadata(metadata)
        validate_max_bytes(max_bytes)
        object_key = self._object_key(key)
        client = await self._get_client()
        target = {"Bucket": self.bucket, "Key": object_key}
        digest = hashlib.sha256()
        size = 0
        buffer = bytearray()
        upload_id: str | None = None
        parts: list[dict[str, Any]] = []
        try:
            with _translate_errors(key):
                async for chunk in limited_chunks(data, max_bytes):
                    await update_hash(digest, chunk)
                    size += len(chunk)
                    rest = memoryview(chunk)
                    while rest:  # slice big chunks so memory stays near one part
                        room = self.part_size - len(buffer)
                        buffer += rest[:room]
                        rest = rest[room:]
                        if len(buffer) < self.part_size:
                            break
                        if upload_id is None:
                            created = await client.create_multipart_upload(
                                **target,
                                ContentType=content_type,
                                Metadata=_s3_metadata(user_metadata, None),
                                **self._sse,
                            )
                            upload_id = str(created["UploadId"])
                        part = bytes(buffer)
                        buffer.clear()
                        parts.append(
                            await self._upload_part(client, target, upload_id, parts, part)
                        )
                sha256 = digest.hexdigest()
                if upload_id is None:
                    await client.put_object(
                        **target,
                        Body=bytes(buffer),
                        ContentType=content_type,
                        Metadata=_s3_metadata(user_metadata, sha256),
                        **self._sse,
                    )
                else:
                    if buffer:
                        parts.append(
                            await self._upload_part(client, target, upload_id, parts, bytes(buffer))
                        )
                    buffer.clear()
                    completed = await client.complete_multipart_upload(
                        **target, UploadId=upload_id, MultipartUpload={"Parts": parts}
                    )
                    upload_id = None  # nothing left to abort
                    if size <= _MAX_COPY_SIZE:
                        await self._stamp_digest(
                            client, target, completed["ETag"], content_type, user_metadata, sha256
                        )
        except BaseException:
            if upload_id is not None:
                await self._abort(client, target, upload_id)
            raise
        return BlobInfo(
            key=key, size=size, sha256=sha256, content_type=content_type, metadata=user_metadata
        )

    async def _upload_part(
        self,
        client: Any,
        target: dict[str, str],
        upload_id: str,
        parts: list[dict[str, Any]],
        body: bytes,
    ) -> dict[str, Any]:
        number = len(parts) + 1
        if number > _MAX_PARTS:
            raise StorageError(f"more than {_MAX_PARTS} parts: raise part_size for such blobs")
        response = await client.upload_part(
            **target, UploadId=upload_id, PartNumber=number, Body=body
        )
        return {"PartNumber": number, "ETag": response["ETag"]}

    async def _abort(self, client: Any, target: dict[str, str], upload_id: str) -> None:
        """Abort, shielded so that a cancelled upload still cleans up its parts."""
        try:
            await asyncio.shield(client.abort_multipart_upload(**target, UploadId=upload_id))
        except (BotoCoreError, ClientError, asyncio.CancelledError):
            # The bucket's lifecycle rule for incomplete uploads is the last line of defence.
            logger.warning("could not abort multipart upload of %s", target["Key"], exc_info=True)

    async def _stamp_digest(
        self,
        client: Any,
        target: dict[str, str],
        etag: str,
        content_type: str,
        user_metadata: dict[str, str],
        sha256: str,
    ) -> None:
        """Copy the finished object onto itself to add the digest to its metadata.

        Best effort: on failure the object stays, `stat` then reports an empty sha256.
        """
        try:
            await client.copy_object(
                **target,
                CopySource=dict(target),
                CopySourceIfMatch=etag,
                MetadataDirective="REPLACE",
                ContentType=content_type,
                Metadata=_s3_metadata(user_metadata, sha256),
                **self._sse,
            )
            return
        except ClientError as exc:
            if _error_code(exc) in ("PreconditionFailed", "412"):
                return  # another put replaced the object meanwhile: its metadata are the right ones
            failure: Exception = exc
        except BotoCoreError as exc:
            failure = exc
        # The blob is stored and `put` returns its digest: failing the put now would orphan it.
        logger.warning("could not record sha256 on %s: %r", target["Key"], failure)

    async def open(self, key: str, *, chunk_size: int = DEFAULT_CHUNK_SIZE) -> AsyncIterator[bytes]:
        """GetObject and stream its body; raises BlobNotFound here rather than mid-stream."""
        return await start_stream(self._chunks(key, self._object_key(key), chunk_size))

    async def _chunks(
        self, key: str, object_key: str, chunk_size: int
    ) -> AsyncGenerator[bytes, None]:
        client = await self._get_client()
        with _translate_errors(key):
            response = await client.get_object(Bucket=self.bucket, Key=object_key)
            async with response["Body"] as body:
                while chunk := await body.read(chunk_size):
                    yield chunk

    async def stat(self, key: str) -> BlobInfo:
        """HeadObject: size, content type, digest and user metadata."""
        object_key = self._object_key(key)
        client = await self._get_client()
        with _translate_errors(key):
            head = await client.head_object(Bucket=self.bucket, Key=object_key)
        stored: dict[str, str] = dict(head.get("Metadata") or {})
        sha256 = stored.pop(_SHA256_METADATA, "")
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
        with _translate_errors(key):
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
        with _translate_errors(None):
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
        with _translate_errors(None):
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
        with _translate_errors(None):
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


def _s3_metadata(user_metadata: dict[str, str], sha256: str | None) -> dict[str, str]:
    stored = {name: quote_metadata_value(value) for name, value in user_metadata.items()}
    if sha256 is not None:
        stored[_SHA256_METADATA] = sha256
    return stored


def _aware(moment: datetime) -> datetime:
    """botocore's timestamps are aware already; a naive one from a compatible service is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


@contextlib.contextmanager
def _translate_errors(key: str | None) -> Iterator[None]:
    """botocore errors become BlobNotFound / StorageError (the cause stays chained)."""
    try:
        yield
    except ClientError as exc:
        code = _error_code(exc)
        if key is not None and code in _NOT_FOUND_CODES:
            raise BlobNotFound(key) from exc
        raise StorageError(
            f"S3 error {code or 'unknown'}" + (f" on {key!r}" if key else "")
        ) from exc
    except BotoCoreError as exc:
        raise StorageError(f"S3 unavailable: {type(exc).__name__}") from exc
