from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import Info

from schema.companies.inputs import ReceiveStockInput
from schema.companies.mutations.stock_adjust import StockMovementPayload, failed, posted
from schema.core.relay import parse_global_id
from server.companies import stock
from server.companies.errors import CompaniesError as CompaniesFailure


async def receive_stock(
    info: Info,
    input: Annotated[
        ReceiveStockInput,
        strawberry.argument(description="The product and the quantity received."),
    ],
) -> StockMovementPayload:
    """Record goods received (RECEIPT)."""
    company_id = parse_global_id(input.company_id, "Company")
    product_id = parse_global_id(input.product_id, "Product")
    actor = await info.context.actor()
    try:
        done = await stock.receive_stock(
            company_id=company_id,
            product_id=product_id,
            quantity=input.quantity,
            reason=input.reason or "",
            created_by_id=actor.user.id if actor.user is not None else None,
        )
    except CompaniesFailure as exc:
        return failed(exc)
    return posted(done)
