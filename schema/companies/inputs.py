"""Inputs of companies mutations."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import strawberry

from schema.core.validation import constraint


@strawberry.input(description="A new company; you become its ADMIN.")
class CreateCompanyInput:
    name: str = strawberry.field(
        metadata=constraint(max_length=100),
        description="Its name, 1 to 100 characters (spaces collapsed).",
    )
    currency: str = strawberry.field(
        metadata=constraint(max_length=3), description="An ISO 4217 currency code, e.g. EUR."
    )
    timezone: str = strawberry.field(
        metadata=constraint(max_length=64),
        description="An IANA time zone name, e.g. Europe/Paris.",
    )
    country: str = strawberry.field(
        metadata=constraint(max_length=2),
        description="An ISO 3166-1 alpha-2 country code, e.g. FR.",
    )


# ---- products and stock (a field left out of an update keeps its value; null clears it) ----


@strawberry.input(description="A new product of a company (its ADMINs).")
class CreateProductInput:
    company_id: strawberry.ID = strawberry.field(description="The Company's global id.")
    sku: str = strawberry.field(
        description="Its code: 1 to 64 characters without spaces (surrounding spaces are "
        "stripped), unique in the company ignoring case."
    )
    name: str = strawberry.field(description="Its name, 1 to 200 characters (spaces collapsed).")
    category: str | None = strawberry.field(
        default=None, description="Its category, up to 100 characters (null or empty: none)."
    )
    unit: str | None = strawberry.field(
        default=None, description="The unit its quantities count, up to 16 characters (`unit`)."
    )
    cost: Decimal | None = strawberry.field(
        default=None, description="Unit cost: 0 or more, at most 4 decimals, below 10^10."
    )
    price: Decimal | None = strawberry.field(
        default=None, description="Unit price: 0 or more, at most 4 decimals, below 10^10."
    )
    lead_time_days: int | None = strawberry.field(
        default=None, description="Days from order to receipt, 0 to 365 (7 when left out)."
    )
    min_order_quantity: Decimal | None = strawberry.field(
        default=None,
        description="The smallest supplier order: above 0, at most 3 decimals (1 when left out).",
    )
    reorder_point: Decimal | None = strawberry.field(
        default=None,
        description="A fixed reorder point overriding the computed one: 0 or more, at most 3 "
        "decimals (null: computed).",
    )


@strawberry.input(
    description="Changes to a product: a field left out keeps its value, null clears it (cost, "
    "price, reorderPoint, category)."
)
class UpdateProductInput:
    company_id: strawberry.ID = strawberry.field(
        description="The Company's global id (the product's company)."
    )
    id: strawberry.ID = strawberry.field(description="The Product's global id.")
    sku: str | None = strawberry.field(
        default=strawberry.UNSET, description="A new code (same rules as on creation); not null."
    )
    name: str | None = strawberry.field(
        default=strawberry.UNSET, description="A new name, 1 to 200 characters; not null."
    )
    category: str | None = strawberry.field(
        default=strawberry.UNSET, description="A new category; null or empty clears it."
    )
    unit: str | None = strawberry.field(
        default=strawberry.UNSET, description="A new unit; null or empty restores `unit`."
    )
    cost: Decimal | None = strawberry.field(
        default=strawberry.UNSET, description="A new unit cost; null clears it."
    )
    price: Decimal | None = strawberry.field(
        default=strawberry.UNSET, description="A new unit price; null clears it."
    )
    lead_time_days: int | None = strawberry.field(
        default=strawberry.UNSET, description="A new lead time, 0 to 365 days; not null."
    )
    min_order_quantity: Decimal | None = strawberry.field(
        default=strawberry.UNSET, description="A new minimum order quantity; not null."
    )
    reorder_point: Decimal | None = strawberry.field(
        default=strawberry.UNSET, description="A new fixed reorder point; null: computed."
    )


@strawberry.input(description="A product to archive or restore.")
class ArchiveProductInput:
    company_id: strawberry.ID = strawberry.field(description="The Company's global id.")
    id: strawberry.ID = strawberry.field(description="The Product's global id.")
    archived: bool = strawberry.field(
        default=True, description="True archives it (the default), false restores it."
    )


@strawberry.input(description="A product to delete (only one without history).")
class DeleteProductInput:
    company_id: strawberry.ID = strawberry.field(description="The Company's global id.")
    id: strawberry.ID = strawberry.field(description="The Product's global id.")


@strawberry.input(description="A correction of a product's stock by a signed quantity.")
class AdjustStockInput:
    company_id: strawberry.ID = strawberry.field(description="The Company's global id.")
    product_id: strawberry.ID = strawberry.field(description="The Product's global id.")
    quantity: Decimal = strawberry.field(
        description="The signed change, not 0, at most 3 decimals, below 10^9 in size."
    )
    reason: str = strawberry.field(description="Why (damage, loss, found...), 1 to 200 characters.")


@strawberry.input(description="A physical count of a product's stock.")
class RecordStockCountInput:
    company_id: strawberry.ID = strawberry.field(description="The Company's global id.")
    product_id: strawberry.ID = strawberry.field(description="The Product's global id.")
    counted_quantity: Decimal = strawberry.field(
        description="The quantity counted: 0 or more, at most 3 decimals; it becomes the stock "
        "on hand."
    )
    counted_at: datetime | None = strawberry.field(
        default=None,
        description="When it was counted (now when left out): not in the future, not before "
        "the product's last movement.",
    )
    reason: str | None = strawberry.field(default=None, description="A note, up to 200 characters.")


@strawberry.input(description="Goods of a product received.")
class ReceiveStockInput:
    company_id: strawberry.ID = strawberry.field(description="The Company's global id.")
    product_id: strawberry.ID = strawberry.field(description="The Product's global id.")
    quantity: Decimal = strawberry.field(
        description="The quantity received: above 0, at most 3 decimals, below 10^9."
    )
    reason: str | None = strawberry.field(
        default=None, description="A note (supplier, delivery note), up to 200 characters."
    )
