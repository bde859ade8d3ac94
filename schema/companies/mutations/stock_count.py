from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import Info

from schema.companies.inputs import RecordStockCountInput
from schema.companies.mutations.stock_adjust import StockMovementPayload, failed, posted
from schema.core.relay import parse_global_id
from server.companies import stock
from server.companies.errors import CompaniesError as CompaniesFailure


async def record_stock_count(
    info: Info,
    input: Annotated[
        RecordStockCountInput,
        strawberry.argument(description="The product, the quantity counted and when."),
    ],
) -> StockMovementPayload:
    """Record a physical count (COUNT): the balance becomes the counted quantity."""
    company_id = parse_global_id(input.company_id, "Company")
    product_id = parse_global_id(input.product_id, "Product")
    actor = await info.context.actor()
    try:
        done = await stock.record_stock_count(
            company_id=company_id,
            product_id=product_id,
            counted_quantity=input.counted_quantity,
            counted_at=input.counted_at,
            reason=input.reason or "",
            created_by_id=actor.user.id if actor.user is not None else None,
        )
    except CompaniesFailure as exc:
        return failed(exc)
    return posted(done)
