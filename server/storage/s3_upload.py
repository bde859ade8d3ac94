"""Writing to S3: `S3Uploads.put`, in one PutObject or as a multipart upload, and the digest stamp.

Chunks are buffered up to `part_size` (8 MiB by default, S3's minimum is 5 MiB); content that ends
before the first part is full goes up in one PutObject, anything larger as a multipart upload, one
part at a time (memory stays near one part). On any failure, `BlobTooLarge` or cancellation the
multipart upload is aborted, so neither an object nor billed orphan parts remain. Parts go up
sequentially: simpler, and one connection per upload is enough for scans.

The digest is only known at the end, but S3 metadata is fixed when a multipart upload starts: the
completed object is therefore copied onto itself (server side, `MetadataDirective=REPLACE`,
`CopySourceIfMatch` on its ETag so a concurrent writer's object is never stamped with our digest).
CopyObject stops at 5 GiB: above that, `stat` reports an empty sha256 (`put` still returns it).

`S3BlobStore` (server.storage.s3) mixes this in; its client, bucket, prefix and encryption
settings are what these methods use.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Mapping
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from server.storage.base import (
    RESERVED_METADATA_PREFIX,
    BlobData,
    BlobInfo,
    limited_chunks,
    new_key,
    quote_metadata_value,
    update_hash,
    validate_content_type,
    validate_key,
    validate_max_bytes,
    validate_metadata,
)
from server.storage.errors import StorageError
from server.storage.s3_errors import error_code, translate_errors

# The store's logger: its warnings are the S3 store's, wherever the code that logs them lives.
logger = logging.getLogger("server.storage.s3")

MIN_PART_SIZE = 5 * 1024 * 1024
DEFAULT_PART_SIZE = 8 * 1024 * 1024
MAX_PART_SIZE = 5 * 1024**3
MAX_COPY_SIZE = 5 * 1024**3
MAX_PARTS = 10_000  # S3's limit: 8 MiB parts allow blobs up to ~78 GiB
SHA256_METADATA = f"{RESERVED_METADATA_PREFIX}sha256"


class S3Uploads:
    """`put` and its steps, for a store that provides the attributes declared here."""

    bucket: str
    part_size: int
    _sse: dict[str, str]

    async def _get_client(self) -> Any:
        raise NotImplementedError

    def _object_key(self, key: str) -> str:
        raise NotImplementedError

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
            with translate_errors(key):
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
                                Metadata=s3_metadata(user_metadata, None),
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
                        Metadata=s3_metadata(user_metadata, sha256),
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
                    if size <= MAX_COPY_SIZE:
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
        if number > MAX_PARTS:
            raise StorageError(f"more than {MAX_PARTS} parts: raise part_size for such blobs")
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
                Metadata=s3_metadata(user_metadata, sha256),
                **self._sse,
            )
            return
        except ClientError as exc:
            if error_code(exc) in ("PreconditionFailed", "412"):
                return  # another put replaced the object meanwhile: its metadata are the right ones
            failure: Exception = exc
        except BotoCoreError as exc:
            failure = exc
        # The blob is stored and `put` returns its digest: failing the put now would orphan it.
        logger.warning("could not record sha256 on %s: %r", target["Key"], failure)


def s3_metadata(user_metadata: dict[str, str], sha256: str | None) -> dict[str, str]:
    """The object's S3 metadata: the caller's, percent-encoded, and the digest when known."""
    stored = {name: quote_metadata_value(value) for name, value in user_metadata.items()}
    if sha256 is not None:
        stored[SHA256_METADATA] = sha256
    return stored
