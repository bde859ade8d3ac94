"""The OCR domain's services: `extract_text` stores an upload and enqueues the job that reads it.

The job handler (`ocr.extract_text`) loads the blob, runs the shared engine off the event loop,
reports per-page progress, and stores full text, lines with boxes, and mean confidence per page
as the job's result. OCR failures of the input (unreadable, empty, encrypted) end the job FAILED
with the engine's code at once; anything else is retried by the job runner.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from tortoise.transactions import in_transaction

from server.accounts.models import User
from server.errors import DomainError
from server.files.models import StoredFile
from server.files.services import UploadLike, get_blob_store, write_upload
from server.jobs.errors import JobFailed
from server.jobs.models import Job
from server.jobs.registry import ProgressReporter, job_handler
from server.jobs.services import prepare_job, submit_job
from server.ocr import DEFAULT_ENGINE, ENGINES, OcrError, OcrResult, recognise_document_async
from server.settings import get_settings

EXTRACT_TEXT = "ocr.extract_text"
LANGUAGES = frozenset({"fra", "eng"})


class OcrErrorCode(StrEnum):
    INVALID_INPUT = "INVALID_INPUT"


class OcrInputError(DomainError):
    code: OcrErrorCode


def check_options(*, languages: Sequence[str] | None, engine: str | None) -> tuple[list[str], str]:
    """Validated (languages, engine); raises OcrInputError(INVALID_INPUT) naming the field."""
    chosen_engine = engine or get_settings().ocr_engine or DEFAULT_ENGINE
    if chosen_engine not in ENGINES:
        raise OcrInputError(
            OcrErrorCode.INVALID_INPUT,
            f"Unknown engine; choose one of {', '.join(sorted(ENGINES))}.",
            field="engine",
        )
    chosen = list(dict.fromkeys(languages or ["fra", "eng"]))
    unknown = [lang for lang in chosen if lang not in LANGUAGES]
    if unknown or not chosen:
        raise OcrInputError(
            OcrErrorCode.INVALID_INPUT,
            f"Languages must be among {', '.join(sorted(LANGUAGES))}; got {', '.join(unknown) or 'none'}.",
            field="languages",
        )
    return chosen, chosen_engine


async def extract_text(
    *, owner: User, upload: UploadLike, languages: Sequence[str] | None, engine: str | None
) -> tuple[StoredFile, Job]:
    """Store the upload and enqueue its OCR. Raises OcrInputError, FileError (refused upload)."""
    chosen_languages, chosen_engine = check_options(languages=languages, engine=engine)
    settings = get_settings()
    blobs = get_blob_store()
    # The blob is written first, holding no database connection; the file row and its job then
    # commit together (a crash in between would leave a file that no job reads). A crash before
    # the commit leaves a bare blob, which the sweeper removes.
    written = await write_upload(
        upload,
        store=blobs,
        max_bytes=settings.max_upload_bytes,
        max_pixels=settings.max_image_pixels,
    )
    try:
        async with in_transaction():
            file = await written.record(owner=owner)
            job = await prepare_job(
                owner=owner,
                kind=EXTRACT_TEXT,
                payload={
                    "file_id": str(file.id),
                    "languages": chosen_languages,
                    "engine": chosen_engine,
                },
            )
    except BaseException:
        await blobs.delete(written.key)  # the rows were rolled back: the blob is ours to remove
        raise
    await submit_job(job)
    return file, job


def result_payload(result: OcrResult) -> dict[str, Any]:
    """The JSON stored as the job's result."""
    return {
        "engine": result.engine,
        "text": result.text,
        "pages": [
            {
                "index": page.index,
                "width": page.width,
                "height": page.height,
                "source": page.source,
                "meanConfidence": round(page.mean_confidence, 4),
                "text": page.text,
                "lines": [
                    {
                        "text": line.text,
                        "box": list(line.box),
                        "confidence": round(line.confidence, 4),
                    }
                    for line in page.lines
                ],
            }
            for page in result.pages
        ],
    }


async def run_ocr_with_progress(
    data: bytes,
    *,
    content_type: str,
    engine: str,
    languages: Sequence[str],
    report: ProgressReporter,
    start: float,
    span: float,
) -> OcrResult:
    """OCR off the loop, forwarding page progress to the job reporter (mapped into
    [start, start+span]), in order: "ocr: started", then "ocr: page k/n" per page. The OCR
    thread's callbacks reach this loop through `call_soon_threadsafe` (see
    `recognise_document_async`) and only fill a queue; reports (database, events) happen here.
    A cancelled job stops the OCR at the next page."""
    updates: asyncio.Queue[tuple[float, str]] = asyncio.Queue()
    settings = get_settings()
    work = asyncio.ensure_future(
        recognise_document_async(
            data,
            content_type=content_type,
            engine=engine,
            languages=languages,
            on_progress=lambda fraction, stage: updates.put_nowait((fraction, stage)),
            max_pixels=settings.max_image_pixels,
        )
    )
    getter: asyncio.Future[tuple[float, str]] | None = None
    try:
        while True:
            getter = asyncio.ensure_future(updates.get())
            done, _ = await asyncio.wait({work, getter}, return_when=asyncio.FIRST_COMPLETED)
            if getter in done:
                fraction, stage = getter.result()
                await report(start + span * fraction, f"ocr: {stage}")
                continue
            getter.cancel()
            while not updates.empty():
                fraction, stage = updates.get_nowait()
                await report(start + span * fraction, f"ocr: {stage}")
            return work.result()
    except BaseException:
        work.cancel()
        raise
    finally:
        if getter is not None:
            getter.cancel()  # a report that raised (JobCancelled) leaves one waiting


async def load_blob_for(job: Job) -> StoredFile:
    file = await StoredFile.get_or_none(id=job.payload["file_id"])
    if file is None:
        raise JobFailed("FILE_MISSING", "The uploaded file no longer exists.")
    return file


@job_handler(EXTRACT_TEXT)
async def run_extract_text(job: Job, report: ProgressReporter) -> dict[str, Any]:
    file = await load_blob_for(job)
    await report(0.02, "loading file")
    data = await get_blob_store().read(file.blob_key)
    try:
        result = await run_ocr_with_progress(
            data,
            content_type=file.content_type,
            engine=job.payload.get("engine", DEFAULT_ENGINE),
            languages=job.payload.get("languages", ["fra", "eng"]),
            report=report,
            start=0.05,
            span=0.9,
        )
    except OcrError as exc:
        raise JobFailed(exc.code, exc.message) from exc
    await report(0.98, "saving result")
    return {"fileId": str(file.id), **result_payload(result)}
