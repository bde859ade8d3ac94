"""The OCR domain's services: `extract_text` stores an upload and enqueues the job that reads it.

The job (`ocr.extract_text`) is the shared document job (`server.documents.job`) with
`OcrTextArea`'s steps: it loads the blob from the file's store, runs the engine off the event
loop with per-page progress, and stores full text, lines with boxes, and mean confidence per page
as the job's result. A file or blob that is gone ends it FAILED with FILE_MISSING, an OCR failure
of the input (unreadable, empty, encrypted) with the engine's code, at once; anything else is
retried by the job runner.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from tortoise.transactions import in_transaction

from server.accounts.models import User
from server.documents.job import register_document_job
from server.errors import DomainError
from server.files.models import StoredFile
from server.files.services import UploadLike, get_blob_store, write_upload
from server.jobs.models import Job
from server.jobs.services import prepare_job, submit_job
from server.ocr import DEFAULT_ENGINE, ENGINES, OcrResult
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
    """The JSON stored as the job's result: snake_case keys (the schema names them for clients:
    `mean_confidence` is `meanConfidence`, `file_id` a global id)."""
    return {
        "engine": result.engine,
        "text": result.text,
        "pages": [
            {
                "index": page.index,
                "width": page.width,
                "height": page.height,
                "source": page.source,
                "mean_confidence": round(page.mean_confidence, 4),
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


class OcrTextArea:
    """extractText's steps of the shared document job (`server.documents.job`): the file named
    by the payload, its text as the result (nothing written elsewhere, so a retry is harmless)."""

    languages = ("fra", "eng")

    async def open(self, job: Job) -> StoredFile | None:
        return await StoredFile.get_or_none(id=job.payload["file_id"])

    def extract(self, ocr: OcrResult) -> dict[str, Any]:
        return result_payload(ocr)

    async def save(self, job: Job, extracted: dict[str, Any], ocr: OcrResult) -> dict[str, Any]:
        return {"file_id": job.payload["file_id"], **extracted}


run_extract_text = register_document_job(EXTRACT_TEXT, OcrTextArea())
