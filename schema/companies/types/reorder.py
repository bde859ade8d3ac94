"""Reorder advice (`company(id:) { reorderAdvice }`): the type, its urgency enum and the field's
resolver, which CompanyType declares (server/companies/reorder_rules.py holds the rules)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import strawberry
from strawberry import Info

from schema.companies.types.products import ProductType
from schema.core.scalars import described_enum
from schema.core.validation import InvalidInputError
from server.companies import reorder_rules
from server.companies.reorder import reorder_advice

ReorderUrgency = described_enum(
    reorder_rules.Urgency,
    name="ReorderUrgency",
    description="How soon a product needs ordering, most urgent first.",
    values={
        "OUT_OF_STOCK": "No stock left (stock on hand <= 0).",
        "REORDER_NOW": "Stock on hand is at or below the reorder point: order now.",
        "SOON": "Above the reorder point, but the forecast runs the stock out within the lead "
        "time + 7 days.",
        "OK": "Enough stock for now.",
        "NO_FORECAST": "No forecast to advise from (see `reason`); run forecastDemand.",
    },
)


@strawberry.type(
    name="ReorderAdvice",
    description="What to order for one product, from its latest forecast: demand over the lead "
    "time, safety stock at the service level asked, reorder point, suggested quantity, cover and "
    "stock-out date. Quantities are decimals to 0.001 in the product's unit; the rules are in "
    "the README (Companies: reorder advice).",
)
class ReorderAdviceType:
    product: ProductType = strawberry.field(
        description="The product (its SKU, name, lead time, minimum order quantity...)."
    )
    stock_on_hand: Decimal = strawberry.field(description="Its stock now (the ledger's balance).")
    lead_time_demand: Decimal | None = strawberry.field(
        description="Forecast demand over the lead time (partial periods prorated); null "
        "without forecast."
    )
    safety_stock: Decimal | None = strawberry.field(
        description="z(serviceLevel) x the forecast error over the lead time (from the "
        "forecast's intervals); null without forecast."
    )
    reorder_point: Decimal | None = strawberry.field(
        description="Lead-time demand + safety stock, or the product's own reorder point when "
        "set (null without forecast and without one)."
    )
    reorder_point_overridden: bool = strawberry.field(
        description="True when the reorder point is the product's own, not computed."
    )
    suggested_quantity: Decimal | None = strawberry.field(
        description="What to order now: up to reorder point + lead-time demand, at least the "
        "minimum order quantity; 0 when the urgency is OK, null without forecast."
    )
    days_of_cover: Decimal | None = strawberry.field(
        description="Days the stock lasts at the forecast's mean daily demand (to 0.1); null "
        "when no demand is forecast."
    )
    stock_out_date: date | None = strawberry.field(
        description="The first day the forecast demand cannot be met from stock; null when the "
        "stock outlasts the forecast's horizon."
    )
    urgency: ReorderUrgency = strawberry.field(  # type: ignore[valid-type]
        description="How soon to order; the list is sorted by it, then by stock-out date."
    )
    forecast_model: str | None = strawberry.field(
        description="The model of the forecast used (e.g. ensemble); null without forecast."
    )
    extrapolated: bool = strawberry.field(
        description="True when the lead time reaches beyond the forecast's horizon, whose last "
        "periods' mean then stands in."
    )
    reason: str | None = strawberry.field(
        description="Why there is no advice (NO_FORECAST), else null."
    )

    @classmethod
    def from_advice(cls, advice: reorder_rules.Advice) -> ReorderAdviceType:
        return cls(
            product=ProductType.from_model(advice.product),
            stock_on_hand=advice.stock_on_hand,
            lead_time_demand=advice.lead_time_demand,
            safety_stock=advice.safety_stock,
            reorder_point=advice.reorder_point,
            reorder_point_overridden=advice.reorder_point_overridden,
            suggested_quantity=advice.suggested_quantity,
            days_of_cover=advice.days_of_cover,
            stock_out_date=advice.stock_out_date,
            urgency=advice.urgency,
            forecast_model=advice.forecast_model,
            extrapolated=advice.extrapolated,
            reason=advice.reason,
        )


def checked_service_level(value: float, *, field: str) -> float:
    """The service level, or BAD_USER_INPUT naming `field` outside 0.5..0.999."""
    try:
        reorder_rules.check_service_level(value)
    except ValueError:
        raise InvalidInputError(
            field,
            f"must be between {reorder_rules.MIN_SERVICE_LEVEL} and {reorder_rules.MAX_SERVICE_LEVEL}.",
        ) from None
    return value


def company_today(timezone: str) -> date:
    """Today's date where the company is."""
    return datetime.now(ZoneInfo(timezone)).date()


async def resolve_reorder_advice(
    root: Any,
    info: Info,
    service_level: Annotated[
        float,
        strawberry.argument(
            description="The probability of not running out during a lead time, 0.5 to 0.999 "
            "(0.95 by default); it sets the safety stock."
        ),
    ] = 0.95,
    first: Annotated[
        int | None,
        strawberry.argument(
            description="At most this many products (the most urgent); all when left out."
        ),
    ] = None,
) -> list[ReorderAdviceType]:
    """The company's reorder advice (root: the CompanyType)."""
    checked_service_level(service_level, field="serviceLevel")
    if first is not None and first < 0:
        raise InvalidInputError("first", "must not be negative.")
    advice = await reorder_advice(
        company_id=root.company_pk,
        service_level=service_level,
        as_of=company_today(root.timezone),
    )
    if first is not None:
        advice = advice[:first]
    return [ReorderAdviceType.from_advice(item) for item in advice]
