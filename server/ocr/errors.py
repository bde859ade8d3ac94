"""Typed failures of the OCR engine, each with a stable machine-readable ``code``.

Domains turn these codes into their GraphQL error enums, so the codes are part of the contract:
add new ones freely, never rename one.

Codes:
    UNREADABLE_IMAGE   the bytes are not a decodable image of an accepted format (or truncated)
    TOO_MANY_PIXELS    an image or page declares more pixels than allowed (decompression bomb)
    UNSUPPORTED_TYPE   the content type is not one we can read
    UNREADABLE_PDF     the bytes are not a PDF pdfium can open
    ENCRYPTED_PDF      the PDF needs a password
    TOO_MANY_PAGES     more pages (PDF pages or TIFF frames) than allowed
    EMPTY_DOCUMENT     no page holds any text or image content (e.g. blank white pages)
    UNKNOWN_ENGINE     no recogniser has that name
    ENGINE_UNAVAILABLE the recogniser exists but is not installed here (binary, models)
    UNSUPPORTED_LANGUAGE the recogniser has no model for a requested language
    ENGINE_FAILED      the recogniser crashed or timed out on this input
    CANCELLED          the caller stopped waiting; remaining pages were skipped
"""

from __future__ import annotations


class OcrError(Exception):
    """Base of every OCR failure; ``code`` is stable, ``message`` is for humans."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class ImageError(OcrError):
    """The image bytes cannot be used (unreadable, too large)."""


class PdfError(OcrError):
    """The PDF cannot be used (unreadable, encrypted, too many pages)."""
