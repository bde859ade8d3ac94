"""A photo holding several receipts: the upload reads its first paper, and each other paper
becomes a receipt of its own (same owner, its crop as its file, `sourceReceipt`,
`paperIndex`), written in one transaction with the upload's, so a retried or duplicated job
never makes a paper twice and every receipt earns its points once."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

import pytest

from schema.core.relay import global_id, parse_global_id
from schema.jobs.types import public_result
from server.documents.job import Part, ReadPart
from server.documents.types import OcrLine, OcrPage, OcrResult
from server.files.models import StoredFile
from server.files.services import get_blob_store
from server.jobs.models import Job, JobStatus
from server.jobs.services import create_job
from server.receipts.extraction_job import (
    EXTRACT_RECEIPT,
    RECEIPT_AREA,
    job_result,
    run_extract_receipt,
)
from server.receipts.extraction_record import PaperRead, record_papers
from server.receipts.models import LoyaltyEntry, LoyaltyReason, Receipt, ReceiptStatus
from tests.conftest import data_of
from tests.factories import make_user
from tests.jobs.conftest import wait_for
from tests.receipts.factories import extraction, processing_receipt, upload_receipt

MULTI = Path(__file__).resolve().parents[1] / "data" / "receipts-fr" / "multi"

RECEIPT = """
query R($id: ID!) {
  receipt(id: $id) {
    id store total paperIndex points
    file { contentType }
    sourceReceipt { id }
    siblings { id paperIndex total sourceReceipt { id } }
  }
}"""
JOB = "query J($id: ID!) { job(id: $id) { status result } }"


def _papers(*totals: str) -> list[PaperRead]:
    return [
        PaperRead(
            index=k,
            where={"index": k, "corners": [[0, 0], [10, 0], [10, 10], [0, 10]]},
            crop=f"crop {k}".encode(),
            extraction=extraction(store=f"SHOP {k}", total=total),
        )
        for k, total in enumerate(totals)
    ]


async def _awards(receipt_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[LoyaltyReason]]:
    entries = await LoyaltyEntry.filter(receipt_id__in=receipt_ids)
    found: dict[uuid.UUID, list[LoyaltyReason]] = {i: [] for i in receipt_ids}
    for entry in entries:
        found[entry.receipt_id].append(entry.reason)  # type: ignore[attr-defined]
    return found


async def test_each_paper_becomes_a_receipt_once(app, gql):
    # given: an upload still PROCESSING whose photo held three papers
    account = await make_user()
    upload = await processing_receipt(account)
    # when: written twice (a retry whose first attempt committed)
    first, siblings = await record_papers(
        receipt_id=upload.id, papers=_papers("12.40", "25.90", "7.00"), engine="test"
    )
    again, siblings_again = await record_papers(
        receipt_id=upload.id, papers=_papers("12.40", "25.90", "7.00"), engine="test"
    )
    # then: the upload reads paper 0, two new receipts the others, made once
    assert first is not None and again is not None
    assert [s.id for s in siblings] == [s.id for s in siblings_again]
    receipts = await Receipt.filter(owner_id=account.user.id).order_by("paper_index")
    assert [(r.id == upload.id, r.paper_index, str(r.total)) for r in receipts] == [
        (True, 0, "12.40"),
        (False, 1, "25.90"),
        (False, 2, "7.00"),
    ]
    assert all(r.status == ReceiptStatus.EXTRACTED for r in receipts)
    assert [r.source_receipt_id for r in receipts] == [None, upload.id, upload.id]
    assert receipts[1].extraction["paper"]["index"] == 1
    # each other paper's file is its crop, in the originals store, the owner's
    crop = await StoredFile.get(id=receipts[2].file_id)
    assert crop.owner_id == account.user.id  # type: ignore[attr-defined]
    assert (crop.store, crop.content_type) == ("originals", "image/jpeg")
    assert await get_blob_store().read(crop.blob_key) == b"crop 2"
    assert receipts[0].file_id == upload.file_id  # the upload keeps the photo
    # points: one award per receipt
    awards = await _awards([r.id for r in receipts])
    assert list(awards.values()) == [[LoyaltyReason.AWARD]] * 3
    assert all(r.points > 0 for r in receipts)
    # the job's result names them all, as global ids for clients
    result = job_result(first, siblings)
    assert result["receipt_ids"] == [str(r.id) for r in receipts]
    assert public_result(result)["receiptIds"] == [global_id("Receipt", r.id) for r in receipts]
    # and the schema links them
    seen = data_of(
        await gql(RECEIPT, {"id": global_id("Receipt", receipts[1].id)}, token=account.token)
    )["receipt"]
    assert seen["paperIndex"] == 1 and seen["total"] == "25.90"
    assert seen["sourceReceipt"] == {"id": global_id("Receipt", upload.id)}
    assert [(s["paperIndex"], s["total"]) for s in seen["siblings"]] == [(0, "12.40"), (2, "7.00")]
    source = data_of(
        await gql(RECEIPT, {"id": global_id("Receipt", upload.id)}, token=account.token)
    )["receipt"]
    assert source["sourceReceipt"] is None
    assert [s["paperIndex"] for s in source["siblings"]] == [1, 2]
    assert all(s["sourceReceipt"] == {"id": source["id"]} for s in source["siblings"])


async def test_concurrent_writes_of_one_photo_make_each_paper_once(app):
    account = await make_user()
    upload = await processing_receipt(account)
    await asyncio.gather(
        *(
            record_papers(receipt_id=upload.id, papers=_papers("3.00", "4.00"), engine="test")
            for _ in range(3)
        ),
        return_exceptions=True,
    )
    receipts = await Receipt.filter(owner_id=account.user.id)
    assert sorted(str(r.total) for r in receipts) == ["3.00", "4.00"]
    awards = await _awards([r.id for r in receipts])
    assert list(awards.values()) == [[LoyaltyReason.AWARD]] * 2
    # the losers' crops were removed again: only the winner's crop file exists
    assert await StoredFile.filter(owner_id=account.user.id).count() == 2


async def test_a_single_receipt_photo_stays_one_receipt_with_no_paper(app):
    account = await make_user()
    upload = await processing_receipt(account)
    saved, siblings = await record_papers(
        receipt_id=upload.id, papers=_papers("9.99"), engine="test"
    )
    assert saved is not None and siblings == []
    assert await Receipt.filter(owner_id=account.user.id).count() == 1
    assert job_result(saved)["receipt_ids"] == [str(upload.id)]


@pytest.mark.slow
async def test_uploading_a_photo_of_two_receipts_makes_two(client, gql):
    # given: M01, two receipts side by side on a table
    keys = json.loads((MULTI / "key" / "m01.json").read_text())["receipts"]
    account = await make_user()
    # when: uploaded (the job runs in process, real OCR)
    payload = await upload_receipt(
        client, account, (MULTI / "img" / "m01.jpg").read_bytes(), "m01.jpg", "image/jpeg"
    )
    job = await wait_for(
        parse_global_id(payload["job"]["id"], "Job"),
        JobStatus.SUCCEEDED,
        JobStatus.FAILED,
        within=180,
    )
    # then: two receipts, in paper order, with the keys' totals
    assert job.status == JobStatus.SUCCEEDED, job.error_message
    result = data_of(await gql(JOB, {"id": payload["job"]["id"]}, token=account.token))["job"]
    ids = result["result"]["receiptIds"]
    assert ids[0] == payload["receipt"]["id"] and len(ids) == 2
    totals = []
    for paper, receipt_id in enumerate(ids):
        seen = data_of(await gql(RECEIPT, {"id": receipt_id}, token=account.token))["receipt"]
        assert seen["paperIndex"] == paper
        totals.append(seen["total"])
    assert totals == [key["total"] for key in keys]
    # a retried delivery of the finished job makes nothing more, and each receipt earned once
    job_row = await Job.get(id=job.id)
    assert (await run_extract_receipt(job_row, _report))["receipt_ids"] == [
        str(parse_global_id(i, "Receipt")) for i in ids
    ]
    receipts = await Receipt.filter(owner_id=account.user.id)
    assert len(receipts) == 2
    awards = await _awards([r.id for r in receipts])
    assert sorted(len(a) for a in awards.values()) == [1, 1]


async def _report(progress: float, stage: str, message: str | None = None) -> None:
    return None


async def test_a_blank_paper_next_to_a_receipt_makes_no_receipt(app):
    # given: a photo split in two papers, the first blank (OCR read nothing on it)
    account = await make_user()
    upload = await processing_receipt(account)
    job = await create_job(
        owner=account.user,
        kind=EXTRACT_RECEIPT,
        payload={"receipt_id": str(upload.id), "engine": "rapidocr"},
    )
    line = OcrLine(text="SUPER U", box=(0, 0, 50, 10), confidence=0.9)
    read = [
        ReadPart(
            Part(k, f"crop {k}".encode(), "image/jpeg", {"index": k}),
            OcrResult(engine="test", pages=[OcrPage(0, 100, 100, lines, "image")]),
            extraction(store=f"SHOP {k}", total="5.00"),
        )
        for k, lines in enumerate([[], [line]])
    ]
    # when
    result = await RECEIPT_AREA.save_parts(job, read)
    # then: one receipt, reading the paper with text
    receipts = await Receipt.filter(owner_id=account.user.id)
    assert [(r.id, r.paper_index, r.store) for r in receipts] == [(upload.id, 1, "SHOP 1")]
    assert result["receipt_ids"] == [str(upload.id)]
