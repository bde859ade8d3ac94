from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import Info

from schema.companies.types import CompaniesError
from schema.companies.types.reorder import checked_service_level, company_today
from schema.core.errors import ForbiddenError
from schema.core.files import FileType
from schema.core.permissions import actor_of
from schema.core.relay import parse_global_id
from server.accounts.models import User
from server.companies import reorder_export
from server.companies.models import Company


@strawberry.input(description="Which company's reorder advice to export, at which service level.")
class ExportReorderAdviceInput:
    company_id: strawberry.ID = strawberry.field(description="The company (a Company id).")
    service_level: float = strawberry.field(
        default=0.95,
        description="The probability of not running out during a lead time, 0.5 to 0.999.",
    )


@strawberry.type(description="exportReorderAdvice: the CSV file, or why none was made.")
class ExportReorderAdvicePayload:
    file: FileType | None = strawberry.field(
        default=None,
        description="The CSV file (one row per product, as reorderAdvice sorts them); download "
        "it through its signed `url`.",
    )
    errors: list[CompaniesError] = strawberry.field(
        default_factory=list, description="Empty on success (no expected failure yet)."
    )


async def export_reorder_advice(
    info: Info,
    input: Annotated[
        ExportReorderAdviceInput,
        strawberry.argument(description="The company and the service level."),
    ],
) -> ExportReorderAdvicePayload:
    """Export the company's reorder advice as CSV (spreadsheet-formula safe)."""
    service_level = checked_service_level(input.service_level, field="input.serviceLevel")
    # IsCompanyMember has admitted the caller for this company.
    company = await Company.get(id=parse_global_id(str(input.company_id), "Company"))
    actor = await actor_of(info)
    made_by = actor.user
    if made_by is None and actor.api_key is not None and actor.api_key.owner_id is not None:
        made_by = await User.get_or_none(id=actor.api_key.owner_id)  # a company key's creator
    if made_by is None:
        raise ForbiddenError("This company key has no creator left to own an export.")
    file = await reorder_export.export_reorder_advice(
        company=company,
        service_level=service_level,
        as_of=company_today(company.timezone),
        made_by=made_by,
    )
    return ExportReorderAdvicePayload(file=FileType.from_model(file))
