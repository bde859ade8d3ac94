"""Spending stats of one owner's read receipts, in a constant number of SQL aggregates."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tortoise.expressions import Q
from tortoise.functions import Count, Sum

from server.accounts.models import User
from server.receipts.errors import ReceiptsErrorCode
from server.receipts.models import (
    CONFIRMED_STATUSES,
    READ_STATUSES,
    Receipt,
    ReceiptItem,
)
from server.receipts.points import category_key
from server.receipts.values import CENT, error

UNKNOWN_CURRENCY = "XXX"  # ISO 4217's "no currency", for totals whose currency was not read


@dataclass(frozen=True, slots=True)
class Spend:
    key: str | None
    amount: Decimal
    currency: str
    count: int


@dataclass(frozen=True, slots=True)
class ReceiptStats:
    count: int
    totals: list[Spend]
    by_month: list[Spend]
    by_category: list[Spend]
    by_store: list[Spend]
    by_brand: list[Spend]


def _sum(value: Any) -> Decimal:
    # SQLite sums DECIMAL text as floats; cents are exact again once rounded.
    return Decimal(str(value or 0)).quantize(CENT, rounding=ROUND_HALF_UP)


def _spends(rows: list[dict[str, Any]], key: str | None, currency: str) -> list[Spend]:
    spends = [
        Spend(
            key=row[key] if key else None,
            amount=_sum(row["amount"]),
            currency=row[currency] or UNKNOWN_CURRENCY,
            count=int(row["n"]),
        )
        for row in rows
        if row["amount"] is not None
    ]
    return sorted(spends, key=lambda s: (-s.amount, s.currency, s.key or ""))


def _spends_by_name(rows: list[dict[str, Any]], key: str, currency: str) -> list[Spend]:
    """Spending per name typed or read in any case, accents or spacing ("Food", " food "): SQL
    groups the exact spellings, merged here per folded name (`category_key`) and currency. The
    name shown is the spelling most rows use (ties: the first in code-point order, so
    capitalised before lower case), the same in every currency."""
    uses: dict[str, dict[str, int]] = {}
    merged: dict[tuple[str, str], list[Any]] = {}
    for spend in _spends(rows, key, currency):
        spelling = " ".join(spend.key.split()) if spend.key else ""
        folded = category_key(spelling)
        if folded:
            by_spelling = uses.setdefault(folded, {})
            by_spelling[spelling] = by_spelling.get(spelling, 0) + spend.count
        group = merged.setdefault((folded, spend.currency), [Decimal(0), 0])
        group[0] += spend.amount
        group[1] += spend.count
    shown = {
        folded: min(spellings, key=lambda name: (-spellings[name], name))
        for folded, spellings in uses.items()
    }
    spends = [
        Spend(key=shown.get(folded), amount=amount, currency=money_code, count=count)
        for (folded, money_code), (amount, count) in merged.items()
    ]
    return sorted(spends, key=lambda s: (-s.amount, s.currency, s.key or ""))


async def receipt_stats(
    *, owner: User, date_from: date | None = None, date_to: date | None = None
) -> ReceiptStats:
    """Spending of one owner's read receipts (unvalidated possible duplicates left out) whose
    purchase date is within [date_from, date_to], in a constant number of SQL aggregates.
    Raises INVALID_INPUT for an inverted range."""
    if date_from and date_to and date_from > date_to:
        raise error(ReceiptsErrorCode.INVALID_INPUT, "from is after to.", "to")
    receipts = Receipt.filter(
        Q(possible_duplicate_of_id__isnull=True) | Q(status__in=list(CONFIRMED_STATUSES)),
        owner_id=owner.id,
        deleted_at__isnull=True,
        status__in=list(READ_STATUSES),
    )
    items = ReceiptItem.filter(
        Q(receipt__possible_duplicate_of_id__isnull=True)
        | Q(receipt__status__in=list(CONFIRMED_STATUSES)),
        receipt__owner_id=owner.id,
        receipt__deleted_at__isnull=True,
        receipt__status__in=list(READ_STATUSES),
    )
    if date_from is not None:
        receipts = receipts.filter(purchase_date__gte=date_from)
        items = items.filter(receipt__purchase_date__gte=date_from)
    if date_to is not None:
        receipts = receipts.filter(purchase_date__lte=date_to)
        items = items.filter(receipt__purchase_date__lte=date_to)

    def by_receipt(*keys: str) -> Any:
        return (
            receipts.annotate(amount=Sum("total"), n=Count("id"))
            .group_by(*keys, "currency")
            .values(*keys, "currency", "amount", "n")
        )

    def by_item(*keys: str) -> Any:
        return (
            items.annotate(amount=Sum("total"), n=Count("id"))
            .group_by(*keys, "receipt__currency")
            .values(*keys, "receipt__currency", "amount", "n")
        )

    count, totals, months, stores, categories, brands = await asyncio.gather(
        receipts.count(),
        by_receipt(),
        by_receipt("purchase_month"),
        by_receipt("store"),
        by_item("category"),
        items.filter(brand_id__isnull=False)
        .annotate(amount=Sum("total"), n=Count("id"))
        .group_by("brand__name", "receipt__currency")
        .values("brand__name", "receipt__currency", "amount", "n"),
    )
    return ReceiptStats(
        count=count,
        totals=_spends(totals, None, "currency"),
        by_month=sorted(
            _spends(months, "purchase_month", "currency"), key=lambda s: (s.key or "", s.currency)
        ),
        by_category=_spends_by_name(categories, "category", "receipt__currency"),
        by_store=_spends_by_name(stores, "store", "currency"),
        by_brand=_spends(brands, "brand__name", "receipt__currency"),
    )
