"""The document job every document area shares (receipts, extractText's OCR text; invoices and
cards next):

    open the document -> load its blob -> OCR (a thread, per-page progress) -> extract (a thread)
    -> save (the area's idempotent write) -> the job's result

An area supplies a `DocumentArea` and registers it with `register_document_job(kind, area,
policy=...)` (see `jobs/receipts.py`, `server.ocr.services`). The job maps what can go wrong
to job failures once, for every area: a file row or blob that is gone is FILE_MISSING, an OCR
refusal keeps the reader's code (EMPTY_DOCUMENT, UNREADABLE_IMAGE...), an area's own `JobFailed`
passes through; anything else is a bug or an outage, retried by the runner under the kind's
policy. The upload checks (type, size, pixels) ran before the job existed (`server.files`).

Progress, the same for every area so clients show one bar: "loading file" (0.02), "ocr: started"
and "ocr: page k/n" (0.05 to 0.85), "extracting fields" (0.88), "saving" (0.95).

An area may also split a file into several documents (`SplittingArea.split`: two receipts in one
photo): with two or more parts, each part is OCR'd and extracted on its own (the OCR span shared
between them) and `save_parts` writes them all at once. The blob is
read from the store its file row names (`StoredFile.store`); OCR uses the job payload's `engine`
and `languages` when it names them, else the default engine and the area's languages.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable

from server.files.models import StoredFile
from server.files.services import get_blob_store
from server.jobs.errors import JobFailed
from server.jobs.models import Job
from server.jobs.registry import JobPolicy, ProgressReporter, register_handler
from server.ocr import DEFAULT_ENGINE, OcrError, recognise_document_async
from server.ocr.types import OcrResult
from server.settings import get_settings
from server.storage import BlobNotFound

ExtractedT = TypeVar("ExtractedT")

FILE_MISSING = ("FILE_MISSING", "The uploaded file no longer exists.")
LOADING, OCR_START, OCR_SPAN, EXTRACTING, SAVING = 0.02, 0.05, 0.8, 0.88, 0.95


@dataclass(frozen=True, slots=True)
class Done:
    """What `open` returns when nothing is left to do (a retried or duplicated delivery found
    the document already read): the job ends with this result."""

    result: dict[str, Any]


class DocumentArea(Protocol[ExtractedT]):
    """What an area (receipts, invoices, cards) plugs into the document job."""

    @property
    def languages(self) -> Sequence[str]:
        """OCR languages, e.g. ("fra", "eng")."""
        ...

    async def open(self, job: Job) -> StoredFile | Done | None:
        """The file to read for this job (None: its row is gone), or Done. Raises JobFailed
        when the document itself is gone or may not be read."""
        ...

    def extract(self, ocr: OcrResult) -> ExtractedT:
        """Read the area's fields from the OCR result: CPU only, run in a worker thread."""
        ...

    async def save(self, job: Job, extracted: ExtractedT, ocr: OcrResult) -> dict[str, Any]:
        """Write what was read, idempotently (a retry may call it again); returns the job's
        JSON result. Raises JobFailed when the document vanished meanwhile."""
        ...


@dataclass(frozen=True, slots=True)
class Part:
    """One document of several found in one file (a receipt of a photo holding two): its own
    encoded image and where it was in the file (JSON the area keeps)."""

    index: int
    data: bytes
    content_type: str
    where: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ReadPart(Generic[ExtractedT]):
    """A part once read: its OCR and what the area extracted from it."""

    part: Part
    ocr: OcrResult
    extracted: ExtractedT


@runtime_checkable
class SplittingArea(DocumentArea[ExtractedT], Protocol):
    """An area whose files may hold several documents."""

    def split(self, data: bytes, content_type: str) -> list[Part]:
        """The documents of a file, in order: CPU only, run in a worker thread. Fewer than two
        parts: the file is one document (read as a whole)."""
        ...

    async def save_parts(self, job: Job, read: list[ReadPart[ExtractedT]]) -> dict[str, Any]:
        """Write every part, idempotently and at once; returns the job's JSON result."""
        ...


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


async def run_document_job(
    job: Job, report: ProgressReporter, area: DocumentArea[ExtractedT]
) -> dict[str, Any]:
    """Run the document pipeline for `job` with `area`'s steps (see the module docstring)."""
    opened = await area.open(job)
    if isinstance(opened, Done):
        return opened.result
    await report(LOADING, "loading file")
    if opened is None:
        raise JobFailed(*FILE_MISSING)
    try:
        data = await get_blob_store(opened.store).read(opened.blob_key)
    except BlobNotFound as exc:
        raise JobFailed(*FILE_MISSING) from exc
    if isinstance(area, SplittingArea):
        parts = await asyncio.to_thread(area.split, data, opened.content_type)
        if len(parts) > 1:
            return await _run_parts(job, report, area, parts)
    ocr = await _ocr(job, report, area, data, opened.content_type, OCR_START, OCR_SPAN)
    await report(EXTRACTING, "extracting fields")
    extracted = await asyncio.to_thread(area.extract, ocr)
    await report(SAVING, "saving")
    return await area.save(job, extracted, ocr)


async def _ocr(
    job: Job,
    report: ProgressReporter,
    area: DocumentArea[Any],
    data: bytes,
    content_type: str,
    start: float,
    span: float,
) -> OcrResult:
    try:
        return await run_ocr_with_progress(
            data,
            content_type=content_type,
            engine=job.payload.get("engine", DEFAULT_ENGINE),
            languages=job.payload.get("languages") or area.languages,
            report=report,
            start=start,
            span=span,
        )
    except OcrError as exc:
        raise JobFailed(exc.code, exc.message) from exc


async def _run_parts(
    job: Job, report: ProgressReporter, area: SplittingArea[ExtractedT], parts: list[Part]
) -> dict[str, Any]:
    """OCR and extract each part in turn (the OCR span shared between them), then save all."""
    read: list[ReadPart[ExtractedT]] = []
    share = OCR_SPAN / len(parts)
    for k, part in enumerate(parts):
        ocr = await _ocr(
            job, report, area, part.data, part.content_type, OCR_START + k * share, share
        )
        read.append(ReadPart(part, ocr, await asyncio.to_thread(area.extract, ocr)))
    await report(EXTRACTING, "extracting fields")
    await report(SAVING, "saving")
    return await area.save_parts(job, read)


@dataclass(frozen=True)
class DocumentJob(Generic[ExtractedT]):
    """A job handler bound to one area (what `register_document_job` registers)."""

    area: DocumentArea[ExtractedT]

    async def __call__(self, job: Job, report: ProgressReporter) -> dict[str, Any]:
        return await run_document_job(job, report, self.area)


def register_document_job(
    kind: str, area: DocumentArea[Any], *, policy: JobPolicy | None = None
) -> DocumentJob[Any]:
    """Register the document job of `area` as the handler of `kind`; returns the handler."""
    handler = DocumentJob(area)
    register_handler(kind, handler, policy=policy)
    return handler
