"""Expected failures of receipts, brands and loyalty rules.

The file codes are those of `server.files.errors` (uploads are refused with the same words
everywhere); EMPTY_DOCUMENT, ENCRYPTED_PDF and TOO_MANY_PAGES come from the OCR engine's checks
of a PDF at upload time.
"""

from __future__ import annotations

from enum import StrEnum

from server.errors import DomainError


class ReceiptsErrorCode(StrEnum):
    NOT_FOUND = "NOT_FOUND"
    DUPLICATE = "DUPLICATE"
    INVALID_INPUT = "INVALID_INPUT"
    NOT_READY = "NOT_READY"
    NOT_IN_REVIEW = "NOT_IN_REVIEW"  # approve/reject: no points wait for review
    REVIEW_CHANGED = "REVIEW_CHANGED"  # approve: the pending points changed since they were seen
    EMPTY_FILE = "EMPTY_FILE"
    UNSUPPORTED_TYPE = "UNSUPPORTED_TYPE"
    FILE_TOO_LARGE = "FILE_TOO_LARGE"
    TOO_MANY_PIXELS = "TOO_MANY_PIXELS"
    CORRUPT_FILE = "CORRUPT_FILE"
    TOO_MANY_FILES = "TOO_MANY_FILES"
    EMPTY_DOCUMENT = "EMPTY_DOCUMENT"
    ENCRYPTED_PDF = "ENCRYPTED_PDF"
    TOO_MANY_PAGES = "TOO_MANY_PAGES"


class ReceiptsError(DomainError):
    code: ReceiptsErrorCode
