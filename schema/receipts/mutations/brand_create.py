from __future__ import annotations

from typing import Annotated

import strawberry

from schema.receipts.inputs import CreateBrandInput
from schema.receipts.types import BrandType, ReceiptError, receipt_error
from server.receipts import brand_catalog
from server.receipts.errors import ReceiptsError


@strawberry.type(description="createBrand, updateBrand: the brand, or why nothing was done.")
class BrandPayload:
    brand: BrandType | None = strawberry.field(
        default=None, description="The brand as saved (null on an error)."
    )
    errors: list[ReceiptError] = strawberry.field(
        default_factory=list,
        description="Empty on success; INVALID_INPUT, DUPLICATE (the name is taken), NOT_FOUND "
        "(updateBrand).",
    )


async def create_brand(
    input: Annotated[
        CreateBrandInput, strawberry.argument(description="The brand's name, aliases and category.")
    ],
) -> BrandPayload:
    """Add a brand (admins). Items are linked to brands when receipts are read or validated."""
    try:
        brand = await brand_catalog.create_brand(
            name=input.name, aliases=input.aliases, category=input.category
        )
    except ReceiptsError as exc:
        return BrandPayload(errors=[receipt_error(exc)])
    return BrandPayload(brand=BrandType.from_model(brand))
