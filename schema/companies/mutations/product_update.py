from __future__ import annotations

from typing import Annotated, Any

import strawberry

from schema.companies.inputs import UpdateProductInput
from schema.companies.mutations.product_create import ProductPayload, failed
from schema.companies.types.products import ProductType
from schema.core.relay import parse_global_id
from server.companies import products
from server.companies.errors import CompaniesError as CompaniesFailure


def kept(value: Any) -> Any:
    """An input field's value for the services: KEEP when it was left out."""
    return products.KEEP if value is strawberry.UNSET else value


async def update_product(
    input: Annotated[
        UpdateProductInput,
        strawberry.argument(description="The product and the changes."),
    ],
) -> ProductPayload:
    """Change a product (its company's ADMINs)."""
    company_id = parse_global_id(input.company_id, "Company")
    product_id = parse_global_id(input.id, "Product")
    fields = products.ProductFields(
        sku=kept(input.sku),
        name=kept(input.name),
        category=kept(input.category),
        unit=kept(input.unit),
        cost=kept(input.cost),
        price=kept(input.price),
        lead_time_days=kept(input.lead_time_days),
        min_order_quantity=kept(input.min_order_quantity),
        reorder_point=kept(input.reorder_point),
    )
    try:
        product = await products.update_product(
            company_id=company_id, product_id=product_id, fields=fields
        )
    except CompaniesFailure as exc:
        return failed(exc)
    return ProductPayload(product=ProductType.from_model(product))
