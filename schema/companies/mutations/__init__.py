"""Companies mutations, one module each, gathered into one Mutation fragment."""

from __future__ import annotations

import strawberry

from schema.companies.mutations.company_create import CreateCompanyPayload, create_company
from schema.companies.mutations.reorder_export import (
    ExportReorderAdvicePayload,
    export_reorder_advice,
)
from schema.core.permissions import HasScope, IsCompanyMember, UserSession


@strawberry.type
class CompaniesMutation:
    create_company: CreateCompanyPayload = strawberry.mutation(
        resolver=create_company,
        permission_classes=[UserSession()],
        description="Create a company (name, currency, time zone, country); you become its "
        "ADMIN. Signed-in users only, never an API key. Errors: INVALID_NAME, "
        "INVALID_CURRENCY, INVALID_TIMEZONE, INVALID_COUNTRY.",
    )
    export_reorder_advice: ExportReorderAdvicePayload = strawberry.mutation(
        resolver=export_reorder_advice,
        permission_classes=[HasScope("companies"), IsCompanyMember()],
        description="Export the company's reorder advice (as reorderAdvice gives it) as a CSV "
        "file, cells safe from spreadsheet formulas; download it through the file's signed "
        "`url`. Members (a company key too). BAD_USER_INPUT for a serviceLevel outside "
        "0.5..0.999.",
    )
