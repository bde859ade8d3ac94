"""The Company Node, a membership, the companies error. The company's nested lists (members,
products, imports, forecasts, advice) are fields here, typed in their own modules."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Annotated

import strawberry
from strawberry import Info

from schema.accounts.loaders import api_keys_by_company
from schema.accounts.types import ApiKeyType
from schema.companies.types.forecasts import (
    ForecastRunType,
    ProductForecastType,
    resolve_forecast_runs,
    resolve_forecasts,
)
from schema.companies.types.members import (
    InvitationType,
    MemberType,
    resolve_invitations,
    resolve_members,
)
from schema.companies.types.products import ProductType
from schema.companies.types.reorder import ReorderAdviceType, resolve_reorder_advice
from schema.companies.types.sales import SaleType, resolve_sales
from schema.companies.types.sales_imports import SalesImportType, resolve_sales_imports
from schema.core.permissions import HasScope, IsCompanyMember
from schema.core.relay import (
    After,
    Connection,
    First,
    Node,
    global_id,
    nodes_in_order,
    paginate,
    parse_global_id,
    register_node,
)
from schema.core.scalars import described_enum
from server.access import visible
from server.companies import models
from server.companies import products as products_service
from server.companies.errors import CompaniesErrorCode

CompanyRole = described_enum(
    models.CompanyRole,
    name="CompanyRole",
    description="What a member may do in a company.",
    values={
        "ADMIN": "Manages the company: its settings, members, invitations and API keys.",
        "MEMBER": "Works with the company's data.",
    },
)
CompaniesErrorCodeEnum = described_enum(
    CompaniesErrorCode,
    name="CompaniesErrorCode",
    description="Why a companies mutation did nothing.",
    values={
        "CONFIRMATION_MISMATCH": "deleteCompany: confirmName is not the company's name.",
        "INVALID_EMAIL": "Not a valid email address.",
        "ALREADY_MEMBER": "That person is already a member of the company.",
        "NOT_A_MEMBER": "That user is not a member of the company.",
        "LAST_ADMIN": "The company's last ADMIN cannot leave, be demoted or be removed.",
        "INVITATIONS_THROTTLED": "Too many invitations from this company in the last hour.",
        "INVITATION_NOT_FOUND": "No invitation has this token or id (a newer one replaces "
        "an older token).",
        "INVITATION_EXPIRED": "The invitation expired: ask for a new one.",
        "INVITATION_USED": "The invitation was already accepted.",
        "INVITATION_REVOKED": "The invitation was revoked.",
        "INVITATION_EMAIL_MISMATCH": "The invitation is for another email address.",
        "INVALID_NAME": "The name is empty or longer than 100 characters.",
        "INVALID_CURRENCY": "Not an ISO 4217 currency code (e.g. EUR).",
        "INVALID_TIMEZONE": "Not an IANA time zone name (e.g. Europe/Paris).",
        "INVALID_COUNTRY": "Not an ISO 3166-1 alpha-2 country code (e.g. FR).",
        "INVALID_SKU": "A SKU must have 1 to 64 characters, without spaces.",
        "DUPLICATE_SKU": "Another product of the company has this SKU (ignoring case).",
        "INVALID_PRICE": "A cost or price must be 0 or more, below 10^10, at most 4 decimals.",
        "INVALID_QUANTITY": "A quantity is negative, zero where it may not be, too large or has "
        "more than 3 decimals.",
        "INVALID_LEAD_TIME": "A lead time must be a whole number of days from 0 to 365.",
        "PRODUCT_ARCHIVED": "The product is archived: restore it before moving its stock.",
        "PRODUCT_IN_USE": "The product has stock movements, sales or forecasts: archive it "
        "instead of deleting it.",
        "NOT_FOUND": "No such company (it may have been deleted).",
        "INVALID_INPUT": "A value is out of its bounds (too long, in the future...): see the "
        "message and field.",
        "EMPTY_FILE": "The sales file is empty or has no header line.",
        "NOT_A_SALES_FILE": "The file is neither CSV text nor an XLSX workbook (whatever its "
        "name says), or cannot be read.",
        "FILE_TOO_LARGE": "The sales file is larger than SALES_IMPORT_MAX_BYTES.",
        "MISSING_COLUMN": "The mapping names a column the file does not have.",
        "KEY_WITHOUT_OWNER": "A company key whose creator is gone cannot start jobs.",
    },
)


@strawberry.type(
    name="CompaniesError",
    description="An expected failure of a companies mutation (the mutation changed nothing).",
)
class CompaniesError:
    field: str | None = strawberry.field(
        description="The input field at fault (camelCase), or null when it is no one field."
    )
    code: CompaniesErrorCodeEnum = strawberry.field(  # type: ignore[valid-type]
        description="What went wrong, for programs."
    )
    message: str = strawberry.field(description="What went wrong, in English, for people.")


@register_node
@strawberry.type(
    name="Company",
    description="A company: an owner of data besides a user, with members (ADMIN, MEMBER) and "
    "its own API keys. Its members see it (an API key needs the `companies` scope; a "
    "company's key sees its own company); through `node(id:)` the same.",
)
class CompanyType(Node):
    # Membership itself is the row filter (server.access.visible) for node(id:).
    read_permissions = (HasScope("companies"), IsCompanyMember())

    name: str = strawberry.field(description="The company's name, 1 to 100 characters.")
    currency: str = strawberry.field(description="Its currency, an ISO 4217 code (e.g. EUR).")
    timezone: str = strawberry.field(description="Its time zone, an IANA name (e.g. Europe/Paris).")
    country: str = strawberry.field(
        description="Its country, an ISO 3166-1 alpha-2 code (e.g. FR)."
    )
    created_at: datetime = strawberry.field(description="When it was created (ISO-8601).")
    # Read by IsCompanyMember on this type's own fields.
    company_pk: strawberry.Private[uuid.UUID]

    @classmethod
    def from_model(cls, company: models.Company) -> CompanyType:
        return cls(
            id=global_id("Company", company.id),
            name=company.name,
            currency=company.currency,
            timezone=company.timezone,
            country=company.country,
            created_at=company.created_at,
            company_pk=company.id,
        )

    @strawberry.field(
        permission_classes=[IsCompanyMember(role=models.CompanyRole.ADMIN)],
        description="The company's API keys, revoked and expired ones too, newest first. "
        "Company ADMINs only (batched per request).",
    )
    async def api_keys(self, info: Info) -> list[ApiKeyType]:
        rows = await api_keys_by_company(info.context).load(self.company_pk)
        return [ApiKeyType.from_row(row) for row in rows]

    sales_imports: Connection[SalesImportType] = strawberry.field(
        resolver=resolve_sales_imports,
        permission_classes=[HasScope("companies"), IsCompanyMember()],
        description="The company's sales imports, newest first, with their counts, row errors "
        "and jobs. Members (a company key too).",
    )
    sales: Connection[SaleType] = strawberry.field(
        resolver=resolve_sales,
        permission_classes=[HasScope("companies"), IsCompanyMember()],
        description="The company's sales history, newest day first, optionally one product's "
        "and between two days; keyset-paged. Members (a company key too).",
    )

    reorder_advice: list[ReorderAdviceType] = strawberry.field(
        resolver=resolve_reorder_advice,
        permission_classes=[HasScope("companies"), IsCompanyMember()],
        description="What to reorder: per active product, from its latest forecast, the "
        "lead-time demand, safety stock, reorder point, suggested quantity, days of cover and "
        "stock-out date; most urgent first (OUT_OF_STOCK, REORDER_NOW, SOON, OK, then "
        "NO_FORECAST), then by stock-out date. Members. BAD_USER_INPUT for a serviceLevel "
        "outside 0.5..0.999.",
    )

    @strawberry.field(
        permission_classes=[HasScope("companies"), IsCompanyMember()],
        description="The company's products by name (then id), keyset-paged; archived ones only "
        "with includeArchived. Members.",
    )
    async def products(
        self,
        first: First = None,
        after: After = None,
        search: Annotated[
            str | None,
            strawberry.argument(
                description="Products whose SKU starts with it or whose name contains it (any "
                "case)."
            ),
        ] = None,
        category: Annotated[
            str | None,
            strawberry.argument(description="Products of this category (any case)."),
        ] = None,
        include_archived: Annotated[
            bool, strawberry.argument(description="Include archived products.")
        ] = False,
    ) -> Connection[ProductType]:
        query = products_service.products_of(
            company_id=self.company_pk,
            search=search,
            category=category,
            include_archived=include_archived,
        )
        return await paginate(
            query,
            first=first,
            after=after,
            to_node=ProductType.from_model,
            sort_field="name",
            sort_type=str,
            descending=False,
        )

    @strawberry.field(
        permission_classes=[HasScope("companies"), IsCompanyMember()],
        description="One of the company's products (archived too); null when it has none with "
        "this id. Members.",
    )
    async def product(
        self,
        id: Annotated[strawberry.ID, strawberry.argument(description="The Product's global id.")],
    ) -> ProductType | None:
        product = await products_service.get_product(
            company_id=self.company_pk, product_id=parse_global_id(id, "Product")
        )
        return ProductType.from_model(product) if product is not None else None

    @strawberry.field(
        permission_classes=[HasScope("companies"), IsCompanyMember()],
        description="The distinct categories of the company's live products, sorted. Members.",
    )
    async def product_categories(self) -> list[str]:
        return await products_service.categories_of(company_id=self.company_pk)

    forecasts: Connection[ProductForecastType] = strawberry.field(
        resolver=resolve_forecasts,
        permission_classes=[HasScope("companies"), IsCompanyMember()],
        description="Each product's latest forecast (points with prediction intervals, model, "
        "backtest MASE, sMAPE and coverage, fallback), newest first, keyset-paged. Members.",
    )
    forecast_runs: Connection[ForecastRunType] = strawberry.field(
        resolver=resolve_forecast_runs,
        permission_classes=[HasScope("companies"), IsCompanyMember()],
        description="The company's forecast runs (forecastDemand), newest first, with their "
        "status, chosen strategy and backtest figures; keyset-paged. Members.",
    )

    members: list[MemberType] = strawberry.field(
        resolver=resolve_members,
        permission_classes=[HasScope("companies"), IsCompanyMember()],
        description="Who belongs to the company: ADMINs first, then by email. Members only "
        "(batched per request).",
    )
    invitations: list[InvitationType] = strawberry.field(
        resolver=resolve_invitations,
        permission_classes=[HasScope("companies"), IsCompanyMember(role=models.CompanyRole.ADMIN)],
        description="Every invitation of the company (pending, accepted, expired, revoked), "
        "newest first. Company ADMINs only (batched per request).",
    )

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[CompanyType | None]:
        ids = list(node_ids)
        query = visible(await info.context.actor(), models.Company).filter(id__in=ids)
        return nodes_in_order(ids, await query, cls.from_model)


@strawberry.type(description="A company you belong to, and your role there.")
class CompanyMembership:
    company: CompanyType = strawberry.field(description="The company.")
    role: CompanyRole = strawberry.field(  # type: ignore[valid-type]
        description="Your role in it (a company's API key is a MEMBER of its company)."
    )
