"""The extraction job (`receipts.extract`, registered in `jobs/receipts.py` with
`register_document_job`): the shared document job (`server.documents.job`: load the file, OCR it
with progress, extract in a thread) with receipts' steps (`ReceiptArea`: `extract_receipt`, then
`server.receipts.extraction_record` writes the result once).

The writes are idempotent (`record_extraction` and `record_papers` do nothing unless the receipt
is still PROCESSING), so a retried or duplicated job never writes or awards twice. A photo
holding several receipts (`ReceiptArea.split`, with `server.documents.papers`) is read paper by
paper and written by `record_papers`. However the job ends, `settle_extraction` (its end hook)
ends a receipt left PROCESSING; `reconcile_receipts` repairs what no hook could."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from tortoise.expressions import Q

from server.documents.job import Done, Part, ReadPart, run_document_job
from server.documents.papers import corners_json, split_papers
from server.files.models import StoredFile
from server.jobs.errors import JobFailed
from server.jobs.models import TERMINAL_STATUSES, Job, JobStatus
from server.jobs.registry import ProgressReporter
from server.jobs.services import stale_after
from server.ocr.types import OcrResult
from server.receipts.extraction import ReceiptExtraction
from server.receipts.extraction_record import (
    CROP_TYPE,
    PaperRead,
    record_extraction,
    record_papers,
    siblings_of,
)
from server.receipts.models import Receipt, ReceiptStatus
from server.receipts.pipeline import extract_receipt
from server.receipts.values import now

EXTRACT_RECEIPT = "receipts.extract"
OCR_LANGUAGES = ("fra", "eng")
RECONCILE_BATCH = 500


def job_result(receipt: Receipt, siblings: list[Receipt] | None = None) -> dict[str, Any]:
    """The job's stored result: plain snake_case keys (the schema names them for clients).
    `receipt_ids`: every receipt the upload made, the uploaded one first (one per paper)."""
    return {
        "receipt_id": str(receipt.id),
        "receipt_ids": [str(receipt.id), *(str(s.id) for s in siblings or [])],
        "status": receipt.status.value,
        "points": receipt.points,
        "possible_duplicate_of": str(receipt.possible_duplicate_of_id)  # type: ignore[attr-defined]
        if receipt.possible_duplicate_of_id  # type: ignore[attr-defined]
        else None,
    }


async def fail_extraction(*, receipt_id: uuid.UUID, code: str, message: str) -> None:
    """Mark a PROCESSING receipt FAILED with the reader's code (no-op otherwise)."""
    await Receipt.filter(id=receipt_id, status=ReceiptStatus.PROCESSING).update(
        status=ReceiptStatus.FAILED, error_code=code[:64], error_message=message, updated_at=now()
    )


async def run_extract_receipt(job: Job, report: ProgressReporter) -> dict[str, Any]:
    """What the registered job runs, callable directly (tests)."""
    # However the job ends (failure, cancel, timeout, lost worker), `settle_extraction` ends the
    # receipt in the same transaction: the handler itself never marks the receipt FAILED.
    return await run_document_job(job, report, RECEIPT_AREA)


# What a receipt says when its job ended without reading it: the runner's own codes are not the
# reader's, so internal failures are summarised rather than shown.
_RUNNER_FAILURES = {"HANDLER_ERROR", "INVALID_RESULT", "UNKNOWN_KIND"}
UNREAD = ("EXTRACTION_FAILED", "The receipt could not be processed.")


def _failure_of(job: Job) -> tuple[str, str]:
    if job.status == JobStatus.CANCELLED:
        return "CANCELLED", "The extraction was cancelled."
    if job.status == JobStatus.FAILED and job.error_code and job.error_code not in _RUNNER_FAILURES:
        return job.error_code, job.error_message or UNREAD[1]
    return UNREAD  # FAILED in the runner, or SUCCEEDED without writing the receipt (a bug)


async def settle_extraction(job: Job) -> int:
    """The extraction job ended: a receipt it left PROCESSING becomes FAILED with the job's
    reason. Runs inside the transaction that ends the job (and from `reconcile_receipts`);
    returns how many receipts changed (0 or 1)."""
    code, message = _failure_of(job)
    return await (
        Receipt.filter(id=job.payload.get("receipt_id"), status=ReceiptStatus.PROCESSING)
        .filter(Q(job_id=job.id) | Q(job_id=None))
        .update(
            status=ReceiptStatus.FAILED,
            error_code=code[:64],
            error_message=message,
            updated_at=now(),
        )
    )


async def reconcile_receipts(*, grace: float | None = None) -> int:
    """Fail the live receipts still PROCESSING although their job has ended (it ended before
    `settle_extraction` existed, or outside it) or is missing (for longer than `grace` seconds,
    default three heartbeats); returns how many changed. Run with every periodic recovery."""
    grace = stale_after() if grace is None else grace
    cutoff = now() - timedelta(seconds=grace)
    stuck = Receipt.filter(status=ReceiptStatus.PROCESSING, deleted_at__isnull=True).filter(
        Q(job__status__in=[s.value for s in TERMINAL_STATUSES])
        | Q(job_id=None, created_at__lt=cutoff)
    )
    changed = 0
    for receipt_id, job_id in await stuck.limit(RECONCILE_BATCH).values_list("id", "job_id"):
        job = await Job.get_or_none(id=job_id) if job_id else None
        if job is not None and job.is_terminal:
            changed += await settle_extraction(job)
        elif job is None:
            changed += await Receipt.filter(
                id=receipt_id, status=ReceiptStatus.PROCESSING, job_id=None
            ).update(
                status=ReceiptStatus.FAILED,
                error_code="EXTRACTION_LOST",
                error_message="The extraction was never started; upload the receipt again.",
                updated_at=now(),
            )
    return changed


class ReceiptArea:
    """Receipts' steps of the shared document job (`server.documents.job`)."""

    languages = OCR_LANGUAGES

    async def open(self, job: Job) -> StoredFile | Done | None:
        receipt = await Receipt.get_or_none(id=uuid.UUID(job.payload["receipt_id"]))
        if receipt is None or receipt.deleted_at is not None:
            raise JobFailed("RECEIPT_DELETED", "The receipt was deleted.")
        if receipt.status != ReceiptStatus.PROCESSING:
            # a retried or duplicated delivery: nothing to do
            return Done(job_result(receipt, await siblings_of(receipt.id)))
        return await StoredFile.get_or_none(id=receipt.file_id) if receipt.file_id else None  # type: ignore[attr-defined]

    def split(self, data: bytes, content_type: str) -> list[Part]:
        """The papers of a photo (two receipts side by side on a table), each cropped: [] for
        a PDF or a photo of one paper (`server.documents.papers`)."""
        if not content_type.startswith("image/"):
            return []
        return [
            Part(
                index=crop.paper.index,
                data=crop.jpeg,
                content_type=CROP_TYPE,
                where={"index": crop.paper.index, "corners": corners_json(crop.paper)},
            )
            for crop in split_papers(data)
        ]

    def extract(self, ocr: OcrResult) -> ReceiptExtraction:
        return extract_receipt(ocr)

    async def save_parts(self, job: Job, read: list[ReadPart[ReceiptExtraction]]) -> dict[str, Any]:
        """Every paper with printed text becomes a receipt (a blank sheet or a plain card lying
        next to a receipt does not); none with text: the upload reads the first."""
        printed = [r for r in read if r.ocr.lines] or read[:1]
        saved, siblings = await record_papers(
            receipt_id=uuid.UUID(job.payload["receipt_id"]),
            papers=[
                PaperRead(r.part.index, r.part.where, r.part.data, r.extracted) for r in printed
            ],
            engine=read[0].ocr.engine,
        )
        if saved is None or saved.deleted_at is not None:
            raise JobFailed("RECEIPT_DELETED", "The receipt was deleted.")
        return job_result(saved, siblings)

    async def save(self, job: Job, extracted: ReceiptExtraction, ocr: OcrResult) -> dict[str, Any]:
        saved = await record_extraction(
            receipt_id=uuid.UUID(job.payload["receipt_id"]), extraction=extracted, engine=ocr.engine
        )
        if saved is None or saved.deleted_at is not None:
            raise JobFailed("RECEIPT_DELETED", "The receipt was deleted.")
        return job_result(saved)


RECEIPT_AREA = ReceiptArea()
