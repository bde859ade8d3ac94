"""Uploading a receipt: the checks of `intake`, the blob, then the file row, the receipt and its
extraction job in one transaction."""

from __future__ import annotations

import asyncio
import uuid

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from server.accounts.models import User
from server.files import sniffing
from server.files.services import UploadLike, get_blob_store, write_upload
from server.jobs.models import Job
from server.jobs.services import prepare_job, submit_job
from server.ocr import DEFAULT_ENGINE, OcrError
from server.receipts.errors import ReceiptsError, ReceiptsErrorCode
from server.receipts.extraction_job import EXTRACT_RECEIPT
from server.receipts.intake import pdf_has_content, upload_sha256
from server.receipts.models import (
    Receipt,
)
from server.receipts.values import error, now
from server.settings import get_settings


async def _live_with_hash(owner: User, sha256: str) -> Receipt | None:
    return await Receipt.get_or_none(owner_id=owner.id, dedup_key=sha256)


def _duplicate(existing: Receipt) -> ReceiptsError:
    return error(
        ReceiptsErrorCode.DUPLICATE,
        "You already uploaded this file.",
        "file",
        existing_receipt_id=existing.id,
    )


async def _check_pdf(upload: UploadLike) -> None:
    await upload.seek(0)
    data = await upload.read()
    try:
        has_content = await asyncio.to_thread(pdf_has_content, data)
    except OcrError as exc:
        code = {
            "ENCRYPTED_PDF": ReceiptsErrorCode.ENCRYPTED_PDF,
            "TOO_MANY_PAGES": ReceiptsErrorCode.TOO_MANY_PAGES,
        }.get(exc.code, ReceiptsErrorCode.CORRUPT_FILE)
        raise error(code, f"The PDF cannot be used: {exc.message}.", "file") from exc
    if not has_content:
        raise error(
            ReceiptsErrorCode.EMPTY_DOCUMENT,
            "The PDF has neither text nor images: there is nothing to read.",
            "file",
        )


async def upload_receipt(*, owner: User, upload: UploadLike) -> tuple[Receipt, Job]:
    """Store a receipt file and enqueue its extraction. Raises DUPLICATE (the same file is already
    a live receipt of this owner: `existing_receipt_id`), EMPTY_DOCUMENT, ENCRYPTED_PDF,
    TOO_MANY_PAGES, CORRUPT_FILE; FileError for refused uploads. A refusal leaves nothing behind."""
    settings = get_settings()
    digest = await upload_sha256(upload, max_bytes=settings.max_upload_bytes)
    if digest is not None and (existing := await _live_with_hash(owner, digest)) is not None:
        raise _duplicate(existing)
    blobs = get_blob_store()
    # The blob is written first, holding no database connection (a write may take seconds on
    # S3). The file row, the receipt and its job then commit together: a process killed before
    # the commit leaves only a blob that no row references (the sweeper removes it), one killed
    # after it a QUEUED job that recovery delivers; never a PROCESSING receipt no job finishes.
    written = await write_upload(
        upload,
        store=blobs,
        max_bytes=settings.max_upload_bytes,
        max_pixels=settings.max_image_pixels,
    )
    try:
        if written.content_type == sniffing.PDF:
            await _check_pdf(upload)
        async with in_transaction():
            file = await written.record(owner=owner)
            receipt_id = uuid.uuid4()
            job = await prepare_job(
                owner=owner,
                kind=EXTRACT_RECEIPT,
                payload={
                    "receipt_id": str(receipt_id),
                    "engine": settings.ocr_engine or DEFAULT_ENGINE,
                },
            )
            receipt = await Receipt.create(
                id=receipt_id,
                owner=owner,
                file=file,
                job=job,
                sha256=file.sha256,
                dedup_key=file.sha256,
                sort_date=now(),
            )
    except IntegrityError:
        # Another upload of the same file won the race to the unique (owner, dedup_key). The
        # rows were rolled back; the blob is ours to remove.
        await blobs.delete(written.key)
        existing = await _live_with_hash(owner, written.sha256)
        if existing is None:
            raise
        raise _duplicate(existing) from None
    except BaseException:
        await blobs.delete(written.key)
        raise
    await submit_job(job)
    return receipt, job
