"""Uploads in, signed downloads out.

An upload is checked while it streams to the blob store: type by magic bytes, bytes against the
limit, pixels from the image header (before anything is decoded), and a complete trailer. Any
refusal raises FileError and leaves no blob and no row behind.
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from server.accounts.models import User
from server.files import sniffing
from server.files.errors import FileError, FileErrorCode
from server.files.models import StoredFile
from server.ocr.errors import ImageError
from server.ocr.images import check_pages
from server.queue import ensure_queue_available
from server.settings import get_settings
from server.storage import BlobStore, BlobTooLarge

log = logging.getLogger("scanbase.files")
CHUNK = 256 * 1024
HEAD = 64 * 1024


class UploadLike(Protocol):
    """What Starlette's UploadFile offers (spooled to disk past 1 MB by the multipart parser)."""

    filename: str | None

    async def read(self, size: int = -1) -> bytes: ...

    async def seek(self, offset: int) -> None: ...


def safe_filename(name: str | None, content_type: str) -> str:
    """A display name without paths or control characters, with the extension of the real type."""
    base = re.sub(
        r"[\x00-\x1f\x7f/\\]+", "_", (name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    ).strip(" .")
    stem = base.rsplit(".", 1)[0][:200] or "file"
    return f"{stem}.{sniffing.EXTENSIONS[content_type]}"


_IMAGE_REFUSALS = {
    "TOO_MANY_PIXELS": FileErrorCode.TOO_MANY_PIXELS,
    "TOO_MANY_PAGES": FileErrorCode.TOO_MANY_PAGES,
}


def _check_image(
    head: bytes, upload_file: BinaryIO | None, *, max_pixels: int, max_pages: int
) -> tuple[int, int]:
    """(width, height) of the first page, once every page passed the pixel cap and the page
    count the page cap; from the headers only (no pixel is decoded). Raises FileError."""
    source = upload_file if upload_file is not None else head
    try:
        width, height, _ = check_pages(source, max_pixels=max_pixels, max_pages=max_pages)
    except ImageError as exc:
        code = _IMAGE_REFUSALS.get(exc.code, FileErrorCode.CORRUPT_FILE)
        message = {
            FileErrorCode.CORRUPT_FILE: "The image header cannot be read.",
            FileErrorCode.TOO_MANY_PIXELS: f"An image page has too many pixels ({exc.message}); "
            f"at most {max_pixels:,} per page are accepted.",
            FileErrorCode.TOO_MANY_PAGES: f"The image has more than {max_pages} pages.",
        }[code]
        raise FileError(code, message, field="file") from exc
    return width, height


@dataclass(frozen=True)
class WrittenUpload:
    """An upload that passed every check and sits in the blob store, with no row yet: the caller
    records it inside its own transaction, and deletes the blob if that transaction fails."""

    key: str
    sha256: str
    size: int
    content_type: str
    filename: str
    width: int | None
    height: int | None

    async def record(self, *, owner: User) -> StoredFile:
        """The file row for this blob (inside the caller's transaction)."""
        return await StoredFile.create(
            owner=owner,
            blob_key=self.key,
            sha256=self.sha256,
            size=self.size,
            content_type=self.content_type,
            filename=self.filename,
            width=self.width,
            height=self.height,
        )


async def write_upload(
    upload: UploadLike,
    *,
    store: BlobStore,
    max_bytes: int,
    max_pixels: int,
    max_pages: int | None = None,
    allowed_types: frozenset[str] = sniffing.ALL_TYPES,
) -> WrittenUpload:
    """Check one upload and write its blob, holding no database connection meanwhile (a blob
    write may take seconds on S3). Raises FileError: EMPTY_FILE, UNSUPPORTED_TYPE,
    FILE_TOO_LARGE, TOO_MANY_PIXELS, TOO_MANY_PAGES (image pages beyond MAX_IMAGE_PAGES),
    CORRUPT_FILE; ServiceUnavailable when the job queue is down (every upload starts a job:
    refusing it now, retryable, beats storing a file whose processing cannot start)."""
    await ensure_queue_available()
    if max_pages is None:
        max_pages = get_settings().max_image_pages
    await upload.seek(0)
    head = await upload.read(HEAD)
    if not head:
        raise FileError(FileErrorCode.EMPTY_FILE, "The file is empty.", field="file")
    content_type = sniffing.sniff(head)
    if content_type is None or content_type not in allowed_types:
        kinds = ", ".join(sorted(sniffing.EXTENSIONS[t].upper() for t in allowed_types))
        raise FileError(
            FileErrorCode.UNSUPPORTED_TYPE,
            f"Unsupported file content; expected {kinds}.",
            field="file",
        )
    width = height = None
    if content_type in sniffing.IMAGE_TYPES:
        raw_file = getattr(upload, "file", None)
        width, height = await asyncio.to_thread(
            _check_image, head, raw_file, max_pixels=max_pixels, max_pages=max_pages
        )
        await upload.seek(len(head))

    tail = bytearray()

    async def chunks() -> AsyncIterator[bytes]:
        chunk = head
        while chunk:
            tail.extend(chunk[-2048:])
            del tail[:-2048]
            yield chunk
            chunk = await upload.read(CHUNK)

    key = f"uploads/{uuid.uuid4().hex}"
    try:
        info = await store.put(chunks(), content_type=content_type, key=key, max_bytes=max_bytes)
    except BlobTooLarge as exc:
        raise FileError(
            FileErrorCode.FILE_TOO_LARGE,
            f"The file is larger than {max_bytes:,} bytes.",
            field="file",
        ) from exc
    if not sniffing.trailer_ok(content_type, bytes(tail)):
        await store.delete(info.key)
        raise FileError(
            FileErrorCode.CORRUPT_FILE, "The file is truncated or corrupt.", field="file"
        )
    return WrittenUpload(
        key=info.key,
        sha256=info.sha256,
        size=info.size,
        content_type=content_type,
        filename=safe_filename(getattr(upload, "filename", None), content_type),
        width=width,
        height=height,
    )


async def delete_file(*, file: StoredFile, store: BlobStore) -> None:
    """Remove the row, then the blob (a leftover blob is harmless; a dangling row is not)."""
    await file.delete()
    await store.delete(file.blob_key)


# --- the process's blob store ----------------------------------------------------------------

_store: BlobStore | None = None


def get_blob_store() -> BlobStore:
    """The blob store STORAGE_URL names, opened once per process (no I/O until first use)."""
    global _store
    if _store is None:
        from server.settings import ROOT_DIR, get_settings
        from server.storage import open_blob_store

        _store = open_blob_store(get_settings().storage_url, base_dir=ROOT_DIR)
    return _store


def set_blob_store(store: BlobStore | None) -> None:
    """Use another store in this process (tests point it at S3 or a temporary folder)."""
    global _store
    _store = store


async def close_blob_store() -> None:
    global _store
    if _store is not None:
        await _store.close()
        _store = None
