"""The sweeper: what crashes and time leave in the blob store goes away on its own.

- Orphan blobs: a blob is written before the row that references it (`write_upload`, exports),
  so a process killed in between leaves a blob no `StoredFile` row points at. Under the prefixes
  the application writes (`SWEPT_PREFIXES`), such a blob older than ORPHAN_GRACE_SECONDS is
  deleted; the grace covers uploads whose row is still being written. Every blob under those
  prefixes must therefore have a `files` row: a domain that stores blobs another way uses its
  own prefix.
- Incomplete writes: temp files of the local store, pending S3 multipart uploads, orphan GridFS
  chunks, past the same grace (`BlobStore.discard_incomplete`).
- Expired exports: CSV exports (`exports/...`) are deleted, row then blob, once older than
  EXPORT_RETENTION_SECONDS; their download links last minutes, not days.

It runs in the process that recovers jobs (the API in in-process mode, the arq worker otherwise),
every SWEEP_INTERVAL_SECONDS (see `server.jobs.runtime`). Several replicas sweeping at once is
safe: every deletion is idempotent.
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from server.files.models import StoredFile
from server.files.services import delete_file, get_blob_store
from server.settings import Settings
from server.storage import BlobStore, StorageError

log = logging.getLogger("scanbase.files")

UPLOADS_PREFIX = "uploads/"
EXPORTS_PREFIX = "exports/"
SWEPT_PREFIXES = (UPLOADS_PREFIX, EXPORTS_PREFIX)
BATCH = 500


@dataclass
class Sweep:
    orphan_blobs: int = 0
    incomplete_writes: int = 0
    expired_exports: int = 0


async def sweep(
    *,
    orphan_grace: float,
    export_retention: float | None,
    store: BlobStore | None = None,
    now: datetime | None = None,
) -> Sweep:
    """One pass; `export_retention=None` keeps every export. Raises StorageError when the store
    cannot be listed (a blob that cannot be deleted is logged and left for the next pass)."""
    store = store or get_blob_store()
    now = now or datetime.now(UTC)
    report = Sweep()
    if export_retention is not None:
        report.expired_exports = await _expire_exports(
            store, now - timedelta(seconds=export_retention)
        )
    cutoff = now - timedelta(seconds=orphan_grace)
    for prefix in SWEPT_PREFIXES:
        batch: list[str] = []
        async for entry in store.list_blobs(prefix):
            if entry.modified_at < cutoff:
                batch.append(entry.key)
            if len(batch) >= BATCH:
                report.orphan_blobs += await _delete_orphans(store, batch)
                batch = []
        if batch:
            report.orphan_blobs += await _delete_orphans(store, batch)
    report.incomplete_writes = await store.discard_incomplete(older_than=orphan_grace)
    if report.orphan_blobs or report.incomplete_writes or report.expired_exports:
        log.info("sweep: %s", report)
    return report


async def _delete_orphans(store: BlobStore, keys: list[str]) -> int:
    referenced = set(await StoredFile.filter(blob_key__in=keys).values_list("blob_key", flat=True))
    deleted = 0
    for key in keys:
        if key in referenced:
            continue
        # A row written since the listing (an upload finishing now) keeps its blob.
        if await StoredFile.exists(blob_key=key):
            continue
        try:
            await store.delete(key)
        except StorageError:  # InvalidKey included: a key we never wrote
            log.warning("could not delete orphan blob %r", key, exc_info=True)
            continue
        deleted += 1
    return deleted


async def _expire_exports(store: BlobStore, before: datetime) -> int:
    expired = 0
    while True:
        files = await StoredFile.filter(
            blob_key__startswith=EXPORTS_PREFIX, created_at__lt=before
        ).limit(BATCH)
        for file in files:
            try:
                await delete_file(file=file, store=store)
            except StorageError:  # the row is gone: the orphan pass removes the blob later
                log.warning("could not delete export blob %r", file.blob_key, exc_info=True)
        expired += len(files)
        if len(files) < BATCH:
            return expired


async def sweep_loop(settings: Settings) -> None:
    """`sweep` every ~SWEEP_INTERVAL_SECONDS (jittered so replicas spread out), for ever."""
    interval = settings.sweep_interval_seconds
    while True:
        await asyncio.sleep(interval * random.uniform(0.8, 1.2))
        try:
            await sweep(
                orphan_grace=settings.orphan_grace_seconds,
                export_retention=settings.export_retention_seconds,
            )
        except Exception:
            log.warning("sweep failed; will try again", exc_info=True)
