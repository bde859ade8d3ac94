"""Uploads in, generated files (reports, exports) in, and the process's named blob stores.

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
from datetime import UTC, datetime, timedelta
from typing import BinaryIO, Protocol

from server.accounts.models import User
from server.companies.models import Company
from server.files import sniffing
from server.files.errors import FileError, FileErrorCode
from server.files.models import StoredFile
from server.files.stores import KEY_PREFIXES, BlobStores, StorePurpose
from server.ocr.errors import ImageError
from server.ocr.images import check_pages
from server.queue import ensure_queue_available
from server.settings import get_settings
from server.storage import BlobData, BlobStore, BlobTooLarge
from server.storage.base import validate_content_type

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

    async def record(self, *, owner: User, company: Company | None = None) -> StoredFile:
        """The file row for this blob (inside the caller's transaction); with `company`, the
        company's file (its members and keys see it), stored by `owner`."""
        return await StoredFile.create(
            owner=owner,
            company=company,
            store=StorePurpose.ORIGINALS.value,
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

    key = f"{KEY_PREFIXES[StorePurpose.ORIGINALS]}{uuid.uuid4().hex}"
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


async def delete_file(*, file: StoredFile, store: BlobStore | None = None) -> None:
    """Remove the row, then the blob from the file's store (a leftover blob is harmless; a
    dangling row is not)."""
    await file.delete()
    await (store or get_blob_store(file.store)).delete(file.blob_key)


# --- generated files ---------------------------------------------------------------------------


async def store_generated_file(
    data: BlobData,
    *,
    content_type: str,
    filename: str,
    owner: User,
    expires_at: datetime | None = None,
    purpose: StorePurpose | str = StorePurpose.GENERATED,
    company: Company | None = None,
) -> StoredFile:
    """Write a file the service made (a report, an export) and its row; returns the row.

    `data`: bytes or async chunks (streamed). `company`: the company it is made for (its members
    and keys see it; `owner` stays the user it was made by). `expires_at`: when the sweeper
    deletes it (None: kept), capped at STORAGE_TEMPORARY_TTL_SECONDS from now in the
    `temporary` store. The blob is
    written first and deleted again if the row cannot be (a crash in between leaves an orphan
    the sweeper removes). Raises ValueError (an uploads' purpose), StorageError.
    """
    purpose = StorePurpose(purpose)
    if purpose is StorePurpose.ORIGINALS:
        raise ValueError("originals hold uploads (write_upload), not generated files")
    if purpose is StorePurpose.TEMPORARY:
        ttl_end = datetime.now(UTC) + timedelta(
            seconds=get_settings().storage_temporary_ttl_seconds
        )
        expires_at = ttl_end if expires_at is None else min(expires_at, ttl_end)
    validate_content_type(content_type)
    store = get_blob_store(purpose)
    info = await store.put(
        data, content_type=content_type, key=f"{KEY_PREFIXES[purpose]}{uuid.uuid4().hex}"
    )
    try:
        return await StoredFile.create(
            owner=owner,
            company=company,
            store=purpose.value,
            blob_key=info.key,
            sha256=info.sha256,
            size=info.size,
            content_type=content_type,
            filename=filename,
            expires_at=expires_at,
        )
    except BaseException:
        await store.delete(info.key)
        raise


# --- the process's blob stores -----------------------------------------------------------------

_stores: BlobStores | None = None


def blob_stores() -> BlobStores:
    """This process's named stores (STORAGE_URL and STORAGE_<PURPOSE>_URL), made once."""
    global _stores
    if _stores is None:
        from server.settings import ROOT_DIR

        _stores = BlobStores.from_settings(get_settings(), base_dir=ROOT_DIR)
    return _stores


def get_blob_store(purpose: StorePurpose | str = StorePurpose.ORIGINALS) -> BlobStore:
    """The store for `purpose` (a file row's `store`), opened once per process (no I/O until
    first use). Raises ValueError for an unknown purpose."""
    return blob_stores().get(purpose)


def set_blob_store(store: BlobStore | None, purpose: StorePurpose | str | None = None) -> None:
    """Use another store for `purpose`, or for every purpose when None (tests point them at S3
    or a temporary folder); `store=None` goes back to the configured ones."""
    blob_stores().replace(store, purpose)


async def close_blob_store() -> None:
    """Close every store this process opened."""
    global _stores
    if _stores is not None:
        await _stores.close()
        _stores = None
