from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import Info

from schema.companies.types import CompaniesError
from schema.companies.types.members import InvitationType
from schema.core.relay import parse_global_id
from schema.core.scalars import payload_error
from server.companies import invitations
from server.companies.errors import CompaniesError as CompaniesFailure


@strawberry.type(description="revokeInvitation: the revoked invitation, or why it is not.")
class RevokeInvitationPayload:
    invitation: InvitationType | None = strawberry.field(
        default=None, description="The invitation, now REVOKED (null on an error)."
    )
    errors: list[CompaniesError] = strawberry.field(
        default_factory=list,
        description="Empty on success; INVITATION_NOT_FOUND (also another company's), "
        "INVITATION_USED.",
    )


async def revoke_invitation(
    info: Info,
    company_id: Annotated[strawberry.ID, strawberry.argument(description="The Company's id.")],
    invitation_id: Annotated[
        strawberry.ID, strawberry.argument(description="The Invitation's id.")
    ],
) -> RevokeInvitationPayload:
    """Revoke a pending invitation (its link stops working); revoking twice is harmless."""
    try:
        invitation = await invitations.revoke_invitation(
            company_id=parse_global_id(company_id, "Company"),
            invitation_id=parse_global_id(invitation_id, "Invitation"),
        )
    except CompaniesFailure as exc:
        return RevokeInvitationPayload(errors=[payload_error(CompaniesError, exc)])
    return RevokeInvitationPayload(invitation=InvitationType.from_model(invitation))
