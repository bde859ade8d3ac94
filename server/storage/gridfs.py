"""Blob store in MongoDB GridFS, via motor's `AsyncIOMotorGridFSBucket`.

The key is the GridFS `filename`; content type, sha256 and user metadata live in the file
document's `metadata` (`{"contentType", "sha256", "user": {...}}`), since GridFS's own top-level
`contentType` is deprecated by the spec and the md5 field is gone.

Each put uploads a new revision through `open_upload_stream` (chunks are written as they arrive;
motor runs pymongo in its thread pool, so the event loop never blocks), sets the digest just
before closing, then deletes the older revisions of the same key. Readers always take the newest
revision (by uploadDate, then _id), so a replacement appears whole; only revisions older than the
new one are removed, so two concurrent puts of one key cannot delete each other. A revision
deleted while someone streams it ends that stream with a StorageError: a GridFS limitation.
`BlobTooLarge`, an error or cancellation calls `abort()`, which removes the chunks already sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import re
from collections.abc import AsyncGenerator, AsyncIterator, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from bson import ObjectId
from gridfs.errors import NoFile
from motor.motor_asyncio import AsyncIOMotorClient, AsyncIOMotorGridFSBucket
from pymongo.errors import PyMongoError

from server.storage.base import (
    DEFAULT_CHUNK_SIZE,
    BlobData,
    BlobEntry,
    BlobInfo,
    BlobStoreBase,
    limited_chunks,
    new_key,
    start_stream,
    update_hash,
    validate_content_type,
    validate_key,
    validate_max_bytes,
    validate_metadata,
    validate_prefix,
)
from server.storage.errors import BlobNotFound, StorageError

logger = logging.getLogger(__name__)

DEFAULT_GRIDFS_CHUNK_SIZE = 255 * 1024  # the GridFS spec's default: keeps chunks under 256 KiB
_NEWEST_FIRST = [("uploadDate", -1), ("_id", -1)]


class GridFSBlobStore(BlobStoreBase):
    """Blobs in the GridFS bucket `bucket` of `database`.

    `connection` is a MongoDB URL (the store owns and closes the client, created on first use) or
    an existing `AsyncIOMotorClient` (shared, left open by `close()`).
    """

    def __init__(
        self,
        connection: str | AsyncIOMotorClient,
        *,
        database: str,
        bucket: str = "fs",
        chunk_size: int = DEFAULT_GRIDFS_CHUNK_SIZE,
    ) -> None:
        if not database:
            raise ValueError("a MongoDB database name is required")
        if not bucket:
            raise ValueError("a GridFS bucket name is required")
        self._url = connection if isinstance(connection, str) else None
        self._client: AsyncIOMotorClient | None = (
            None if isinstance(connection, str) else connection
        )
        self.database = database
        self.bucket = bucket
        self.chunk_size = chunk_size
        self._gridfs: AsyncIOMotorGridFSBucket | None = None

    def __repr__(self) -> str:  # the URL may hold a password
        return f"GridFSBlobStore(database={self.database!r}, bucket={self.bucket!r})"

    def _db(self) -> Any:
        if self._client is None:
            self._client = AsyncIOMotorClient(self._url)
        return self._client[self.database]

    def _bucket(self) -> AsyncIOMotorGridFSBucket:
        if self._gridfs is None:
            self._gridfs = AsyncIOMotorGridFSBucket(
                self._db(), bucket_name=self.bucket, chunk_size_bytes=self.chunk_size
            )
        return self._gridfs

    def _files(self) -> Any:
        return self._db()[f"{self.bucket}.files"]

    async def _newest(self, key: str) -> dict[str, Any]:
        document = await self._files().find_one({"filename": key}, sort=_NEWEST_FIRST)
        if document is None:
            raise BlobNotFound(key)
        return document

    async def put(
        self,
        data: BlobData,
        *,
        content_type: str,
        metadata: Mapping[str, str] | None = None,
        key: str | None = None,
        max_bytes: int | None = None,
    ) -> BlobInfo:
        """Upload a new revision, then drop the older ones (see the module docstring)."""
        key = new_key() if key is None else validate_key(key)
        content_type = validate_content_type(content_type)
        user_metadata = validate_metadata(metadata)
        validate_max_bytes(max_bytes)
        digest = hashlib.sha256()
        size = 0
        with _translate_errors(key):
            grid_in = self._bucket().open_upload_stream(
                key, metadata={"contentType": content_type, "user": user_metadata}
            )
            try:
                async for chunk in limited_chunks(data, max_bytes):
                    await update_hash(digest, chunk)
                    size += len(chunk)
                    await grid_in.write(chunk)
                sha256 = digest.hexdigest()
                await grid_in.set(
                    "metadata",
                    {"contentType": content_type, "sha256": sha256, "user": user_metadata},
                )
                await grid_in.close()
            except BaseException:
                await self._abort(grid_in, key)
                raise
            await self._drop_older_revisions(key, grid_in._id)
        return BlobInfo(
            key=key, size=size, sha256=sha256, content_type=content_type, metadata=user_metadata
        )

    async def _abort(self, grid_in: Any, key: str) -> None:
        """Remove the chunks sent so far, shielded so a cancelled upload still cleans up."""
        try:
            await asyncio.shield(grid_in.abort())
        except (PyMongoError, asyncio.CancelledError):
            logger.warning("could not abort GridFS upload of %r", key, exc_info=True)

    async def _drop_older_revisions(self, key: str, file_id: Any) -> None:
        mine = await self._files().find_one({"_id": file_id}, projection={"uploadDate": 1})
        if mine is None:  # a concurrent put already superseded and removed ours
            return
        uploaded = mine["uploadDate"]
        older = {
            "filename": key,
            "$or": [
                {"uploadDate": {"$lt": uploaded}},
                {"uploadDate": uploaded, "_id": {"$lt": file_id}},
            ],
        }
        async for document in self._files().find(older, projection={"_id": 1}):
            with contextlib.suppress(NoFile):
                await self._bucket().delete(document["_id"])

    async def open(self, key: str, *, chunk_size: int = DEFAULT_CHUNK_SIZE) -> AsyncIterator[bytes]:
        """Stream the newest revision chunk by chunk (GridFS's own chunk size, not `chunk_size`)."""
        return await start_stream(self._chunks(validate_key(key)))

    async def _chunks(self, key: str) -> AsyncGenerator[bytes, None]:
        with _translate_errors(key):
            grid_out = None
            for _attempt in range(2):  # the newest revision may be replaced between the two reads
                document = await self._newest(key)
                try:
                    grid_out = await self._bucket().open_download_stream(document["_id"])
                    break
                except NoFile:
                    continue
            if grid_out is None:
                raise BlobNotFound(key)
            try:
                while chunk := await grid_out.readchunk():
                    yield chunk
            finally:
                # Closing may kill a server cursor: a network call, so not on the loop.
                await asyncio.to_thread(grid_out.close)

    async def stat(self, key: str) -> BlobInfo:
        """From the newest revision's file document."""
        key = validate_key(key)
        with _translate_errors(key):
            document = await self._newest(key)
        stored = document.get("metadata") or {}
        return BlobInfo(
            key=key,
            size=int(document["length"]),
            sha256=str(stored.get("sha256", "")),
            content_type=str(
                stored.get("contentType")
                or document.get("contentType")
                or "application/octet-stream"
            ),
            metadata={str(k): str(v) for k, v in (stored.get("user") or {}).items()},
        )

    async def delete(self, key: str) -> None:
        """Delete every revision; none left is fine."""
        key = validate_key(key)
        with _translate_errors(key):
            async for document in self._files().find({"filename": key}, projection={"_id": 1}):
                with contextlib.suppress(NoFile):
                    await self._bucket().delete(document["_id"])

    async def exists(self, key: str) -> bool:
        """Whether any revision is stored under `key`."""
        key = validate_key(key)
        with _translate_errors(key):
            document = await self._files().find_one({"filename": key}, projection={"_id": 1})
        return document is not None

    async def list_blobs(self, prefix: str = "") -> AsyncIterator[BlobEntry]:
        """The newest revision of each key under `prefix`, from the files collection."""
        prefix = validate_prefix(prefix)
        pipeline: list[dict[str, Any]] = [
            {"$match": {"filename": {"$regex": f"^{re.escape(prefix)}"}}},
            {"$sort": {"filename": 1, "uploadDate": -1}},
            {
                "$group": {
                    "_id": "$filename",
                    "length": {"$first": "$length"},
                    "uploadDate": {"$first": "$uploadDate"},
                }
            },
        ]
        with _translate_errors(None):
            async for document in self._files().aggregate(pipeline, allowDiskUse=True):
                uploaded = document["uploadDate"]
                yield BlobEntry(
                    key=str(document["_id"]),
                    size=int(document["length"]),
                    modified_at=uploaded if uploaded.tzinfo else uploaded.replace(tzinfo=UTC),
                )

    async def discard_incomplete(self, *, older_than: float) -> int:
        """Delete chunks that no file document owns (an upload stream never closed: the file
        document is written last), when their upload began more than `older_than` s ago."""
        cutoff = datetime.now(UTC) - timedelta(seconds=older_than)
        chunks = self._db()[f"{self.bucket}.chunks"]
        pipeline: list[dict[str, Any]] = [
            {"$group": {"_id": "$files_id"}},
            {
                "$lookup": {
                    "from": f"{self.bucket}.files",
                    "localField": "_id",
                    "foreignField": "_id",
                    "as": "file",
                }
            },
            {"$match": {"file": {"$size": 0}}},
        ]
        discarded = 0
        with _translate_errors(None):
            async for orphan in chunks.aggregate(pipeline, allowDiskUse=True):
                files_id = orphan["_id"]
                # Upload ids are ObjectIds, which carry their creation time.
                if isinstance(files_id, ObjectId) and files_id.generation_time < cutoff:
                    await chunks.delete_many({"files_id": files_id})
                    discarded += 1
        return discarded

    async def health(self) -> str:
        """`ping` the server."""
        with _translate_errors(None):
            await self._db().command("ping")
        return "ok"

    async def close(self) -> None:
        """Close the client if this store created it."""
        if self._url is not None and self._client is not None:
            self._client.close()
        if self._url is not None:
            self._client = None
        self._gridfs = None


@contextlib.contextmanager
def _translate_errors(key: str | None) -> Iterator[None]:
    """pymongo/gridfs errors become BlobNotFound / StorageError (the cause stays chained)."""
    try:
        yield
    except NoFile as exc:
        if key is None:
            raise StorageError("GridFS file missing") from exc
        raise BlobNotFound(key) from exc
    except PyMongoError as exc:
        raise StorageError(f"MongoDB error: {type(exc).__name__}") from exc
