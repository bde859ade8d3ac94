from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import Info

from schema.companies.inputs import CreateCompanyInput
from schema.companies.types import CompaniesError, CompanyType
from schema.core.permissions import require_user
from schema.core.scalars import payload_error
from server.companies import memberships
from server.companies.errors import CompaniesError as CompaniesFailure


@strawberry.type(description="createCompany: the new company, or why none was made.")
class CreateCompanyPayload:
    company: CompanyType | None = strawberry.field(
        default=None, description="The new company, of which you are ADMIN (null on an error)."
    )
    errors: list[CompaniesError] = strawberry.field(
        default_factory=list,
        description="Empty on success; INVALID_NAME, INVALID_CURRENCY, INVALID_TIMEZONE, "
        "INVALID_COUNTRY naming the field.",
    )


async def create_company(
    info: Info,
    input: Annotated[
        CreateCompanyInput,
        strawberry.argument(description="Its name, currency, time zone and country."),
    ],
) -> CreateCompanyPayload:
    """Create a company; the caller becomes its ADMIN."""
    creator = await require_user(info)
    try:
        company = await memberships.create_company(
            creator=creator,
            name=input.name,
            currency=input.currency,
            timezone=input.timezone,
            country=input.country,
        )
    except CompaniesFailure as exc:
        return CreateCompanyPayload(errors=[payload_error(CompaniesError, exc)])
    return CreateCompanyPayload(company=CompanyType.from_model(company))
