from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import Info

from schema.companies.types import CompaniesError
from schema.core.relay import global_id, parse_global_id
from schema.core.scalars import payload_error
from schema.core.validation import constraint
from server.companies import companies
from server.companies.errors import CompaniesError as CompaniesFailure


@strawberry.type(description="deleteCompany: which company is gone, or why it is not.")
class DeleteCompanyPayload:
    deleted_company_id: strawberry.ID | None = strawberry.field(
        default=None, description="The deleted company's id (null on an error)."
    )
    errors: list[CompaniesError] = strawberry.field(
        default_factory=list,
        description="Empty on success; NOT_FOUND, CONFIRMATION_MISMATCH (field confirmName).",
    )


async def delete_company(
    info: Info,
    company_id: Annotated[strawberry.ID, strawberry.argument(description="The Company's id.")],
    confirm_name: Annotated[
        str,
        strawberry.argument(
            description="The company's name, typed again exactly, to confirm.",
            metadata=constraint(max_length=200),
        ),
    ],
) -> DeleteCompanyPayload:
    """Delete a company and everything it owns (its ADMINs)."""
    try:
        done = await companies.delete_company(
            company_id=parse_global_id(company_id, "Company"), confirm_name=confirm_name
        )
    except CompaniesFailure as exc:
        return DeleteCompanyPayload(errors=[payload_error(CompaniesError, exc)])
    return DeleteCompanyPayload(deleted_company_id=global_id("Company", done.company_id))
