"""The shared OCR engine: document bytes in, positioned text lines out.

Used by receipts, invoices and cards. Everything here is CPU-bound and synchronous except
``recognise_document_async``, which runs the same work on a small thread pool (tesseract is a
subprocess and onnxruntime releases the GIL, so threads do run in parallel) and delivers progress
callbacks on the event loop thread, where callers may publish events safely.

Progress: ``on_progress(fraction, stage)`` is called with ``(0.0, "started")`` once the input is
accepted, then ``(k / n, "page k/n")`` as each of the ``n`` pages completes (the last is 1.0).

Pages that are blank (nothing but background after rasterising) are kept as empty pages with
source ``"blank"`` without being OCRed; a document whose every page is blank raises
EMPTY_DOCUMENT. Error codes are listed in ``server.ocr.errors``.
"""

from __future__ import annotations

import asyncio
import functools
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

from PIL import Image

from server.ocr import images, pdf
from server.ocr.engines import DEFAULT_LANGUAGES, ENGINES, Recogniser, get_engine
from server.ocr.errors import ImageError, OcrError, PdfError
from server.ocr.images import DEFAULT_MAX_PIXELS, image_size, load_image
from server.ocr.pdf import DEFAULT_MAX_PAGES
from server.ocr.preprocess import is_blank
from server.ocr.types import OcrLine, OcrPage, OcrResult, OcrWord

__all__ = [
    "DEFAULT_ENGINE",
    "DEFAULT_LANGUAGES",
    "DEFAULT_MAX_PAGES",
    "DEFAULT_MAX_PIXELS",
    "ENGINES",
    "IMAGE_TYPES",
    "PDF_TYPES",
    "ImageError",
    "OcrError",
    "OcrLine",
    "OcrPage",
    "OcrResult",
    "OcrWord",
    "PdfError",
    "ProgressCallback",
    "available_engines",
    "image_size",
    "load_image",
    "recognise_document",
    "recognise_document_async",
    "recognise_image",
]

# Lowest character error on real receipts (bench/ocr.py): ~4% against ~15-20% for tesseract.
DEFAULT_ENGINE = "rapidocr"

IMAGE_TYPES = frozenset(
    {"image/jpeg", "image/jpg", "image/pjpeg", "image/png", "image/webp", "image/tiff"}
)
PDF_TYPES = frozenset({"application/pdf", "application/x-pdf"})

ProgressCallback = Callable[[float, str], None]

# Few threads: each recognition already keeps a core busy (onnxruntime uses several), and more
# concurrent pages would only share the same cores while holding more images in memory.
OCR_THREADS = max(1, min(4, os.cpu_count() or 1))
_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def available_engines() -> dict[str, str | None]:
    """Engine name -> version string, or None when it cannot run here (for /health)."""
    return {name: engine.version() for name, engine in ENGINES.items()}


def recognise_image(
    image: Image.Image,
    *,
    engine: str = DEFAULT_ENGINE,
    languages: Sequence[str] = DEFAULT_LANGUAGES,
) -> OcrPage:
    """OCR one already-loaded RGB image (e.g. a crop of a card); no blank-page shortcut."""
    return get_engine(engine).recognise_image(image, tuple(languages))


def _kind(content_type: str) -> str:
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type in PDF_TYPES:
        return "pdf"
    if media_type in IMAGE_TYPES:
        return "image"
    accepted = ", ".join(sorted(IMAGE_TYPES | PDF_TYPES))
    raise OcrError("UNSUPPORTED_TYPE", f"cannot read {media_type or 'unknown'}; send {accepted}")


def recognise_document(
    data: bytes,
    *,
    content_type: str,
    engine: str = DEFAULT_ENGINE,
    languages: Sequence[str] = DEFAULT_LANGUAGES,
    on_progress: ProgressCallback | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    max_pages: int = DEFAULT_MAX_PAGES,
) -> OcrResult:
    """OCR an image (JPEG, PNG, WebP, TIFF incl. multi-page) or a PDF, page by page.

    Synchronous and CPU-bound: call it from a worker, or use ``recognise_document_async``.
    Raises OcrError (ImageError, PdfError) with the codes in ``server.ocr.errors``.
    """
    return _recognise(
        data,
        content_type=content_type,
        engine=engine,
        languages=tuple(languages),
        on_progress=on_progress,
        max_pixels=max_pixels,
        max_pages=max_pages,
        cancelled=None,
    )


def _recognise(
    data: bytes,
    *,
    content_type: str,
    engine: str,
    languages: tuple[str, ...],
    on_progress: ProgressCallback | None,
    max_pixels: int,
    max_pages: int,
    cancelled: threading.Event | None,
) -> OcrResult:
    recogniser = get_engine(engine)
    kind = _kind(content_type)
    if kind == "pdf":
        total = pdf.count_pages(data)
        if total > max_pages:
            raise PdfError("TOO_MANY_PAGES", f"the PDF has {total} pages; the limit is {max_pages}")
    else:
        total = images.count_frames(data)
        if total > max_pages:
            raise ImageError(
                "TOO_MANY_PAGES", f"the image has {total} frames; the limit is {max_pages}"
            )
    if on_progress is not None:
        on_progress(0.0, "started")

    pages: list[OcrPage] = []
    sources = (
        pdf.iter_pages(data, max_pages=max_pages, max_pixels=max_pixels)
        if kind == "pdf"
        else images.iter_images(data, max_pixels=max_pixels, max_frames=max_pages)
    )
    for index, item in enumerate(sources):
        if cancelled is not None and cancelled.is_set():
            raise OcrError("CANCELLED", f"stopped after {index} of {total} pages")
        if isinstance(item, pdf.PdfPage):
            if item.lines is not None:
                page = OcrPage(index, item.width, item.height, item.lines, "text-layer")
            else:
                assert item.image is not None
                page = _recognise_page(recogniser, item.image, index, languages)
        else:
            page = _recognise_page(recogniser, item, index, languages)
        pages.append(page)
        if on_progress is not None:
            on_progress(len(pages) / total, f"page {len(pages)}/{total}")

    if not pages or all(page.source == "blank" for page in pages):
        what = "page is" if len(pages) == 1 else f"{len(pages)} pages are"
        raise OcrError("EMPTY_DOCUMENT", f"nothing to read: the {what} blank")
    return OcrResult(engine=engine, pages=pages)


def _recognise_page(
    recogniser: Recogniser, image: Image.Image, index: int, languages: tuple[str, ...]
) -> OcrPage:
    if is_blank(image):
        return OcrPage(index, image.width, image.height, [], "blank")
    page = recogniser.recognise_image(image, languages)
    page.index = index
    return page


def _get_executor() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=OCR_THREADS, thread_name_prefix="ocr")
        return _executor


async def recognise_document_async(
    data: bytes,
    *,
    content_type: str,
    engine: str = DEFAULT_ENGINE,
    languages: Sequence[str] = DEFAULT_LANGUAGES,
    on_progress: ProgressCallback | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    max_pages: int = DEFAULT_MAX_PAGES,
) -> OcrResult:
    """``recognise_document`` on the OCR thread pool, keeping the event loop free.

    ``on_progress`` runs on the event loop thread, and every call is delivered before this
    returns. If the awaiting task is cancelled, the work stops before its next page (a page
    already in progress cannot be interrupted).
    """
    get_engine(engine)  # fail fast on a bad name or type, before queueing any work
    _kind(content_type)
    loop = asyncio.get_running_loop()
    cancelled = threading.Event()

    def progress(fraction: float, stage: str) -> None:
        if on_progress is not None:
            loop.call_soon_threadsafe(on_progress, fraction, stage)

    work = functools.partial(
        _recognise,
        data,
        content_type=content_type,
        engine=engine,
        languages=tuple(languages),
        on_progress=progress,
        max_pixels=max_pixels,
        max_pages=max_pages,
        cancelled=cancelled,
    )
    try:
        return await loop.run_in_executor(_get_executor(), work)
    except asyncio.CancelledError:
        cancelled.set()
        raise
