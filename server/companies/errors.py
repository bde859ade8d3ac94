"""Expected failures of companies and memberships."""

from __future__ import annotations

from enum import StrEnum

from server.errors import DomainError


class CompaniesErrorCode(StrEnum):
    INVALID_NAME = "INVALID_NAME"
    INVALID_CURRENCY = "INVALID_CURRENCY"
    INVALID_TIMEZONE = "INVALID_TIMEZONE"
    INVALID_COUNTRY = "INVALID_COUNTRY"
    # Products and the stock ledger.
    INVALID_SKU = "INVALID_SKU"
    DUPLICATE_SKU = "DUPLICATE_SKU"
    INVALID_PRICE = "INVALID_PRICE"
    INVALID_QUANTITY = "INVALID_QUANTITY"
    INVALID_LEAD_TIME = "INVALID_LEAD_TIME"
    PRODUCT_ARCHIVED = "PRODUCT_ARCHIVED"
    PRODUCT_IN_USE = "PRODUCT_IN_USE"
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
