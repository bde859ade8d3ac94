from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import Info

from schema.companies.types import CompaniesError
from schema.core.permissions import require_user
from schema.core.relay import global_id, parse_global_id
from schema.core.scalars import payload_error
from server.companies import members
from server.companies.errors import CompaniesError as CompaniesFailure


@strawberry.type(description="leaveCompany: the company you left, or why you did not.")
class LeaveCompanyPayload:
    left_company_id: strawberry.ID | None = strawberry.field(
        default=None, description="The company you left (null on an error)."
    )
    errors: list[CompaniesError] = strawberry.field(
        default_factory=list,
        description="Empty on success; NOT_FOUND, NOT_A_MEMBER, LAST_ADMIN (make another "
        "member ADMIN first, or delete the company).",
    )


async def leave_company(
    info: Info,
    company_id: Annotated[strawberry.ID, strawberry.argument(description="The Company's id.")],
) -> LeaveCompanyPayload:
    """Leave a company you belong to."""
    user = await require_user(info)
    company_pk = parse_global_id(company_id, "Company")
    try:
        await members.leave_company(company_id=company_pk, user_id=user.id)
    except CompaniesFailure as exc:
        return LeaveCompanyPayload(errors=[payload_error(CompaniesError, exc)])
    return LeaveCompanyPayload(left_company_id=global_id("Company", company_pk))
