from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import Info

from schema.companies.types import CompaniesError, CompanyRole
from schema.companies.types.members import InvitationType
from schema.core.permissions import actor_of
from schema.core.relay import parse_global_id
from schema.core.scalars import payload_error
from schema.core.validation import EMAIL
from server.companies import invitations
from server.companies.errors import CompaniesError as CompaniesFailure
from server.companies.models import CompanyRole as Role


@strawberry.input(description="Whom to invite into a company, and with what role.")
class InviteMemberInput:
    company_id: strawberry.ID = strawberry.field(description="The Company's global id.")
    email: str = strawberry.field(metadata=EMAIL, description="The invited person's email.")
    role: CompanyRole = strawberry.field(  # type: ignore[valid-type]
        default=Role.MEMBER, description="The role they get on accepting (MEMBER by default)."
    )


@strawberry.type(description="inviteMember: the invitation, and its link when no email was sent.")
class InviteMemberPayload:
    invitation: InvitationType | None = strawberry.field(
        default=None, description="The invitation (null on an error)."
    )
    link: str | None = strawberry.field(
        default=None,
        description="The invitation's link, to pass on yourself: only when the server sends no "
        "email (SMTP not configured); null when it was emailed. It works once and expires.",
    )
    emailed: bool = strawberry.field(
        default=False, description="Whether the link goes to the invited address by email."
    )
    errors: list[CompaniesError] = strawberry.field(
        default_factory=list,
        description="Empty on success; NOT_FOUND, INVALID_EMAIL, ALREADY_MEMBER, "
        "INVITATIONS_THROTTLED.",
    )


async def invite_member(
    info: Info,
    input: Annotated[
        InviteMemberInput, strawberry.argument(description="The company, email and role.")
    ],
) -> InviteMemberPayload:
    """Invite someone into a company (its ADMINs); inviting a pending address again replaces
    its invitation (new link, new expiry)."""
    actor = await actor_of(info)
    try:
        sent = await invitations.invite_member(
            company_id=parse_global_id(input.company_id, "Company"),
            inviter=actor.user,
            email=input.email,
            role=Role(input.role),
        )
    except CompaniesFailure as exc:
        return InviteMemberPayload(errors=[payload_error(CompaniesError, exc)])
    return InviteMemberPayload(
        invitation=InvitationType.from_model(sent.invitation), link=sent.link, emailed=sent.emailed
    )
