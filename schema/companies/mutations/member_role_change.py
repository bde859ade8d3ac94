from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import Info

from schema.companies.types import CompaniesError, CompanyRole
from schema.companies.types.members import MemberType
from schema.core.relay import parse_global_id
from schema.core.scalars import payload_error
from server.companies import members
from server.companies.errors import CompaniesError as CompaniesFailure
from server.companies.models import CompanyRole as Role


@strawberry.input(description="A member's new role in a company.")
class ChangeMemberRoleInput:
    company_id: strawberry.ID = strawberry.field(description="The Company's global id.")
    user_id: strawberry.ID = strawberry.field(description="The member's User id.")
    role: CompanyRole = strawberry.field(  # type: ignore[valid-type]
        description="Their new role."
    )


@strawberry.type(description="changeMemberRole: the member with their new role, or why not.")
class ChangeMemberRolePayload:
    member: MemberType | None = strawberry.field(
        default=None, description="The member after the change (null on an error)."
    )
    errors: list[CompaniesError] = strawberry.field(
        default_factory=list,
        description="Empty on success; NOT_FOUND, NOT_A_MEMBER, LAST_ADMIN.",
    )


async def change_member_role(
    info: Info,
    input: Annotated[
        ChangeMemberRoleInput, strawberry.argument(description="The company, member and role.")
    ],
) -> ChangeMemberRolePayload:
    """Change a member's role (its ADMINs); the last ADMIN cannot be demoted."""
    try:
        member = await members.change_member_role(
            company_id=parse_global_id(input.company_id, "Company"),
            user_id=parse_global_id(input.user_id, "User"),
            role=Role(input.role),
        )
    except CompaniesFailure as exc:
        return ChangeMemberRolePayload(errors=[payload_error(CompaniesError, exc)])
    return ChangeMemberRolePayload(member=MemberType.from_member(member))
