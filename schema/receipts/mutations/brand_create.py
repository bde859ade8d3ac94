from __future__ import annotations

import strawberry

from schema.receipts.inputs import CreateBrandInput
from schema.receipts.types import BrandType, ReceiptError, receipt_error
from server.receipts import services
from server.receipts.errors import ReceiptsError


@strawberry.type
class BrandPayload:
    brand: BrandType | None = None
    errors: list[ReceiptError] = strawberry.field(default_factory=list)


async def create_brand(input: CreateBrandInput) -> BrandPayload:
    """Add a brand (admins). Items are linked to brands when receipts are read or validated."""
    try:
        brand = await services.create_brand(
            name=input.name, aliases=input.aliases, category=input.category
        )
    except ReceiptsError as exc:
        return BrandPayload(errors=[receipt_error(exc)])
    return BrandPayload(brand=BrandType.from_model(brand))
