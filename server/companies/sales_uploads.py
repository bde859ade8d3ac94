"""A sales file's bytes on their way in and out: an upload spooled to a local temporary file
(hashed, size and type checked as it is copied), its copy into a blob store, and a stored
file's blob downloaded again for the job. The rows are read from a local file only.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import tempfile
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from server.companies.errors import CompaniesError, CompaniesErrorCode
from server.companies.sales_detection import (
    CSV_TYPE,
    SAMPLE_BYTES,
    XLSX_TYPE,
    FileKind,
    SalesFileError,
    sniff_kind,
)
from server.companies.sales_inspection import file_error
from server.files.models import StoredFile
from server.files.services import UploadLike, get_blob_store
from server.files.stores import KEY_PREFIXES, StorePurpose
from server.storage import BlobTooLarge

CHUNK = 1024 * 1024


@dataclass
class Spooled:
    path: Path
    sha256: str
    size: int
    kind: FileKind
    filename: str

    @property
    def content_type(self) -> str:
        return XLSX_TYPE if self.kind is FileKind.XLSX else CSV_TYPE

    def remove(self) -> None:
        remove_file(self.path)


def remove_file(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def _filename(name: str | None, kind: FileKind) -> str:
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    stem = "".join(c if c.isprintable() else "_" for c in base).strip(" .").rsplit(".", 1)[0]
    return f"{stem[:200] or 'sales'}.{'xlsx' if kind is FileKind.XLSX else 'csv'}"


async def spool_upload(upload: UploadLike, *, max_bytes: int) -> Spooled:
    """Copy an upload to a local temporary file (hashing it, checking size and type). Raises
    CompaniesError EMPTY_FILE, NOT_A_SALES_FILE, FILE_TOO_LARGE."""
    await upload.seek(0)
    digest = hashlib.sha256()
    handle, name = tempfile.mkstemp(prefix="scanbase-sales-")
    path, size, head = Path(name), 0, b""
    try:
        with os.fdopen(handle, "wb") as out:
            while chunk := await upload.read(CHUNK):
                if not head:
                    head = chunk[:SAMPLE_BYTES]
                size += len(chunk)
                if size > max_bytes:
                    raise CompaniesError(
                        CompaniesErrorCode.FILE_TOO_LARGE,
                        f"The file is larger than {max_bytes:,} bytes.",
                        field="file",
                    )
                digest.update(chunk)
                await asyncio.to_thread(out.write, chunk)
        try:
            kind = sniff_kind(head)
        except SalesFileError as exc:
            raise file_error(exc) from None
    except BaseException:
        remove_file(path)
        raise
    return Spooled(path, digest.hexdigest(), size, kind, _filename(upload.filename, kind))


async def _chunks_of(path: Path) -> AsyncIterator[bytes]:
    with path.open("rb") as source:
        while chunk := await asyncio.to_thread(source.read, CHUNK):
            yield chunk


async def store_blob(spooled: Spooled, purpose: StorePurpose) -> str:
    store = get_blob_store(purpose)
    key = f"{KEY_PREFIXES[purpose]}{uuid.uuid4().hex}"
    try:
        info = await store.put(_chunks_of(spooled.path), content_type=spooled.content_type, key=key)
    except BlobTooLarge as exc:  # pragma: no cover - the spool checked the size
        raise CompaniesError(
            CompaniesErrorCode.FILE_TOO_LARGE, "The file is too large.", field="file"
        ) from exc
    return info.key


async def download(file: StoredFile) -> Path:
    """The file's blob copied to a local temporary file. Raises BlobNotFound."""
    chunks = await get_blob_store(file.store).open(file.blob_key)
    handle, name = tempfile.mkstemp(prefix="scanbase-sales-")
    path = Path(name)
    try:
        with os.fdopen(handle, "wb") as out:
            async for chunk in chunks:
                await asyncio.to_thread(out.write, chunk)
    except BaseException:
        remove_file(path)
        raise
    return path
