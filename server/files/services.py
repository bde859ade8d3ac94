"""Uploads in, signed downloads out.

An upload is checked while it streams to the blob store: type by magic bytes, bytes against the
limit, pixels from the image header (before anything is decoded), and a complete trailer. Any
refusal raises FileError and leaves no blob and no row behind.
"""

from __future__ import annotations

import asyncio
import io
import logging
import re
import uuid
from collections.abc import AsyncIterator
from typing import Protocol

from server.accounts.models import User
from server.files import sniffing
from server.files.errors import FileError, FileErrorCode
from server.files.models import StoredFile
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


def _image_size(head: bytes, upload_file: object | None) -> tuple[int, int] | None:
    """Pixel size from the header only: PIL's lazy open reads no pixel data."""
    from PIL import Image

    source = upload_file if upload_file is not None else io.BytesIO(head)
    try:
        if hasattr(source, "seek"):
            source.seek(0)
        with Image.open(source) as image:
            return image.size
    except Image.DecompressionBombError:
        return (1 << 20, 1 << 20)
    except Exception:
        return None


async def store_upload(
    upload: UploadLike,
    *,
    owner: User,
    store: BlobStore,
    max_bytes: int,
    max_pixels: int,
    allowed_types: frozenset[str] = sniffing.ALL_TYPES,
) -> StoredFile:
    """Check and store one upload. Raises FileError: EMPTY_FILE, UNSUPPORTED_TYPE,
    FILE_TOO_LARGE, TOO_MANY_PIXELS, CORRUPT_FILE."""
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
        size = await asyncio.to_thread(_image_size, head, raw_file)
        if size is None:
            raise FileError(
                FileErrorCode.CORRUPT_FILE, "The image header cannot be read.", field="file"
            )
        width, height = size
        if width * height > max_pixels:
            raise FileError(
                FileErrorCode.TOO_MANY_PIXELS,
                f"The image has {width}x{height} pixels; at most {max_pixels:,} are accepted.",
                field="file",
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
    try:
        return await StoredFile.create(
            owner=owner,
            blob_key=info.key,
            sha256=info.sha256,
            size=info.size,
            content_type=content_type,
            filename=safe_filename(getattr(upload, "filename", None), content_type),
            width=width,
            height=height,
        )
    except BaseException:
        await store.delete(info.key)
        raise


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
