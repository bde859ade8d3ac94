"""The `BlobStore` protocol every backend implements, and the rules they all share.

Keys, content types and metadata are validated here, once, so that a blob accepted by one backend
is accepted by all of them and reads back identically: switching `STORAGE_URL` must not change
behaviour.

Keys are relative, slash-separated names made of `[A-Za-z0-9._-]` segments; a segment may not
start with a dot (which rules out `.`, `..` and the local backend's hidden temp and sidecar
files), may not be empty (no leading, trailing or doubled slash) and is at most 200 characters;
the whole key is at most 512. A key that a client sent can therefore never name anything outside
the store.

Metadata keys are lowercase (`[a-z0-9][a-z0-9_-]*`, at most 64) because S3 lowercases them;
values are any text. Keys starting with `scanbase-` are reserved for the stores themselves. The
total size is capped by S3's 2 KiB limit, measured as S3 stores it (see `quote_metadata_value`).
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol, Self, runtime_checkable
from urllib.parse import quote, unquote

from server.storage.errors import BlobTooLarge, InvalidKey, InvalidMetadata

if TYPE_CHECKING:
    import hashlib
    from types import TracebackType

# What `put` accepts: the whole content, or an async stream of chunks (an upload being received).
BlobData = bytes | bytearray | memoryview | AsyncIterable[bytes]

MAX_KEY_LENGTH = 512
MAX_SEGMENT_LENGTH = 200  # leaves room under the usual 255-byte file name limit for temp suffixes
MAX_METADATA_BYTES = 2048  # S3's limit for user-defined metadata (keys + values)
RESERVED_METADATA_PREFIX = "scanbase-"
DEFAULT_CHUNK_SIZE = 1024 * 1024  # read size: big enough to amortise a thread hop or an await

_SEGMENT = r"[A-Za-z0-9_-][A-Za-z0-9._-]*"
_KEY_RE = re.compile(rf"{_SEGMENT}(?:/{_SEGMENT})*")
_METADATA_KEY_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
_CONTENT_TYPE_RE = re.compile(r"[!-~]+/[!-~]+(?:[ -~]*[!-~])?")
# Printable ASCII minus "%" (the escape itself) and space (S3 trims it at the ends).
_METADATA_SAFE = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) != "%")
# Thread hops cost ~50 µs; hashing 256 KiB costs ~0.3 ms: below that, hash on the loop.
_HASH_IN_THREAD_FROM = 256 * 1024


@dataclass(frozen=True, slots=True)
class BlobInfo:
    """What a store knows about one blob (returned by `put` and `stat`).

    `sha256` is the lowercase hex digest of the content, computed while it was written; it is ""
    only when the store did not write the blob itself (an object put in the bucket or directory by
    other means, or an S3 object above 5 GiB: see `server.storage.s3`).
    """

    key: str
    size: int
    sha256: str
    content_type: str
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class BlobEntry:
    """One blob as a listing shows it: enough to decide whether to sweep it."""

    key: str
    size: int
    modified_at: datetime  # timezone-aware (UTC): when the blob was last written


@runtime_checkable
class BlobStore(Protocol):
    """Where uploaded files live: the local disk, S3 (or compatible), or MongoDB GridFS."""

    async def put(
        self,
        data: BlobData,
        *,
        content_type: str,
        metadata: Mapping[str, str] | None = None,
        key: str | None = None,
        max_bytes: int | None = None,
    ) -> BlobInfo:
        """Store `data` under `key` (a new random key when None), replacing any blob there.

        Streams: memory stays bounded whatever the size; the digest and size are computed while
        writing. Raises BlobTooLarge (leaving nothing behind) once more than `max_bytes` arrive,
        InvalidKey, InvalidMetadata, StorageError.
        """
        ...

    async def open(self, key: str, *, chunk_size: int = DEFAULT_CHUNK_SIZE) -> AsyncIterator[bytes]:
        """Start reading: awaiting this raises BlobNotFound before any byte is sent.

        Iterate the result to the end, or `aclose()` it, to release the file or connection.
        """
        ...

    async def stat(self, key: str) -> BlobInfo:
        """Size, digest, content type and metadata. Raises BlobNotFound, InvalidKey."""
        ...

    async def delete(self, key: str) -> None:
        """Remove the blob; deleting a missing key is not an error (retries stay safe)."""
        ...

    async def exists(self, key: str) -> bool:
        """Whether a blob is stored under `key`."""
        ...

    async def read(self, key: str, *, max_bytes: int | None = None) -> bytes:
        """The whole content, for small blobs only. Raises BlobNotFound, BlobTooLarge."""
        ...

    def list_blobs(self, prefix: str = "") -> AsyncIterator[BlobEntry]:
        """Every blob whose key starts with `prefix` (e.g. "uploads/"), in no particular order.

        Streams (memory stays bounded on large stores). Blobs written or deleted during the
        listing may or may not appear. Raises InvalidKey (prefix), StorageError.
        """
        ...

    async def discard_incomplete(self, *, older_than: float) -> int:
        """Remove what interrupted writes left behind (temp files, pending multipart uploads,
        orphan chunks) started more than `older_than` seconds ago; returns how many. Writes in
        progress are younger than that, so they are never touched. Raises StorageError.
        """
        ...

    async def health(self) -> str:
        """Check that the backend answers (for /health); returns "ok", raises StorageError."""
        ...

    async def close(self) -> None:
        """Release clients and connections; the store is not used afterwards."""
        ...


class BlobStoreBase:
    """Behaviour shared by the backends: `read` on top of `open`, and `async with` support."""

    async def open(self, key: str, *, chunk_size: int = DEFAULT_CHUNK_SIZE) -> AsyncIterator[bytes]:
        raise NotImplementedError

    async def close(self) -> None:
        raise NotImplementedError

    async def read(self, key: str, *, max_bytes: int | None = None) -> bytes:
        """The whole content, for small blobs only. Raises BlobNotFound, BlobTooLarge."""
        buffer = bytearray()
        stream = await self.open(key)
        try:
            async for chunk in stream:
                buffer += chunk
                if max_bytes is not None and len(buffer) > max_bytes:
                    raise BlobTooLarge(max_bytes)
        finally:
            await aclose(stream)
        return bytes(buffer)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()


def validate_key(key: object) -> str:
    """Return `key` if it is a safe relative name; raise InvalidKey otherwise."""
    if not isinstance(key, str):
        raise InvalidKey(key, "not a string")
    if not key:
        raise InvalidKey(key, "empty")
    if len(key) > MAX_KEY_LENGTH:
        raise InvalidKey(key, f"longer than {MAX_KEY_LENGTH} characters")
    if key.startswith("/"):
        raise InvalidKey(key, "absolute")
    if not _KEY_RE.fullmatch(key):
        raise InvalidKey(
            key,
            "segments must be [A-Za-z0-9._-], not start with '.', separated by single '/'",
        )
    if any(len(segment) > MAX_SEGMENT_LENGTH for segment in key.split("/")):
        raise InvalidKey(key, f"a segment is longer than {MAX_SEGMENT_LENGTH} characters")
    return key


def validate_prefix(prefix: object) -> str:
    """Return a listing prefix: "" (everything), or a key start such as "uploads/" or "exp"."""
    if prefix == "":
        return ""
    if not isinstance(prefix, str):
        raise InvalidKey(prefix, "not a string")
    # A prefix ending in "/" names a folder; otherwise it is the start of a valid key.
    validate_key(prefix[:-1] if prefix.endswith("/") else prefix)
    return prefix


def new_key() -> str:
    """A fresh random key: unguessable (uuid4) and valid for every backend."""
    return uuid.uuid4().hex


def validate_content_type(content_type: object) -> str:
    """Return a content type that is safe to send back in a header; raise InvalidMetadata."""
    if (
        not isinstance(content_type, str)
        or len(content_type) > 255
        or not _CONTENT_TYPE_RE.fullmatch(content_type)
    ):
        raise InvalidMetadata(f"invalid content type: {content_type!r:.80}")
    return content_type


def quote_metadata_value(value: str) -> str:
    """Encode a metadata value as S3 can store it faithfully (an ASCII header, not trimmed).

    Plain printable values are unchanged; "%", spaces and non-ASCII are percent-encoded.
    """
    return quote(value, safe=_METADATA_SAFE)


def unquote_metadata_value(value: str) -> str:
    """Inverse of `quote_metadata_value`."""
    return unquote(value)


def validate_metadata(metadata: Mapping[str, str] | None) -> dict[str, str]:
    """Return a plain dict copy of `metadata` that every backend stores as is."""
    if metadata is None:
        return {}
    result: dict[str, str] = {}
    total = 0
    for name, value in metadata.items():
        if not isinstance(name, str) or not _METADATA_KEY_RE.fullmatch(name):
            raise InvalidMetadata(f"invalid metadata key {name!r:.80}: use [a-z0-9_-], lowercase")
        if name.startswith(RESERVED_METADATA_PREFIX):
            raise InvalidMetadata(f"metadata key {name!r}: the prefix is reserved")
        if not isinstance(value, str):
            raise InvalidMetadata(f"metadata {name!r}: value must be a string")
        total += len(name) + len(quote_metadata_value(value))
        result[name] = value
    if total > MAX_METADATA_BYTES:
        raise InvalidMetadata(f"metadata larger than {MAX_METADATA_BYTES} bytes once encoded")
    return result


def validate_max_bytes(max_bytes: int | None) -> int | None:
    """Reject a negative limit early: it is a caller bug, not a too-large upload."""
    if max_bytes is not None and max_bytes < 0:
        raise ValueError("max_bytes must be >= 0")
    return max_bytes


async def limited_chunks(data: BlobData, max_bytes: int | None) -> AsyncIterator[bytes]:
    """Yield the non-empty chunks of `data`, raising BlobTooLarge as soon as the total exceeds
    `max_bytes`, before the offending chunk reaches the backend."""
    if isinstance(data, str):
        raise TypeError("blob data must be bytes or an async iterable of bytes, not str")
    if isinstance(data, bytes | bytearray | memoryview):
        if max_bytes is not None and len(data) > max_bytes:
            raise BlobTooLarge(max_bytes)
        if len(data):
            yield bytes(data)
        return
    total = 0
    async for chunk in data:
        if not isinstance(chunk, bytes | bytearray | memoryview):
            raise TypeError(f"blob chunks must be bytes, got {type(chunk).__name__}")
        if not chunk:
            continue
        total += len(chunk)
        if max_bytes is not None and total > max_bytes:
            raise BlobTooLarge(max_bytes)
        yield bytes(chunk)


async def update_hash(digest: hashlib._Hash, chunk: bytes) -> None:
    """Feed `chunk` to `digest` without stalling the event loop on big chunks (hashlib releases
    the GIL, so the thread really runs beside the loop)."""
    if len(chunk) >= _HASH_IN_THREAD_FROM:
        await asyncio.to_thread(digest.update, chunk)
    else:
        digest.update(chunk)


async def start_stream(chunks: AsyncGenerator[bytes, None]) -> AsyncIterator[bytes]:
    """Run `chunks` up to its first chunk, so that a missing blob (or a dead backend) raises in
    `open()`, before an HTTP response has started, rather than in the middle of it."""
    try:
        first = await anext(chunks)
    except StopAsyncIteration:
        return _no_chunks()
    return _chain(first, chunks)


async def _no_chunks() -> AsyncIterator[bytes]:
    return
    yield  # pragma: no cover - makes this an async generator


async def _chain(first: bytes, rest: AsyncGenerator[bytes, None]) -> AsyncIterator[bytes]:
    try:
        yield first
        async for chunk in rest:
            yield chunk
    finally:
        await rest.aclose()


async def aclose(stream: AsyncIterator[bytes]) -> None:
    """Close a stream returned by `open` early (no-op for iterators without `aclose`)."""
    closer = getattr(stream, "aclose", None)
    if closer is not None:
        await closer()
