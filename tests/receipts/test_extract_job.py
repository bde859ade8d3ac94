"""The extraction job is idempotent: run twice (retried, delivered twice, or concurrently) it
writes the receipt once and awards once; the ledger's unique constraint backs that up."""

from __future__ import annotations

import asyncio

import pytest
from tortoise.exceptions import IntegrityError

from server.jobs.models import Job, JobStatus
from server.jobs.services import create_job, run_job
from server.receipts import services
from server.receipts.models import LoyaltyEntry, LoyaltyReason, ReceiptItem, ReceiptStatus
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
        kind=services.EXTRACT_RECEIPT,
        payload={"receipt_id": str(receipt.id), "engine": "rapidocr"},
    )
    # when: the handler runs, then runs again (a retry after a lost acknowledgement)
    first = await services.run_extract_receipt(job, _report)
    second = await services.run_extract_receipt(job, _report)
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
        kind=services.EXTRACT_RECEIPT,
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
            services.record_extraction(receipt_id=receipt.id, extraction=read, engine="test")
            for _ in range(3)
        ]
    )
    # then: one wrote, the others found it done
    assert {r.status for r in results} == {ReceiptStatus.EXTRACTED}
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
    await services.delete_receipt(receipt_id=receipt.id, owner=account.user)
    result = await services.record_extraction(
        receipt_id=receipt.id, extraction=extraction(total="50.00"), engine="test"
    )
    assert result is not None and result.deleted_at is not None
    assert result.status == ReceiptStatus.PROCESSING
    assert not await LoyaltyEntry.filter(receipt_id=receipt.id).exists()
