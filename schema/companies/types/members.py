"""A company's members and invitations, as its members (and, for invitations, its ADMINs) see
them. Both lists are loaded per request in one query each (DataLoaders in
`schema/companies/loaders.py`), whatever the number of companies asked for."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import Info

from schema.companies.loaders import invitations_by_company, members_by_company
from schema.core.permissions import HasScope, IsCompanyMember
from schema.core.relay import Node, global_id, nodes_in_order, register_node
from schema.core.scalars import described_enum
from server.access import visible
from server.companies import models
from server.companies.invitations import InvitationStatus, status_of
from server.companies.members import Member

if TYPE_CHECKING:
    from schema.companies.types.company import CompanyRole

# The role enum lives with the Company type, which imports this module's resolvers.
Role = Annotated["CompanyRole", strawberry.lazy("schema.companies.types.company")]

InvitationStatusEnum = described_enum(
    InvitationStatus,
    name="InvitationStatus",
    description="Where an invitation stands.",
    values={
        "PENDING": "Sent, not yet accepted, revoked or expired: its link works.",
        "ACCEPTED": "Used: the invited person joined.",
        "EXPIRED": "Not accepted in time: its link no longer works.",
        "REVOKED": "Withdrawn by an ADMIN: its link no longer works.",
    },
)


@strawberry.type(name="CompanyMember", description="A member of a company and their role.")
class MemberType:
    user_id: strawberry.ID = strawberry.field(
        description="The member's User id (for changeMemberRole and removeMember)."
    )
    email: str = strawberry.field(
        description="The member's email address; shown to the company's members only."
    )
    role: Role = strawberry.field(description="Their role in the company.")
    joined_at: datetime = strawberry.field(description="When they joined (ISO-8601).")

    @classmethod
    def from_member(cls, member: Member) -> MemberType:
        return cls(
            user_id=global_id("User", member.user_id),
            email=member.email,
            role=member.role,
            joined_at=member.joined_at,
        )


@register_node
@strawberry.type(
    name="Invitation",
    description="An invitation to join a company: single use, it expires. Its link (token) is "
    "never shown here. Company ADMINs only, through `company.invitations` or `node(id:)`.",
)
class InvitationType(Node):
    read_permissions = (
        HasScope("companies"),
        IsCompanyMember(role=models.CompanyRole.ADMIN),
    )

    email: str = strawberry.field(description="The invited address (lower case).")
    role: Role = strawberry.field(description="The role the invited person gets on accepting.")
    status: InvitationStatusEnum = strawberry.field(  # type: ignore[valid-type]
        description="PENDING, ACCEPTED, EXPIRED or REVOKED."
    )
    expires_at: datetime = strawberry.field(description="When its link stops working.")
    created_at: datetime = strawberry.field(description="When it was first sent.")
    accepted_at: datetime | None = strawberry.field(description="When it was accepted, if so.")
    revoked_at: datetime | None = strawberry.field(description="When it was revoked, if so.")
    company_pk: strawberry.Private[uuid.UUID]

    @classmethod
    def from_model(cls, invitation: models.Invitation) -> InvitationType:
        return cls(
            id=global_id("Invitation", invitation.id),
            email=invitation.email,
            role=invitation.role,
            status=status_of(invitation),
            expires_at=invitation.expires_at,
            created_at=invitation.created_at,
            accepted_at=invitation.accepted_at,
            revoked_at=invitation.revoked_at,
            company_pk=invitation.company_id,
        )

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[InvitationType | None]:
        ids = list(node_ids)
        query = visible(await info.context.actor(), models.Invitation).filter(id__in=ids)
        return nodes_in_order(ids, await query, cls.from_model)


async def resolve_members(root: strawberry.Parent[object], info: Info) -> list[MemberType]:
    company_pk: uuid.UUID = root.company_pk  # type: ignore[attr-defined]
    members = await members_by_company(info.context).load(company_pk)
    return [MemberType.from_member(member) for member in members]


async def resolve_invitations(root: strawberry.Parent[object], info: Info) -> list[InvitationType]:
    company_pk: uuid.UUID = root.company_pk  # type: ignore[attr-defined]
    rows = await invitations_by_company(info.context).load(company_pk)
    return [InvitationType.from_model(row) for row in rows]
