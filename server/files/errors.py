"""Expected failures of uploads and downloads."""

from __future__ import annotations

from enum import StrEnum

from server.errors import DomainError


class FileErrorCode(StrEnum):
    EMPTY_FILE = "EMPTY_FILE"
    UNSUPPORTED_TYPE = "UNSUPPORTED_TYPE"
    FILE_TOO_LARGE = "FILE_TOO_LARGE"
    TOO_MANY_PIXELS = "TOO_MANY_PIXELS"
    TOO_MANY_PAGES = "TOO_MANY_PAGES"
    CORRUPT_FILE = "CORRUPT_FILE"
    TOO_MANY_FILES = "TOO_MANY_FILES"
    NOT_FOUND = "NOT_FOUND"


class FileError(DomainError):
    code: FileErrorCode
