"""A company's members: who they are, changing their role, removing them, leaving.

The last ADMIN rule: a company always keeps at least one ADMIN, so its last ADMIN can neither
leave, nor be demoted, nor be removed (LAST_ADMIN). Every change locks the company's row first
(SELECT ... FOR UPDATE on PostgreSQL; SQLite serialises writers), so two ADMINs demoting each
other at once cannot both succeed: the second sees the first's change and is refused.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from tortoise.transactions import in_transaction

from server.companies.errors import CompaniesError, CompaniesErrorCode
from server.companies.models import Company, CompanyRole, Membership


@dataclass(frozen=True, slots=True)
class Member:
    """One member of a company as its members see them."""

    user_id: uuid.UUID
    email: str
    role: CompanyRole
    joined_at: datetime


async def members_of(company_ids: list[uuid.UUID]) -> list[list[Member]]:
    """Each company's members (ADMINs first, then by email), in one query."""
    grouped: dict[uuid.UUID, list[Member]] = defaultdict(list)
    rows = (
        await Membership.filter(company_id__in=company_ids)
        .order_by("role", "user__email")
        .values("company_id", "user_id", "user__email", "role", "created_at")
    )
    for row in rows:
        grouped[row["company_id"]].append(
            Member(
                user_id=row["user_id"],
                email=row["user__email"],
                role=CompanyRole(row["role"]),
                joined_at=row["created_at"],
            )
        )
    return [grouped.get(company_id, []) for company_id in company_ids]


async def _locked_membership(company_id: uuid.UUID, user_id: uuid.UUID) -> Membership:
    """Lock the company (the set of its memberships) and return the user's membership. Call
    inside a transaction. Raises NOT_FOUND, NOT_A_MEMBER."""
    # `.first()`, not `.exists()`: Tortoise's exists() drops FOR UPDATE (SELECT 1 ... LIMIT 1),
    # which let two ADMINs demote each other at once on PostgreSQL and leave none.
    if await Company.filter(id=company_id).select_for_update().only("id").first() is None:
        raise CompaniesError(CompaniesErrorCode.NOT_FOUND, "No such company.", field="company_id")
    membership = await Membership.get_or_none(company_id=company_id, user_id=user_id)
    if membership is None:
        raise CompaniesError(
            CompaniesErrorCode.NOT_A_MEMBER, "This user is not a member.", field="user_id"
        )
    return membership


async def _refuse_last_admin(membership: Membership, message: str) -> None:
    if membership.role != CompanyRole.ADMIN:
        return
    admins = await Membership.filter(
        company_id=membership.company_id, role=CompanyRole.ADMIN
    ).count()
    if admins <= 1:
        raise CompaniesError(CompaniesErrorCode.LAST_ADMIN, message)


async def change_member_role(
    *, company_id: uuid.UUID, user_id: uuid.UUID, role: CompanyRole
) -> Member:
    """Give a member another role. Raises NOT_FOUND, NOT_A_MEMBER, LAST_ADMIN (demoting the
    last ADMIN)."""
    async with in_transaction():
        membership = await _locked_membership(company_id, user_id)
        if role != CompanyRole.ADMIN:
            await _refuse_last_admin(
                membership, "The last ADMIN cannot be demoted: make another member ADMIN first."
            )
        if membership.role != role:
            membership.role = role
            await membership.save(update_fields=["role", "updated_at"])
        await membership.fetch_related("user")
    return Member(
        user_id=user_id,
        email=membership.user.email,
        role=role,
        joined_at=membership.created_at,
    )


async def remove_member(*, company_id: uuid.UUID, user_id: uuid.UUID) -> None:
    """Take a member out of the company (they lose access at once). Raises NOT_FOUND,
    NOT_A_MEMBER, LAST_ADMIN."""
    async with in_transaction():
        membership = await _locked_membership(company_id, user_id)
        await _refuse_last_admin(
            membership, "The last ADMIN cannot be removed: make another member ADMIN first."
        )
        await membership.delete()


async def leave_company(*, company_id: uuid.UUID, user_id: uuid.UUID) -> None:
    """Leave a company. Raises NOT_FOUND, NOT_A_MEMBER, LAST_ADMIN (make another member ADMIN,
    or delete the company)."""
    async with in_transaction():
        membership = await _locked_membership(company_id, user_id)
        await _refuse_last_admin(
            membership,
            "The last ADMIN cannot leave: make another member ADMIN first, or delete the company.",
        )
        await membership.delete()
