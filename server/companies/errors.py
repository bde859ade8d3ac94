"""Expected failures of companies and memberships."""

from __future__ import annotations

from enum import StrEnum

from server.errors import DomainError


class CompaniesErrorCode(StrEnum):
    INVALID_NAME = "INVALID_NAME"
    INVALID_CURRENCY = "INVALID_CURRENCY"
    INVALID_TIMEZONE = "INVALID_TIMEZONE"
    INVALID_COUNTRY = "INVALID_COUNTRY"


class CompaniesError(DomainError):
    code: CompaniesErrorCode
