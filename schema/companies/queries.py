"""Companies queries: the caller's companies, and one company (where its data lives)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import Info

from schema.companies.types import CompanyMembership, CompanyType
from schema.core.permissions import HasScope, IsCompanyMember
from schema.core.relay import parse_global_id
from server.access import visible
from server.companies import memberships, models
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

    @strawberry.field(
        permission_classes=[HasScope("companies"), IsCompanyMember(argument="id")],
        description="One of your companies, by id: every company-scoped read lives under it "
        "(members, invitations, products, imports, forecasts, advice). Members only "
        "(FORBIDDEN otherwise, also for an unknown id); a company's key reads its own company. "
        "An API key needs the `companies` scope.",
    )
    async def company(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The Company's id.")],
    ) -> CompanyType | None:
        actor = await info.context.actor()
        found = await visible(actor, models.Company).get_or_none(id=parse_global_id(id, "Company"))
        return None if found is None else CompanyType.from_model(found)
