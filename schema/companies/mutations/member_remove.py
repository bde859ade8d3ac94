from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import Info

from schema.companies.types import CompaniesError
from schema.core.relay import global_id, parse_global_id
from schema.core.scalars import payload_error
from server.companies import members
from server.companies.errors import CompaniesError as CompaniesFailure


@strawberry.type(description="removeMember: who was removed, or why not.")
class RemoveMemberPayload:
    removed_user_id: strawberry.ID | None = strawberry.field(
        default=None, description="The removed member's User id (null on an error)."
    )
    errors: list[CompaniesError] = strawberry.field(
        default_factory=list,
        description="Empty on success; NOT_FOUND, NOT_A_MEMBER, LAST_ADMIN.",
    )


async def remove_member(
    info: Info,
    company_id: Annotated[strawberry.ID, strawberry.argument(description="The Company's id.")],
    user_id: Annotated[strawberry.ID, strawberry.argument(description="The member's User id.")],
) -> RemoveMemberPayload:
    """Remove a member from a company (its ADMINs); they lose access at once."""
    try:
        user_pk = parse_global_id(user_id, "User")
        await members.remove_member(
            company_id=parse_global_id(company_id, "Company"), user_id=user_pk
        )
    except CompaniesFailure as exc:
        return RemoveMemberPayload(errors=[payload_error(CompaniesError, exc)])
    return RemoveMemberPayload(removed_user_id=global_id("User", user_pk))
