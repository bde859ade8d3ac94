"""Named blob stores: one per purpose, each configured by its own URL (STORAGE_<PURPOSE>_URL,
falling back to STORAGE_URL), so one deployment can keep uploads on the local disk and the
archive in S3.

- `originals`  uploads as clients sent them (receipt photos, scans), under `uploads/`
- `generated`  reports and exports the service writes, under `generated/` (and the older
               `exports/`)
- `temporary`  short-lived blobs under `temporary/`, removed by the sweeper after
               STORAGE_TEMPORARY_TTL_SECONDS whatever their row says
- `archive`    documents kept for the long term, under `archive/`

Every purpose writes under its own key prefix, so purposes that share one physical store (the
default: all on STORAGE_URL) never step on each other, and the sweeper can tell them apart.
Purposes naming the same URL share one store object (one client, one connection pool).
A file row records the purpose whose store holds its blob (`StoredFile.store`).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from server.settings import Settings
from server.storage import BlobStore, open_blob_store


class StorePurpose(StrEnum):
    ORIGINALS = "originals"
    GENERATED = "generated"
    TEMPORARY = "temporary"
    ARCHIVE = "archive"


# The key prefix each purpose writes under (see the module docstring).
KEY_PREFIXES: dict[StorePurpose, str] = {
    StorePurpose.ORIGINALS: "uploads/",
    StorePurpose.GENERATED: "generated/",
    StorePurpose.TEMPORARY: "temporary/",
    StorePurpose.ARCHIVE: "archive/",
}
# Written before purposes existed (receipts' CSV exports), still swept.
LEGACY_PREFIXES = ("exports/",)


class BlobStores:
    """The stores of one process, opened lazily (no I/O until a store is first used)."""

    def __init__(self, urls: dict[StorePurpose, str], *, base_dir: str | Path = ".") -> None:
        missing = set(StorePurpose) - set(urls)
        if missing:
            raise ValueError(f"no storage URL for {sorted(missing)}")
        self._urls = dict(urls)
        self._base_dir = base_dir
        self._by_url: dict[str, BlobStore] = {}
        self._overrides: dict[StorePurpose, BlobStore] = {}

    @classmethod
    def from_settings(cls, settings: Settings, *, base_dir: str | Path = ".") -> BlobStores:
        """`STORAGE_<PURPOSE>_URL` for each purpose, else `STORAGE_URL`."""
        return cls(
            {
                purpose: getattr(settings, f"storage_{purpose.value}_url") or settings.storage_url
                for purpose in StorePurpose
            },
            base_dir=base_dir,
        )

    def get(self, purpose: StorePurpose | str) -> BlobStore:
        """The store for `purpose`. Raises ValueError for an unknown purpose or a bad URL."""
        purpose = StorePurpose(purpose)
        override = self._overrides.get(purpose)
        if override is not None:
            return override
        url = self._urls[purpose]
        store = self._by_url.get(url)
        if store is None:
            store = self._by_url[url] = open_blob_store(url, base_dir=self._base_dir)
        return store

    def replace(self, store: BlobStore | None, purpose: StorePurpose | str | None = None) -> None:
        """Use `store` for `purpose` (None: every purpose); `store=None` undoes it (tests)."""
        purposes = list(StorePurpose) if purpose is None else [StorePurpose(purpose)]
        for each in purposes:
            if store is None:
                self._overrides.pop(each, None)
            else:
                self._overrides[each] = store

    def distinct(self) -> list[tuple[BlobStore, list[StorePurpose]]]:
        """Each physical store once, with the purposes it serves (the sweeper lists each store
        once even when several purposes share it)."""
        found: dict[int, tuple[BlobStore, list[StorePurpose]]] = {}
        for purpose in StorePurpose:
            store = self.get(purpose)
            found.setdefault(id(store), (store, []))[1].append(purpose)
        return list(found.values())

    async def health(self) -> str:
        """ "ok" when every store answers; raises the first store's StorageError otherwise."""
        for store, _ in self.distinct():
            await store.health()
        return "ok"

    async def close(self) -> None:
        """Close the stores this object opened (not the ones given to `replace`)."""
        stores, self._by_url = list(self._by_url.values()), {}
        for store in stores:
            await store.close()
