"""Spending stats: amounts per currency, per month, category, store and brand."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from server.receipts import stats as stats_service


@strawberry.type(description="An amount of money: a decimal string and its ISO 4217 currency.")
class Money:
    amount: Decimal = strawberry.field(description="A decimal string, e.g. 12.50.")
    currency: str = strawberry.field(description="XXX when the receipt's currency was not read.")


@strawberry.type(description="Spending of one group (a month, category, store or brand).")
class SpendGroup:
    key: str | None = strawberry.field(
        description="The month (YYYY-MM), category, store or brand; null when unknown."
    )
    amount: Decimal = strawberry.field(description="The sum spent, a decimal string.")
    currency: str = strawberry.field(
        description="ISO 4217 code of `amount`; XXX when the currency was not read."
    )
    count: int = strawberry.field(
        description="Receipts (by month, by store) or line items (by category, by brand)."
    )


@strawberry.type(
    description="Spending over read receipts (possible duplicates count once validated) whose "
    "purchase date is in the period. Amounts are per currency, never summed across currencies."
)
class ReceiptStats:
    count: int = strawberry.field(description="Receipts in the period.")
    total: list[Money] = strawberry.field(description="Total spent, one entry per currency.")
    spend_by_month: list[SpendGroup] = strawberry.field(
        description="Receipts' totals per purchase month and currency, oldest month first."
    )
    spend_by_category: list[SpendGroup] = strawberry.field(
        description="Line items' totals per category and currency, largest first."
    )
    spend_by_store: list[SpendGroup] = strawberry.field(
        description="Receipts' totals per store and currency, largest first."
    )
    spend_by_brand: list[SpendGroup] = strawberry.field(
        description="Totals of line items linked to a brand, per brand and currency, largest first."
    )

    @classmethod
    def from_stats(cls, stats: stats_service.ReceiptStats) -> ReceiptStats:
        def groups(spends: list[stats_service.Spend]) -> list[SpendGroup]:
            return [
                SpendGroup(key=s.key, amount=s.amount, currency=s.currency, count=s.count)
                for s in spends
            ]

        return cls(
            count=stats.count,
            total=[Money(amount=s.amount, currency=s.currency) for s in stats.totals],
            spend_by_month=groups(stats.by_month),
            spend_by_category=groups(stats.by_category),
            spend_by_store=groups(stats.by_store),
            spend_by_brand=groups(stats.by_brand),
        )
