from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import Info

from schema.companies.types import CompaniesError, CompanyMembership, CompanyType
from schema.core.permissions import require_user
from schema.core.scalars import payload_error
from schema.core.validation import constraint
from server.companies import invitations
from server.companies.errors import CompaniesError as CompaniesFailure
from server.companies.models import Company, CompanyRole


@strawberry.type(description="acceptInvitation: the company you joined, or why you did not.")
class AcceptInvitationPayload:
    membership: CompanyMembership | None = strawberry.field(
        default=None, description="The company you joined and your role (null on an error)."
    )
    errors: list[CompaniesError] = strawberry.field(
        default_factory=list,
        description="Empty on success; INVITATION_NOT_FOUND, INVITATION_EMAIL_MISMATCH, "
        "INVITATION_REVOKED, INVITATION_USED, INVITATION_EXPIRED, ALREADY_MEMBER.",
    )


async def accept_invitation(
    info: Info,
    token: Annotated[
        str,
        strawberry.argument(
            description="The token from the invitation's link.",
            metadata=constraint(max_length=200),
        ),
    ],
) -> AcceptInvitationPayload:
    """Join a company with an invitation addressed to your email."""
    user = await require_user(info)
    try:
        membership = await invitations.accept_invitation(user=user, token=token)
    except CompaniesFailure as exc:
        return AcceptInvitationPayload(errors=[payload_error(CompaniesError, exc)])
    company = await Company.get(id=membership.company_id)
    return AcceptInvitationPayload(
        membership=CompanyMembership(
            company=CompanyType.from_model(company), role=CompanyRole(membership.role)
        )
    )
