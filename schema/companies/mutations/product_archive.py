from __future__ import annotations

from typing import Annotated

import strawberry

from schema.companies.inputs import ArchiveProductInput, DeleteProductInput
from schema.companies.mutations.product_create import ProductPayload, failed
from schema.companies.types import CompaniesError
from schema.companies.types.products import ProductType
from schema.core.relay import global_id, parse_global_id
from schema.core.scalars import payload_error
from server.companies import products
from server.companies.errors import CompaniesError as CompaniesFailure


@strawberry.type(description="deleteProduct: the id deleted, or why nothing was.")
class DeleteProductPayload:
    deleted_id: strawberry.ID | None = strawberry.field(
        default=None, description="The deleted Product's global id (null on an error)."
    )
    errors: list[CompaniesError] = strawberry.field(
        default_factory=list,
        description="Empty on success; NOT_FOUND, or PRODUCT_IN_USE for a product with stock "
        "movements, sales or forecasts (archive it instead).",
    )


async def archive_product(
    input: Annotated[
        ArchiveProductInput,
        strawberry.argument(description="The product, and whether to archive or restore it."),
    ],
) -> ProductPayload:
    """Archive (or restore) a product: its history stays."""
    company_id = parse_global_id(input.company_id, "Company")
    product_id = parse_global_id(input.id, "Product")
    try:
        product = await products.archive_product(
            company_id=company_id, product_id=product_id, archived=input.archived
        )
    except CompaniesFailure as exc:
        return failed(exc)
    return ProductPayload(product=ProductType.from_model(product))


async def delete_product(
    input: Annotated[DeleteProductInput, strawberry.argument(description="The product to delete.")],
) -> DeleteProductPayload:
    """Delete a product without history."""
    company_id = parse_global_id(input.company_id, "Company")
    product_id = parse_global_id(input.id, "Product")
    try:
        deleted = await products.delete_product(company_id=company_id, product_id=product_id)
    except CompaniesFailure as exc:
        return DeleteProductPayload(errors=[payload_error(CompaniesError, exc)])
    return DeleteProductPayload(deleted_id=global_id("Product", deleted))
