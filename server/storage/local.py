"""Blob store on the local filesystem, under one root directory (`var/blobs` by default).

Layout: the blob `a/b/c.pdf` is the file `<root>/a/b/c.pdf`; its content type, size, sha256 and
metadata are in the sidecar `<root>/a/b/.c.pdf.meta.json`. Keys cannot start a segment with a dot
(see `server.storage.base`), so sidecars and the hidden temp files never collide with a blob.

Writes are atomic: content goes to a temp file in the target directory (same filesystem, so the
rename is atomic), is fsynced, then `os.replace`d over the final name; the sidecar follows the
same path, then the directory is fsynced. Readers see the old blob or the new one, never a partial
file. The data is replaced before its sidecar, so a crash between the two renames can pair new
bytes with the previous sidecar of the same key; `stat` notices the size mismatch and reports an
unknown digest rather than a wrong one. A hard crash mid-write can leave a `.*.tmp` file behind:
`discard_incomplete` (run by the sweeper) removes the old ones.

Event loop: the upload arrives chunk by chunk from the network, so a single thread cannot be
handed the whole write; instead each write (coalesced to >= 1 MiB, so the ~50 µs hop is
negligible) and the hashing of that chunk run in `asyncio.to_thread`. Reads do the same per chunk.
Files are created 0600: blobs are private and are served by the application, not a web server.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import stat
import tempfile
import threading
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from server.storage.base import (
    DEFAULT_CHUNK_SIZE,
    BlobData,
    BlobEntry,
    BlobInfo,
    BlobStoreBase,
    limited_chunks,
    new_key,
    start_stream,
    validate_content_type,
    validate_key,
    validate_max_bytes,
    validate_metadata,
    validate_prefix,
)
from server.storage.errors import BlobNotFound, StorageError

_FLUSH_AT = 1024 * 1024
_SIDECAR_SUFFIX = ".meta.json"
_TEMP_SUFFIX = ".tmp"
_UNKNOWN_CONTENT_TYPE = "application/octet-stream"
_T = TypeVar("_T")


class LocalBlobStore(BlobStoreBase):
    """Blobs as files under `root`; `fsync=False` trades durability for speed (tests only)."""

    def __init__(self, root: str | Path, *, fsync: bool = True) -> None:
        self.root = Path(root).absolute()
        self._fsync = fsync

    def __repr__(self) -> str:
        return f"LocalBlobStore({str(self.root)!r})"

    def _path(self, key: str) -> Path:
        path = self.root.joinpath(*validate_key(key).split("/"))
        # Belt and braces: validate_key already forbids anything that could climb out.
        if not path.is_relative_to(self.root):
            raise StorageError("key resolves outside the store root")
        return path

    @staticmethod
    def _sidecar(path: Path) -> Path:
        return path.with_name(f".{path.name}{_SIDECAR_SUFFIX}")

    async def put(
        self,
        data: BlobData,
        *,
        content_type: str,
        metadata: Mapping[str, str] | None = None,
        key: str | None = None,
        max_bytes: int | None = None,
    ) -> BlobInfo:
        """Stream `data` into a temp file, then rename it into place (see the module docstring)."""
        key = new_key() if key is None else validate_key(key)
        content_type = validate_content_type(content_type)
        user_metadata = validate_metadata(metadata)
        validate_max_bytes(max_bytes)
        path = self._path(key)
        try:
            writer = await asyncio.to_thread(_AtomicWriter, path, self._fsync)
        except OSError as exc:
            raise StorageError(f"cannot write blob {key!r}") from exc
        try:
            pending = bytearray()
            async for chunk in limited_chunks(data, max_bytes):
                if not pending and len(chunk) >= _FLUSH_AT:
                    await _in_thread(key, writer.write, chunk)
                    continue
                pending += chunk
                if len(pending) >= _FLUSH_AT:
                    block, pending = bytes(pending), bytearray()
                    await _in_thread(key, writer.write, block)
            if pending:
                await _in_thread(key, writer.write, bytes(pending))
            return await _in_thread(key, writer.commit, key, content_type, user_metadata)
        except BaseException:
            # Synchronous on purpose: it must run even when the task is being cancelled.
            writer.discard()
            raise

    async def open(self, key: str, *, chunk_size: int = DEFAULT_CHUNK_SIZE) -> AsyncIterator[bytes]:
        """Start reading the file; raises BlobNotFound here rather than mid-stream."""
        return await start_stream(self._chunks(key, self._path(key), chunk_size))

    async def _chunks(self, key: str, path: Path, chunk_size: int) -> AsyncGenerator[bytes, None]:
        try:
            file = await asyncio.to_thread(path.open, "rb")
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError) as exc:
            raise BlobNotFound(key) from exc
        except OSError as exc:
            raise StorageError(f"cannot read blob {key!r}") from exc
        try:
            while chunk := await asyncio.to_thread(file.read, chunk_size):
                yield chunk
        finally:
            file.close()

    async def stat(self, key: str) -> BlobInfo:
        """Size from the file itself; digest, content type and metadata from the sidecar."""
        path = self._path(key)
        try:
            return await asyncio.to_thread(_stat, key, path, self._sidecar(path))
        except (FileNotFoundError, NotADirectoryError) as exc:
            raise BlobNotFound(key) from exc
        except OSError as exc:
            raise StorageError(f"cannot stat blob {key!r}") from exc

    async def delete(self, key: str) -> None:
        """Remove the file, then its sidecar; a missing blob is fine."""
        path = self._path(key)
        try:
            await asyncio.to_thread(_unlink_blob, path, self._sidecar(path))
        except OSError as exc:
            raise StorageError(f"cannot delete blob {key!r}") from exc

    async def exists(self, key: str) -> bool:
        """Whether the blob file is there (a directory of nested keys does not count)."""
        return await asyncio.to_thread(self._path(key).is_file)

    async def list_blobs(self, prefix: str = "") -> AsyncIterator[BlobEntry]:
        """Walk the folder of `prefix`, one directory per thread hop; hidden files (sidecars,
        temp files) are not blobs."""
        prefix = validate_prefix(prefix)
        folder, _, _ = prefix.rpartition("/")
        pending = [self.root.joinpath(*folder.split("/")) if folder else self.root]
        while pending:
            directory = pending.pop()
            try:
                files, subdirectories = await asyncio.to_thread(_scan, directory)
            except OSError as exc:
                raise StorageError("cannot list blobs") from exc
            pending.extend(subdirectories)
            for path, status in files:
                key = path.relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    yield BlobEntry(
                        key=key,
                        size=status.st_size,
                        modified_at=datetime.fromtimestamp(status.st_mtime, UTC),
                    )

    async def discard_incomplete(self, *, older_than: float) -> int:
        """Remove `.*.tmp` files (a write killed between its temp file and its rename) whose
        last change is older than `older_than` seconds."""
        cutoff = time.time() - older_than
        try:
            return await asyncio.to_thread(_remove_stale_temp_files, self.root, cutoff)
        except OSError as exc:
            raise StorageError("cannot remove stale temp files") from exc

    async def health(self) -> str:
        """The root exists (created if needed) and is writable."""
        try:
            await asyncio.to_thread(self.root.mkdir, parents=True, exist_ok=True)
            writable = await asyncio.to_thread(os.access, self.root, os.W_OK | os.X_OK)
        except OSError as exc:
            raise StorageError("blob root unavailable") from exc
        if not writable:
            raise StorageError("blob root is not writable")
        return "ok"

    async def close(self) -> None:
        """Nothing to release: files are opened and closed per operation."""


async def _in_thread(key: str, function: Callable[..., _T], *args: Any) -> _T:
    """Run a write step in a thread; its OSError (not the upload source's) is a StorageError."""
    try:
        return await asyncio.to_thread(function, *args)
    except OSError as exc:
        raise StorageError(f"cannot write blob {key!r}") from exc


class _AtomicWriter:
    """One blob being written: a temp file beside the target, hashed as it fills (thread side)."""

    def __init__(self, path: Path, fsync: bool) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=_TEMP_SUFFIX)
        self.path = path
        self._tmp = Path(tmp)
        self._sidecar_tmp: Path | None = None
        self._file = os.fdopen(fd, "wb")
        self._fsync = fsync
        self._digest = hashlib.sha256()
        self._size = 0
        # discard() runs on the loop while a cancelled write may still run in its thread.
        self._lock = threading.Lock()

    def write(self, chunk: bytes) -> None:
        with self._lock:
            self._file.write(chunk)
            self._digest.update(chunk)
            self._size += len(chunk)

    def commit(self, key: str, content_type: str, metadata: dict[str, str]) -> BlobInfo:
        with self._lock:
            info = BlobInfo(
                key=key,
                size=self._size,
                sha256=self._digest.hexdigest(),
                content_type=content_type,
                metadata=metadata,
            )
            self._file.flush()
            if self._fsync:
                os.fsync(self._file.fileno())
            self._file.close()
            sidecar = LocalBlobStore._sidecar(self.path)
            fd, tmp = tempfile.mkstemp(
                dir=self.path.parent, prefix=f"{sidecar.name}.", suffix=_TEMP_SUFFIX
            )
            self._sidecar_tmp = Path(tmp)
            with os.fdopen(fd, "wb") as file:
                file.write(_sidecar_json(info))
                file.flush()
                if self._fsync:
                    os.fsync(file.fileno())
            os.replace(self._tmp, self.path)
            os.replace(self._sidecar_tmp, sidecar)
            if self._fsync:
                _fsync_dir(self.path.parent)
            return info

    def discard(self) -> None:
        with self._lock:
            self._file.close()
            for tmp in (self._tmp, self._sidecar_tmp):
                if tmp is not None:
                    with contextlib.suppress(FileNotFoundError):
                        tmp.unlink()


def _sidecar_json(info: BlobInfo) -> bytes:
    document = {
        "size": info.size,
        "sha256": info.sha256,
        "content_type": info.content_type,
        "metadata": info.metadata,
    }
    return json.dumps(document, ensure_ascii=False, sort_keys=True).encode()


def _stat(key: str, path: Path, sidecar: Path) -> BlobInfo:
    status = path.stat()
    if not stat.S_ISREG(status.st_mode):  # a directory of nested keys is not a blob
        raise FileNotFoundError(path)
    size = status.st_size
    try:
        document: dict[str, Any] = json.loads(sidecar.read_bytes())
    except (FileNotFoundError, ValueError):
        document = {}
    if document.get("size") != size:  # no sidecar, or one left from the previous content
        return BlobInfo(key=key, size=size, sha256="", content_type=_UNKNOWN_CONTENT_TYPE)
    return BlobInfo(
        key=key,
        size=size,
        sha256=str(document.get("sha256", "")),
        content_type=str(document.get("content_type") or _UNKNOWN_CONTENT_TYPE),
        metadata={str(k): str(v) for k, v in (document.get("metadata") or {}).items()},
    )


def _unlink_blob(path: Path, sidecar: Path) -> None:
    for file in (path, sidecar):
        # A directory here holds nested keys: it is not this blob, so there is nothing to delete.
        with contextlib.suppress(FileNotFoundError, NotADirectoryError, IsADirectoryError):
            file.unlink()


def _scan(directory: Path) -> tuple[list[tuple[Path, os.stat_result]], list[Path]]:
    """The visible regular files of one directory (with their status) and its subdirectories."""
    files: list[tuple[Path, os.stat_result]] = []
    subdirectories: list[Path] = []
    try:
        entries = list(os.scandir(directory))
    except (FileNotFoundError, NotADirectoryError):
        return files, subdirectories
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                subdirectories.append(Path(entry.path))
            elif entry.is_file(follow_symlinks=False):
                files.append((Path(entry.path), entry.stat(follow_symlinks=False)))
        except FileNotFoundError:  # deleted while we looked
            continue
    return files, subdirectories


def _remove_stale_temp_files(root: Path, cutoff: float) -> int:
    removed = 0
    if not root.is_dir():
        return removed
    for directory, subdirectories, names in os.walk(root):
        subdirectories[:] = [name for name in subdirectories if not name.startswith(".")]
        for name in names:
            if not (name.startswith(".") and name.endswith(_TEMP_SUFFIX)):
                continue
            path = Path(directory, name)
            with contextlib.suppress(FileNotFoundError):
                if path.lstat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
    return removed


def _fsync_dir(directory: Path) -> None:
    """Make the renames durable; some platforms cannot open a directory, which is fine there."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
