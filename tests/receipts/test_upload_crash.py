"""kill -9 of the API in the middle of an upload: nothing is left half done. Before the commit
only the blob remains (the sweeper removes it); after it, the receipt and its QUEUED job exist
together and recovery delivers the job. Real processes (see crash_upload.py)."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import sys
from pathlib import Path
from typing import Any

import pytest

from server.files.services import get_blob_store
from server.files.sweeper import UPLOADS_PREFIX, sweep
from server.jobs import recovery
from server.jobs.models import Job, JobStatus
from server.receipts.extraction_job import EXTRACT_RECEIPT
from server.receipts.models import READ_STATUSES, Receipt
from tests.conftest import REPO_ROOT
from tests.factories import make_user
from tests.files.uploads import text_image
from tests.jobs.conftest import wait_for


async def _killed_upload(database_url: str, tmp_path: Path, account: Any, point: str) -> None:
    image = tmp_path / "receipt.png"
    image.write_bytes(text_image(["BOULANGERIE", secrets.token_hex(4), "TOTAL 4,80 EUR"]))
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.receipts.crash_upload",
        str(account.user.id),
        str(image),
        point,
        cwd=REPO_ROOT,
        env={**os.environ, "DATABASE_URL": database_url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == -signal.SIGKILL, stderr.decode()


async def _upload_keys() -> set[str]:
    return {entry.key async for entry in get_blob_store().list_blobs(UPLOADS_PREFIX)}


async def test_killed_before_the_commit_leaves_only_a_blob_that_the_sweeper_removes(
    app, database_url, tmp_path
):
    # given
    account = await make_user()
    before = await _upload_keys()
    # when: the process dies while writing the job row, in the receipt's transaction
    await _killed_upload(database_url, tmp_path, account, "job-row")
    left = await _upload_keys() - before
    # then: no receipt, no job; only the blob, which is nobody's
    assert not await Receipt.filter(owner_id=account.user.id).exists()
    assert not await Job.filter(owner_id=account.user.id).exists()
    assert len(left) == 1
    # when: the sweeper runs past the grace period
    swept = await sweep(orphan_grace=0, export_retention=None)
    # then
    assert swept.orphan_blobs >= 1
    assert not left & await _upload_keys()


@pytest.mark.slow
async def test_killed_before_the_enqueue_leaves_a_queued_job_that_recovery_delivers(
    app, database_url, tmp_path
):
    # given: the process dies after the commit, before the job reached the queue
    account = await make_user()
    await _killed_upload(database_url, tmp_path, account, "enqueue")
    receipt = await Receipt.get(owner_id=account.user.id)
    job = await Job.get(owner_id=account.user.id)
    assert receipt.job_id == job.id  # type: ignore[attr-defined]
    assert (receipt.status.value, job.status) == ("PROCESSING", JobStatus.QUEUED)
    # when: periodic recovery and reconciliation run (here, at once)
    found = await recovery.recover_jobs(kinds=[EXTRACT_RECEIPT], queued_for=0)
    await wait_for(job.id, JobStatus.SUCCEEDED, JobStatus.FAILED, within=120)
    await recovery.reconcile_documents()
    # then: the receipt was read, by its own job
    done = await Job.get(id=job.id)
    read = await Receipt.get(id=receipt.id)
    assert found.enqueued >= 1
    assert (done.status, done.attempts) == (JobStatus.SUCCEEDED, 1)
    assert read.status in READ_STATUSES
    assert done.result["status"] == read.status.value
