"""The sweeper removes what crashes and time leave behind: blobs no row references (past the
grace period), stale temp files of interrupted writes, and expired exports; nothing else.
(Generated and temporary files: tests/files/test_generated_files.py.)"""

from __future__ import annotations

import os
import secrets
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from server.accounts.models import User
from server.files.models import StoredFile
from server.files.services import get_blob_store
from server.files.sweeper import sweep
from server.receipts.export import export_receipts
from server.settings import get_settings
from server.storage.local import LocalBlobStore
from tests.factories import make_user
from tests.receipts.factories import make_receipt

HOUR = 3600.0
DAY = 24 * HOUR


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


async def _file_row(owner: User, key: str) -> StoredFile:
    return await StoredFile.create(
        owner=owner,
        blob_key=key,
        sha256="0" * 64,
        size=1,
        content_type="image/png",
        filename="x.png",
    )


async def test_orphan_blobs_and_stale_temp_files_go_after_the_grace_period(app, tmp_path):
    # given: a store holding, all two hours old unless said otherwise...
    store = LocalBlobStore(tmp_path / "blobs", fsync=False)
    account = await make_user()
    tag = secrets.token_hex(4)
    keys = {
        "orphan": f"uploads/orphan-{tag}",  # left by a process killed before its row committed
        "referenced": f"uploads/kept-{tag}",  # a file row points at it
        "young": f"uploads/young-{tag}",  # an upload whose row is being written right now
        "foreign": f"elsewhere/{tag}",  # not under a prefix the application sweeps
    }
    for key in keys.values():
        await store.put(b"x", content_type="image/png", key=key)
        if key != keys["young"]:
            _age(store._path(key), 2 * HOUR)
    await _file_row(account.user, keys["referenced"])
    stale_tmp = store.root / "uploads" / f".orphan-{tag}.abc123.tmp"  # a write killed mid-way
    fresh_tmp = store.root / "uploads" / f".young-{tag}.def456.tmp"  # a write in progress
    for path in (stale_tmp, fresh_tmp):
        path.write_bytes(b"partial")
    _age(stale_tmp, 2 * HOUR)
    # when
    swept = await sweep(store=store, orphan_grace=HOUR, export_retention=None)
    again = await sweep(store=store, orphan_grace=HOUR, export_retention=None)
    # then
    remaining = {entry.key async for entry in store.list_blobs()}
    assert remaining == {keys["referenced"], keys["young"], keys["foreign"]}
    assert (swept.orphan_blobs, swept.incomplete_writes) == (1, 1)
    assert (again.orphan_blobs, again.incomplete_writes) == (0, 0)
    assert not stale_tmp.exists() and fresh_tmp.exists()
    assert not store._sidecar(store._path(keys["orphan"])).exists()


async def test_exports_expire_after_the_retention_period(app):
    # given: two exports, the first one past its expiry
    account = await make_user()
    await make_receipt(account, total="12.00")
    old = await export_receipts(owner=account.user, actor=account.user)
    new = await export_receipts(owner=account.user, actor=account.user)
    retention = timedelta(seconds=get_settings().export_retention_seconds)
    assert (old.store, new.store) == ("generated", "generated")
    assert old.expires_at is not None
    assert retention - timedelta(seconds=1) <= old.expires_at - old.created_at <= retention
    await StoredFile.filter(id=old.id).update(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    store = get_blob_store("generated")
    assert await store.exists(old.blob_key) and await store.exists(new.blob_key)
    # when
    swept = await sweep(orphan_grace=HOUR, export_retention=DAY)
    # then: the old one's row and blob are gone, the recent one is untouched
    assert swept.expired_files >= 1
    assert not await StoredFile.exists(id=old.id)
    assert not await store.exists(old.blob_key)
    assert await StoredFile.exists(id=new.id)
    assert await store.exists(new.blob_key)


async def test_exports_from_before_expiries_go_after_the_retention_period(app):
    # given: exports written before rows had an expiry, one of them two days old
    account = await make_user()
    store = get_blob_store()
    tag = secrets.token_hex(4)
    rows = {}
    for name in ("old", "recent"):
        key = f"exports/{name}-{tag}"
        await store.put(b"csv", content_type="text/csv", key=key)
        rows[name] = await _file_row(account.user, key)
    await StoredFile.filter(id=rows["old"].id).update(
        created_at=datetime.now(UTC) - timedelta(days=2)
    )
    # when
    await sweep(orphan_grace=HOUR, export_retention=DAY)
    # then
    assert not await StoredFile.exists(id=rows["old"].id)
    assert not await store.exists(rows["old"].blob_key)
    assert await StoredFile.exists(id=rows["recent"].id)
    assert await store.exists(rows["recent"].blob_key)


async def test_the_scheduled_sweep_uses_the_configured_grace_retention_and_ttl(monkeypatch):
    # given: a sweep that records its arguments
    from server.files import sweeper

    calls: list[dict[str, float | None]] = []

    async def recording(**kwargs: float | None) -> None:
        calls.append(kwargs)

    monkeypatch.setattr(sweeper, "sweep", recording)
    settings = get_settings().model_copy(
        update={
            "orphan_grace_seconds": 120.0,
            "export_retention_seconds": 7200.0,
            "storage_temporary_ttl_seconds": 900.0,
        }
    )
    # when: the periodic task named in the declaration runs
    from server.scheduler import periodic_tasks

    task = next(t for t in periodic_tasks(settings) if t.name == "sweep-blobs")
    await task.run(settings)
    # then
    assert calls == [{"orphan_grace": 120.0, "export_retention": 7200.0, "temporary_ttl": 900.0}]
