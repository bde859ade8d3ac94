"""The Product and StockMovement nodes (a company's catalogue and its stock ledger)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

import strawberry
from strawberry import Info

from schema.companies.loaders import movements_by_product
from schema.core.errors import BadUserInputError
from schema.core.permissions import HasScope, IsCompanyMember
from schema.core.relay import (
    After,
    Connection,
    Edge,
    First,
    Node,
    PageInfo,
    _decode_cursor,
    _encode_cursor,
    check_page_size,
    global_id,
    nodes_in_order,
    register_node,
)
from schema.core.scalars import described_enum
from server.access import visible
from server.companies import models

StockMovementKind = described_enum(
    models.StockMovementKind,
    name="StockMovementKind",
    description="What a stock movement records.",
    values={
        "RECEIPT": "Goods received: a positive quantity.",
        "SALE": "Goods sold: a negative quantity (a return: positive).",
        "ADJUSTMENT": "A correction by a signed quantity (damage, loss, found), with a reason.",
        "COUNT": "A physical count: the balance became the counted quantity; the quantity is "
        "the difference.",
    },
)


@register_node
@strawberry.type(
    name="StockMovement",
    description="One line of a product's append-only stock ledger (never changed or deleted). "
    "Members of the product's company see it (an API key needs the `companies` scope).",
)
class StockMovementType(Node):
    read_permissions = (HasScope("companies"), IsCompanyMember())

    sequence: int = strawberry.field(
        description="Its rank in the product's ledger: 1, 2, 3... without gaps."
    )
    kind: StockMovementKind = strawberry.field(  # type: ignore[valid-type]
        description="What it records."
    )
    quantity: Decimal = strawberry.field(
        description="The signed change of the stock on hand (a decimal string, up to 3 decimals)."
    )
    balance_after: Decimal = strawberry.field(
        description="The stock on hand after this movement (may be negative)."
    )
    below_zero: bool = strawberry.field(
        description="True when this movement left the stock negative (allowed, to be looked "
        "at: sales recorded before the goods were received, or a miscount)."
    )
    reason: str = strawberry.field(description="Why, as typed (empty when none was given).")
    occurred_at: datetime = strawberry.field(
        description="When it happened (a count's countedAt; otherwise when it was recorded)."
    )
    created_at: datetime = strawberry.field(description="When it was recorded.")
    product_id: strawberry.ID = strawberry.field(description="The Product's global id.")
    company_pk: strawberry.Private[uuid.UUID]

    @classmethod
    def from_model(cls, movement: models.StockMovement) -> StockMovementType:
        balance = Decimal(movement.balance_after)
        return cls(
            id=global_id("StockMovement", movement.id),
            sequence=movement.sequence,
            kind=models.StockMovementKind(movement.kind),
            quantity=_plain(Decimal(movement.quantity)),
            balance_after=_plain(balance),
            below_zero=balance < 0,
            reason=movement.reason,
            occurred_at=movement.occurred_at,
            created_at=movement.created_at,
            product_id=global_id("Product", movement.product_id),
            company_pk=movement.company_id,
        )

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[StockMovementType | None]:
        ids = list(node_ids)
        query = visible(await info.context.actor(), models.StockMovement).filter(id__in=ids)
        return nodes_in_order(ids, await query, cls.from_model)


def _plain(value: Decimal) -> Decimal:
    """A quantity without padding zeros (2.000 -> 2, 0.750 -> 0.75)."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def _plain_or_none(value: Decimal | None) -> Decimal | None:
    return None if value is None else _plain(value)


def _money(value: Decimal | None) -> Decimal | None:
    """Money with at least 2 decimals (12.5000 -> 12.50, 0.1234 kept)."""
    if value is None:
        return None
    plain = Decimal(value).normalize()
    return (
        plain if -int(plain.as_tuple().exponent) > 2 else Decimal(value).quantize(Decimal("0.01"))
    )


@register_node
@strawberry.type(
    name="Product",
    description="A product the company stocks and sells. Members of its company see it (an "
    "API key needs the `companies` scope); its ADMINs change it.",
)
class ProductType(Node):
    read_permissions = (HasScope("companies"), IsCompanyMember())

    sku: str = strawberry.field(
        description="Its code, unique in the company ignoring case (kept as typed)."
    )
    name: str = strawberry.field(description="Its name, 1 to 200 characters.")
    category: str = strawberry.field(description="Its category (empty when none).")
    unit: str = strawberry.field(description="The unit its quantities count (default `unit`).")
    cost: Decimal | None = strawberry.field(
        description="What one unit costs the company, in its currency (null: unknown)."
    )
    price: Decimal | None = strawberry.field(
        description="What one unit sells for, in the company's currency (null: unknown)."
    )
    lead_time_days: int = strawberry.field(
        description="Days between ordering and receiving it (0 to 365)."
    )
    min_order_quantity: Decimal = strawberry.field(
        description="The smallest quantity a supplier order may have (above 0)."
    )
    reorder_point: Decimal | None = strawberry.field(
        description="A fixed reorder point that overrides the computed one (null: computed)."
    )
    stock_on_hand: Decimal = strawberry.field(
        description="The balance of its stock ledger (the last movement's balanceAfter; may "
        "be negative)."
    )
    archived_at: datetime | None = strawberry.field(
        description="When it was archived (hidden from lists, no new movements); null: live."
    )
    created_at: datetime = strawberry.field(description="When it was created.")
    updated_at: datetime = strawberry.field(description="When it last changed.")
    company_id: strawberry.ID = strawberry.field(description="Its Company's global id.")
    company_pk: strawberry.Private[uuid.UUID]
    product_pk: strawberry.Private[uuid.UUID]

    @classmethod
    def from_model(cls, product: models.Product) -> ProductType:
        return cls(
            id=global_id("Product", product.id),
            sku=product.sku,
            name=product.name,
            category=product.category,
            unit=product.unit,
            cost=_money(product.cost),
            price=_money(product.price),
            lead_time_days=product.lead_time_days,
            min_order_quantity=_plain(product.min_order_quantity),
            reorder_point=_plain_or_none(product.reorder_point),
            stock_on_hand=_plain(product.stock_on_hand),
            archived_at=product.archived_at,
            created_at=product.created_at,
            updated_at=product.updated_at,
            company_id=global_id("Company", product.company_id),
            company_pk=product.company_id,
            product_pk=product.id,
        )

    @strawberry.field(
        description="Its stock movements, newest first (by sequence), paged forward; batched "
        "over a page of products (a constant number of queries)."
    )
    async def movements(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[StockMovementType]:
        size = check_page_size(first)
        before = None
        if after:
            value, _pk = _decode_cursor(after, str)
            if not str(value).isdigit():
                raise BadUserInputError("'after' is not a cursor of this list.")
            before = int(value)
        page = await movements_by_product(info.context).load((self.product_pk, size, before))
        edges = [
            Edge(
                cursor=_encode_cursor(movement.sequence, movement.id),
                node=StockMovementType.from_model(movement),
            )
            for movement in page.movements
        ]
        total = page.total

        async def count() -> int:
            return total

        return Connection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next,
                has_previous_page=after is not None,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            _count=count,
        )

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[ProductType | None]:
        ids = list(node_ids)
        query = visible(await info.context.actor(), models.Product).filter(id__in=ids)
        return nodes_in_order(ids, await query, cls.from_model)
