"""Companies queries: the caller's companies."""

from __future__ import annotations

import strawberry
from strawberry import Info

from schema.companies.types import CompanyMembership, CompanyType
from schema.core.permissions import HasScope
from server.companies import memberships
from server.companies.models import CompanyRole as Role


@strawberry.type
class CompaniesQuery:
    @strawberry.field(
        permission_classes=[HasScope("companies")],
        description="The companies you belong to, with your role, by name. A company's API key "
        "sees its own company (as a MEMBER). An API key needs the `companies` scope.",
    )
    async def my_companies(self, info: Info) -> list[CompanyMembership]:
        actor = await info.context.actor()
        if actor.company is not None:
            return [
                CompanyMembership(
                    company=CompanyType.from_model(actor.company),
                    role=Role.MEMBER,
                )
            ]
        assert actor.user is not None  # the rule refused anonymous callers
        return [
            CompanyMembership(company=CompanyType.from_model(m.company), role=m.role)
            for m in await memberships.companies_of(actor.user.id)
        ]
