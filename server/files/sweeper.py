"""The sweeper: what crashes and time leave in the blob stores goes away on its own.

- Expired files: a row whose `expires_at` has passed (generated reports and exports, see
  `store_generated_file`) is deleted, row then blob. Exports written before rows had an expiry
  (`exports/...`, `expires_at` empty) go once older than EXPORT_RETENTION_SECONDS.
- Temporary blobs: everything under `temporary/` in the `temporary` store older than
  STORAGE_TEMPORARY_TTL_SECONDS is deleted, with any row still pointing at it, whatever that
  row's expiry says: the TTL is the store's promise.
- Orphan blobs: a blob is written before the row that references it (`write_upload`,
  `store_generated_file`), so a process killed in between leaves a blob no `StoredFile` row
  points at. Under the prefixes the application writes (`SWEPT_PREFIXES`), such a blob older
  than ORPHAN_GRACE_SECONDS is deleted; the grace covers uploads whose row is still being
  written. Every blob under those prefixes must therefore have a `files` row: a domain that
  stores blobs another way uses its own prefix.
- Incomplete writes: temp files of the local store, pending S3 multipart uploads, orphan GridFS
  chunks, past the same grace (`BlobStore.discard_incomplete`).

Each physical store is swept once, even when several purposes share it. It runs as the
scheduled task `sweep-blobs` (server/scheduler.py). Two sweeps at once would still be safe:
every deletion is idempotent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.expressions import Q

from server.files.models import StoredFile
from server.files.services import blob_stores, delete_file
from server.files.stores import KEY_PREFIXES, LEGACY_PREFIXES, BlobStores, StorePurpose
from server.settings import Settings
from server.storage import BlobStore, StorageError

log = logging.getLogger("scanbase.files")

UPLOADS_PREFIX = KEY_PREFIXES[StorePurpose.ORIGINALS]
EXPORTS_PREFIX = LEGACY_PREFIXES[0]
TEMPORARY_PREFIX = KEY_PREFIXES[StorePurpose.TEMPORARY]
SWEPT_PREFIXES = (*KEY_PREFIXES.values(), *LEGACY_PREFIXES)
BATCH = 500


@dataclass
class Sweep:
    orphan_blobs: int = 0
    incomplete_writes: int = 0
    expired_files: int = 0
    expired_temporary: int = 0


async def sweep(
    *,
    orphan_grace: float,
    export_retention: float | None,
    temporary_ttl: float | None = None,
    stores: BlobStores | None = None,
    store: BlobStore | None = None,
    now: datetime | None = None,
) -> Sweep:
    """One pass over every store. `export_retention=None` keeps legacy exports;
    `temporary_ttl=None` keeps temporary blobs; `store`: one store standing for every purpose.
    Raises StorageError when a store cannot be listed (a blob that cannot be deleted is logged
    and left for the next pass)."""
    now = now or datetime.now(UTC)
    if store is not None:
        physical: list[tuple[BlobStore, list[StorePurpose]]] = [(store, list(StorePurpose))]
        store_of: Callable[[str], BlobStore] = lambda purpose: store  # noqa: E731
    else:
        stores = stores or blob_stores()
        physical = stores.distinct()
        store_of = stores.get
    report = Sweep()
    report.expired_files = await _expire_files(store_of, now, export_retention)
    if temporary_ttl is not None:
        report.expired_temporary = await _expire_temporary(
            store_of(StorePurpose.TEMPORARY), now - timedelta(seconds=temporary_ttl)
        )
    cutoff = now - timedelta(seconds=orphan_grace)
    for each, _ in physical:
        for prefix in SWEPT_PREFIXES:
            batch: list[str] = []
            async for entry in each.list_blobs(prefix):
                if entry.modified_at < cutoff:
                    batch.append(entry.key)
                if len(batch) >= BATCH:
                    report.orphan_blobs += await _delete_orphans(each, batch)
                    batch = []
            if batch:
                report.orphan_blobs += await _delete_orphans(each, batch)
        report.incomplete_writes += await each.discard_incomplete(older_than=orphan_grace)
    if any(vars(report).values()):
        log.info("sweep: %s", report)
    return report


async def sweep_blobs(settings: Settings) -> Sweep:
    """The scheduled task: `sweep` with the configured grace, retention and TTL."""
    return await sweep(
        orphan_grace=settings.orphan_grace_seconds,
        export_retention=settings.export_retention_seconds,
        temporary_ttl=settings.storage_temporary_ttl_seconds,
    )


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


async def _expire_files(
    store_of: Callable[[str], BlobStore], now: datetime, export_retention: float | None
) -> int:
    expired_rule = Q(expires_at__lte=now)
    if export_retention is not None:
        legacy_before = now - timedelta(seconds=export_retention)
        expired_rule |= Q(
            expires_at__isnull=True,
            blob_key__startswith=EXPORTS_PREFIX,
            created_at__lt=legacy_before,
        )
    expired = 0
    while True:
        files = await StoredFile.filter(expired_rule).order_by("id").limit(BATCH)
        for file in files:
            try:
                await delete_file(file=file, store=store_of(file.store))
            except StorageError:  # the row is gone: the orphan pass removes the blob later
                log.warning("could not delete expired blob %r", file.blob_key, exc_info=True)
        expired += len(files)
        if len(files) < BATCH:
            return expired


async def _expire_temporary(store: BlobStore, before: datetime) -> int:
    """Temporary blobs older than the TTL go, rows first (a row must not outlive its blob)."""
    expired = 0
    batch: list[str] = []

    async def flush() -> None:
        nonlocal expired
        await StoredFile.filter(store=StorePurpose.TEMPORARY.value, blob_key__in=batch).delete()
        for key in batch:
            try:
                await store.delete(key)
            except StorageError:
                log.warning("could not delete temporary blob %r", key, exc_info=True)
                continue
            expired += 1
        batch.clear()

    async for entry in store.list_blobs(TEMPORARY_PREFIX):
        if entry.modified_at < before:
            batch.append(entry.key)
        if len(batch) >= BATCH:
            await flush()
    if batch:
        await flush()
    return expired
