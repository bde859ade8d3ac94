from __future__ import annotations

from typing import Annotated

import strawberry

from schema.companies.inputs import CreateProductInput
from schema.companies.types import CompaniesError
from schema.companies.types.products import ProductType
from schema.core.relay import parse_global_id
from schema.core.scalars import payload_error
from server.companies import products
from server.companies.errors import CompaniesError as CompaniesFailure


@strawberry.type(description="A product mutation's outcome: the product, or why nothing changed.")
class ProductPayload:
    product: ProductType | None = strawberry.field(
        default=None, description="The product as it now is (null on an error)."
    )
    errors: list[CompaniesError] = strawberry.field(
        default_factory=list,
        description="Empty on success; otherwise what was refused, naming the field: NOT_FOUND, "
        "INVALID_SKU, DUPLICATE_SKU, INVALID_NAME, INVALID_INPUT, INVALID_PRICE, "
        "INVALID_LEAD_TIME, INVALID_QUANTITY.",
    )


def failed(exc: CompaniesFailure) -> ProductPayload:
    return ProductPayload(errors=[payload_error(CompaniesError, exc)])


async def create_product(
    input: Annotated[
        CreateProductInput,
        strawberry.argument(description="The company and the product's fields."),
    ],
) -> ProductPayload:
    """Create a product in a company (its ADMINs)."""
    company_id = parse_global_id(input.company_id, "Company")
    fields = products.ProductFields(
        sku=input.sku,
        name=input.name,
        category=input.category if input.category is not None else products.KEEP,
        unit=input.unit if input.unit is not None else products.KEEP,
        cost=input.cost,
        price=input.price,
        lead_time_days=(
            input.lead_time_days if input.lead_time_days is not None else products.KEEP
        ),
        min_order_quantity=(
            input.min_order_quantity if input.min_order_quantity is not None else products.KEEP
        ),
        reorder_point=input.reorder_point,
    )
    try:
        product = await products.create_product(company_id=company_id, fields=fields)
    except CompaniesFailure as exc:
        return failed(exc)
    return ProductPayload(product=ProductType.from_model(product))
