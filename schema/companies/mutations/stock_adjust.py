from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import Info

from schema.companies.inputs import AdjustStockInput
from schema.companies.types import CompaniesError
from schema.companies.types.products import ProductType, StockMovementType
from schema.core.relay import parse_global_id
from schema.core.scalars import payload_error
from server.companies import stock
from server.companies.errors import CompaniesError as CompaniesFailure


@strawberry.type(description="A stock mutation's outcome: the movement recorded and the product.")
class StockMovementPayload:
    movement: StockMovementType | None = strawberry.field(
        default=None, description="The movement recorded (null on an error)."
    )
    product: ProductType | None = strawberry.field(
        default=None, description="The product with its new stock on hand (null on an error)."
    )
    errors: list[CompaniesError] = strawberry.field(
        default_factory=list,
        description="Empty on success; NOT_FOUND, PRODUCT_ARCHIVED, INVALID_QUANTITY, "
        "INVALID_INPUT naming the field.",
    )


def posted(done: stock.Posted) -> StockMovementPayload:
    return StockMovementPayload(
        movement=StockMovementType.from_model(done.movement),
        product=ProductType.from_model(done.product),
    )


def failed(exc: CompaniesFailure) -> StockMovementPayload:
    return StockMovementPayload(errors=[payload_error(CompaniesError, exc)])


async def adjust_stock(
    info: Info,
    input: Annotated[
        AdjustStockInput,
        strawberry.argument(description="The product, the signed quantity and the reason."),
    ],
) -> StockMovementPayload:
    """Correct a product's stock (ADJUSTMENT)."""
    company_id = parse_global_id(input.company_id, "Company")
    product_id = parse_global_id(input.product_id, "Product")
    actor = await info.context.actor()
    try:
        done = await stock.adjust_stock(
            company_id=company_id,
            product_id=product_id,
            quantity=input.quantity,
            reason=input.reason,
            created_by_id=actor.user.id if actor.user is not None else None,
        )
    except CompaniesFailure as exc:
        return failed(exc)
    return posted(done)
