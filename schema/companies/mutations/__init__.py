"""Companies mutations, one module each, gathered into one Mutation fragment."""

from __future__ import annotations

import strawberry

from schema.companies.mutations.company_create import CreateCompanyPayload, create_company
from schema.core.permissions import UserSession


@strawberry.type
class CompaniesMutation:
    create_company: CreateCompanyPayload = strawberry.mutation(
        resolver=create_company,
        permission_classes=[UserSession()],
        description="Create a company (name, currency, time zone, country); you become its "
        "ADMIN. Signed-in users only, never an API key. Errors: INVALID_NAME, "
        "INVALID_CURRENCY, INVALID_TIMEZONE, INVALID_COUNTRY.",
    )
