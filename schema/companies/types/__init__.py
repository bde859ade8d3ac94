"""GraphQL types of the companies area, one module per group (company, members, products...)."""

from schema.companies.types.company import (
    CompaniesError,
    CompaniesErrorCodeEnum,
    CompanyMembership,
    CompanyRole,
    CompanyType,
)

__all__ = [
    "CompaniesError",
    "CompaniesErrorCodeEnum",
    "CompanyMembership",
    "CompanyRole",
    "CompanyType",
]
