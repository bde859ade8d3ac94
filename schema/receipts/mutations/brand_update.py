from __future__ import annotations

from typing import Annotated

import strawberry

from schema.core.relay import parse_global_id
from schema.receipts.inputs import UpdateBrandInput, kept
from schema.receipts.mutations.brand_create import BrandPayload
from schema.receipts.types import BrandType, receipt_error
from server.receipts import brand_catalog
from server.receipts.errors import ReceiptsError


async def update_brand(
    input: Annotated[
        UpdateBrandInput, strawberry.argument(description="The brand and the changes.")
    ],
) -> BrandPayload:
    """Change a brand (admins). Items already linked keep their link."""
    brand_id = parse_global_id(input.id, "Brand")
    try:
        brand = await brand_catalog.update_brand(
            brand_id=brand_id,
            name=kept(input.name),
            aliases=kept(input.aliases),
            category=kept(input.category),
        )
    except ReceiptsError as exc:
        return BrandPayload(errors=[receipt_error(exc)])
    return BrandPayload(brand=BrandType.from_model(brand))
