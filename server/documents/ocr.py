"""The OCR runners document areas call: RapidOCR (default) or tesseract, words and lines out.

The engines live in :mod:`server.ocr` (image checks, PDF text layers, blank pages, threads);
this is the small surface receipts, invoices and cards use. Every line an engine returns has
its words, each with a pixel box and a confidence in [0, 1]: tesseract and PDF text layers box
words themselves, RapidOCR's word boxes come from its recogniser, or, when it gives none, are
estimated from the run's width (:func:`server.documents.layout.split_run`).
"""

from __future__ import annotations

from collections.abc import Sequence

from PIL import Image

from server.documents.types import OcrPage, OcrResult, OcrWord
from server.ocr import (
    DEFAULT_ENGINE,
    DEFAULT_LANGUAGES,
    ENGINES,
    OcrError,
    recognise_document,
    recognise_document_async,
    recognise_image,
)

__all__ = [
    "DEFAULT_ENGINE",
    "DEFAULT_LANGUAGES",
    "ENGINES",
    "OcrError",
    "read_document",
    "read_document_async",
    "read_image",
    "read_words",
]

# Same calls as the engine package, named for what a document area does with them.
read_document = recognise_document
read_document_async = recognise_document_async
read_image = recognise_image


def read_words(
    source: Image.Image | OcrPage | OcrResult,
    *,
    engine: str = DEFAULT_ENGINE,
    languages: Sequence[str] = DEFAULT_LANGUAGES,
) -> list[OcrWord]:
    """Every word in reading order (rows top to bottom, left to right), with box and confidence.

    ``source`` is an RGB image to OCR with ``engine``, or a page or result already read.
    Raises OcrError (see ``server.ocr.errors``) when an image cannot be read.
    """
    if isinstance(source, Image.Image):
        source = recognise_image(source, engine=engine, languages=languages)
    return source.words
