from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import Info

from schema.companies.types import CompaniesError, CompanyType
from schema.core.relay import parse_global_id
from schema.core.scalars import payload_error
from schema.core.validation import constraint
from server.companies import companies
from server.companies.errors import CompaniesError as CompaniesFailure


@strawberry.input(description="What to change in a company; a field left out keeps its value.")
class UpdateCompanyInput:
    company_id: strawberry.ID = strawberry.field(description="The Company's global id.")
    name: str | None = strawberry.field(
        default=None,
        metadata=constraint(max_length=100),
        description="A new name, 1 to 100 characters (spaces collapsed).",
    )
    currency: str | None = strawberry.field(
        default=None,
        metadata=constraint(max_length=3),
        description="A new ISO 4217 currency code, e.g. EUR.",
    )
    timezone: str | None = strawberry.field(
        default=None,
        metadata=constraint(max_length=64),
        description="A new IANA time zone name, e.g. Europe/Paris.",
    )
    country: str | None = strawberry.field(
        default=None,
        metadata=constraint(max_length=2),
        description="A new ISO 3166-1 alpha-2 country code, e.g. FR.",
    )


@strawberry.type(description="updateCompany: the company as it now is, or why nothing changed.")
class UpdateCompanyPayload:
    company: CompanyType | None = strawberry.field(
        default=None, description="The company after the change (null on an error)."
    )
    errors: list[CompaniesError] = strawberry.field(
        default_factory=list,
        description="Empty on success; NOT_FOUND, INVALID_NAME, INVALID_CURRENCY, "
        "INVALID_TIMEZONE, INVALID_COUNTRY naming the field.",
    )


async def update_company(
    info: Info,
    input: Annotated[
        UpdateCompanyInput,
        strawberry.argument(description="The company and the settings to change."),
    ],
) -> UpdateCompanyPayload:
    """Change a company's settings (its ADMINs)."""
    try:
        company = await companies.update_company(
            company_id=parse_global_id(input.company_id, "Company"),
            name=input.name,
            currency=input.currency,
            timezone=input.timezone,
            country=input.country,
        )
    except CompaniesFailure as exc:
        return UpdateCompanyPayload(errors=[payload_error(CompaniesError, exc)])
    return UpdateCompanyPayload(company=CompanyType.from_model(company))
