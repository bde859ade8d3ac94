"""Expected failures of companies and memberships."""

from __future__ import annotations

from enum import StrEnum

from server.errors import DomainError


class CompaniesErrorCode(StrEnum):
    INVALID_NAME = "INVALID_NAME"
    INVALID_CURRENCY = "INVALID_CURRENCY"
    INVALID_TIMEZONE = "INVALID_TIMEZONE"
    INVALID_COUNTRY = "INVALID_COUNTRY"
    NOT_FOUND = "NOT_FOUND"
    INVALID_INPUT = "INVALID_INPUT"
    # Sales import.
    EMPTY_FILE = "EMPTY_FILE"
    NOT_A_SALES_FILE = "NOT_A_SALES_FILE"
    FILE_TOO_LARGE = "FILE_TOO_LARGE"
    MISSING_COLUMN = "MISSING_COLUMN"
    KEY_WITHOUT_OWNER = "KEY_WITHOUT_OWNER"


class CompaniesError(DomainError):
    code: CompaniesErrorCode
