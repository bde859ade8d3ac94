"""The extraction job is idempotent: run twice (retried, delivered twice, or concurrently) it
writes the receipt once and awards once; the ledger's unique constraint backs that up.

A receipt's state follows its job's: however the job ends (a lost worker, a timeout, a cancel
while still queued), the receipt leaves PROCESSING in the same transaction, and the periodic
reconciler repairs receipts whose job ended elsewhere or never existed."""

from __future__ import annotations

import asyncio
import io
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from starlette.datastructures import UploadFile
from tortoise.exceptions import IntegrityError

from server.documents import job as document_job
from server.jobs import recovery
from server.jobs import services as jobs
from server.jobs.models import Job, JobStatus
from server.jobs.running import run_job
from server.jobs.services import create_job
from server.receipts.deletion import delete_receipt
from server.receipts.extraction_job import EXTRACT_RECEIPT, run_extract_receipt
from server.receipts.extraction_record import record_extraction
from server.receipts.models import (
    LoyaltyEntry,
    LoyaltyReason,
    Receipt,
    ReceiptItem,
    ReceiptStatus,
)
from server.receipts.upload import upload_receipt
from server.settings import get_settings
from tests.factories import make_user
from tests.files.uploads import text_image
from tests.jobs.conftest import wait_for
from tests.receipts.factories import (
    Item,
    extraction,
    make_receipt,
    processing_receipt,
    stored_file,
)


async def _report(progress: float, stage: str, message: str | None = None) -> None:
    return None


async def test_the_job_handler_run_twice_awards_once(held_jobs):
    # given: an uploaded receipt and its job (held, so that the test runs the handler itself)
    account = await make_user()
    receipt = await processing_receipt(account)
    receipt.file = await stored_file(
        account, text_image(["SUPER U", "TOTAL 12,50 EUR"], size=(600, 200))
    )
    await receipt.save(update_fields=["file_id"])
    job = await create_job(
        owner=account.user,
        kind=EXTRACT_RECEIPT,
        payload={"receipt_id": str(receipt.id), "engine": "rapidocr"},
    )
    # when: the handler runs, then runs again (a retry after a lost acknowledgement)
    first = await run_extract_receipt(job, _report)
    second = await run_extract_receipt(job, _report)
    # then
    assert first == second
    assert first["status"] in ("EXTRACTED", "NEEDS_REVIEW")
    entries = await LoyaltyEntry.filter(receipt_id=receipt.id)
    assert [(e.reason, e.sequence) for e in entries] == [(LoyaltyReason.AWARD, 0)]
    assert first["points"] == entries[0].points >= 10


async def test_a_finished_job_delivered_again_does_nothing(held_jobs):
    account = await make_user()
    receipt = await make_receipt(account, total="30.00", items=[Item("PAIN", "30.00")])
    job = await create_job(
        owner=account.user,
        kind=EXTRACT_RECEIPT,
        payload={"receipt_id": str(receipt.id)},
    )
    await held_jobs.release()
    done = await wait_for(job.id, JobStatus.SUCCEEDED, JobStatus.FAILED, within=30)
    assert done.status == JobStatus.SUCCEEDED and done.result["points"] == 13
    # a duplicate delivery of the same attempt claims nothing
    await run_job(str(job.id), 0)
    assert (await Job.get(id=job.id)).attempts == 1
    assert await LoyaltyEntry.filter(receipt_id=receipt.id).count() == 1
    assert await ReceiptItem.filter(receipt_id=receipt.id).count() == 1


async def test_concurrent_writes_of_one_extraction_award_once(app):
    # given
    account = await make_user()
    receipt = await processing_receipt(account)
    read = extraction(total="42.00", items=[Item("A", "20.00"), Item("B", "22.00")])
    # when: three attempts finish at the same time
    results = await asyncio.gather(
        *[
            record_extraction(receipt_id=receipt.id, extraction=read, engine="test")
            for _ in range(3)
        ]
    )
    # then: one wrote, the others found it done
    assert {r.status if r is not None else None for r in results} == {ReceiptStatus.EXTRACTED}
    assert await ReceiptItem.filter(receipt_id=receipt.id).count() == 2
    entries = await LoyaltyEntry.filter(receipt_id=receipt.id)
    assert [(e.reason, e.points) for e in entries] == [(LoyaltyReason.AWARD, 14)]


async def test_the_ledger_refuses_a_second_entry_with_the_same_sequence(app):
    account = await make_user()
    receipt = await make_receipt(account, total="10.00")
    entry = await LoyaltyEntry.get(receipt_id=receipt.id)
    with pytest.raises(IntegrityError):
        await LoyaltyEntry.create(
            user_id=account.user.id,
            receipt_id=receipt.id,
            sequence=entry.sequence,
            reason=LoyaltyReason.AWARD,
            points=entry.points,
            rules_version=entry.rules_version,
        )
    assert await LoyaltyEntry.filter(receipt_id=receipt.id).count() == 1


async def test_a_receipt_deleted_while_processing_is_not_written(app):
    account = await make_user()
    receipt = await processing_receipt(account)
    await delete_receipt(receipt_id=receipt.id, owner=account.user)
    result = await record_extraction(
        receipt_id=receipt.id, extraction=extraction(total="50.00"), engine="test"
    )
    assert result is not None and result.deleted_at is not None
    assert result.status == ReceiptStatus.PROCESSING
    assert not await LoyaltyEntry.filter(receipt_id=receipt.id).exists()


# --- the receipt's state follows its job's -----------------------------------------------------


async def _uploaded(account: Any) -> tuple[Receipt, Job]:
    """A receipt uploaded through the service (its job held by `held_jobs`)."""
    image = text_image(["CAFE DU COIN", secrets.token_hex(4), "TOTAL 3,40 EUR"], size=(600, 240))
    upload = UploadFile(file=io.BytesIO(image), filename="receipt.png")
    return await upload_receipt(owner=account.user, upload=upload)


async def _states(receipt: Receipt) -> tuple[Any, ...]:
    fresh = await Receipt.get(id=receipt.id)
    job = await Job.get(id=fresh.job_id)  # type: ignore[attr-defined]
    return (fresh.status, fresh.error_code, job.status, job.error_code)


async def test_an_upload_commits_the_receipt_with_its_job(held_jobs):
    account = await make_user()
    receipt, job = await _uploaded(account)
    stored = await Receipt.get(id=receipt.id)
    assert stored.job_id == job.id  # type: ignore[attr-defined]
    assert job.payload["receipt_id"] == str(receipt.id)
    assert (stored.status, job.status) == (ReceiptStatus.PROCESSING, JobStatus.QUEUED)
    assert [held[0] for held in held_jobs.held] == [job.id]


async def test_cancelling_a_queued_extraction_fails_the_receipt_with_it(held_jobs):
    # given: an extraction that has not started (its handler will never run)
    account = await make_user()
    receipt, job = await _uploaded(account)
    # when
    await jobs.cancel_job(job_id=job.id, owner=account.user)
    # then: both ended in the same write, nothing left PROCESSING
    assert await _states(receipt) == (
        ReceiptStatus.FAILED,
        "CANCELLED",
        JobStatus.CANCELLED,
        None,
    )


async def test_a_lost_worker_on_the_last_attempt_fails_the_receipt(held_jobs):
    # given: the worker running the last attempt died an hour ago
    account = await make_user()
    receipt, job = await _uploaded(account)
    long_ago = datetime.now(UTC) - timedelta(hours=1)
    await Job.filter(id=job.id).update(
        status=JobStatus.RUNNING,
        attempts=job.max_attempts,
        started_at=long_ago,
        heartbeat_at=long_ago,
    )
    # when (the session's own recovery loop may get there first: the outcome is the same)
    await recovery.recover_jobs(kinds=[EXTRACT_RECEIPT], queued_for=None)
    # then
    assert await _states(receipt) == (
        ReceiptStatus.FAILED,
        "WORKER_LOST",
        JobStatus.FAILED,
        "WORKER_LOST",
    )


async def test_a_timed_out_extraction_fails_the_receipt(held_jobs, monkeypatch):
    # given: OCR that never returns, one attempt, a short timeout
    async def never(*args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(3600)

    monkeypatch.setattr(document_job, "run_ocr_with_progress", never)
    monkeypatch.setattr(get_settings(), "job_max_tries", 1)
    monkeypatch.setattr(get_settings(), "job_timeout_seconds", 0.2)
    account = await make_user()
    receipt, job = await _uploaded(account)
    # when: the runner cancels the handler (asyncio.CancelledError inside it) and records TIMEOUT
    await held_jobs.release()
    await wait_for(job.id, JobStatus.FAILED)
    # then
    states = await _states(receipt)
    assert states == (ReceiptStatus.FAILED, "TIMEOUT", JobStatus.FAILED, "TIMEOUT")


async def test_the_reconciler_fails_receipts_whose_job_ended_elsewhere_or_never_existed(
    held_jobs,
):
    # given: a receipt whose job was ended without its hook (by an older release, by hand)
    account = await make_user()
    ended, ended_job = await _uploaded(account)
    await Job.filter(id=ended_job.id).update(
        status=JobStatus.FAILED, error_code="TIMEOUT", error_message="Too slow."
    )
    # a receipt left without a job long ago, and one just created (an upload in flight)
    orphan = await processing_receipt(account)
    await Receipt.filter(id=orphan.id).update(created_at=datetime.now(UTC) - timedelta(hours=1))
    fresh = await processing_receipt(account)
    # and one whose job is still queued
    waiting, _ = await _uploaded(account)
    # when (the session's recovery loop runs the same reconciler, and may get there first)
    await recovery.reconcile_documents()
    again = await recovery.reconcile_documents()
    # then: repaired once, and nothing left to repair
    assert again["receipts.extract"] == 0
    rows = {r.id: r for r in await Receipt.filter(owner_id=account.user.id)}
    assert (rows[ended.id].status, rows[ended.id].error_code, rows[ended.id].error_message) == (
        ReceiptStatus.FAILED,
        "TIMEOUT",
        "Too slow.",
    )
    assert (rows[orphan.id].status, rows[orphan.id].error_code) == (
        ReceiptStatus.FAILED,
        "EXTRACTION_LOST",
    )
    assert rows[fresh.id].status == ReceiptStatus.PROCESSING
    assert rows[waiting.id].status == ReceiptStatus.PROCESSING
