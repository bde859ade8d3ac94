"""The stock ledger: append-only movements that explain every product's stock on hand.

Each movement takes the product's next `sequence` (1, 2, 3...) and records the balance after
it; the product row's `stock_on_hand` changes in the same transaction, under a row lock on the
product (SELECT ... FOR NO KEY UPDATE on PostgreSQL: it serialises movements and product edits
but not a sales import batch, which holds its products FOR KEY SHARE; SQLite serialises write
transactions), and the unique (product, sequence) refuses a second writer that would extend the
same balance.

Rules (README "Companies: products and stock"):
- RECEIPT adds a positive quantity; ADJUSTMENT adds a signed, non-zero one and needs a reason;
  COUNT sets the balance to the counted quantity (0 or more) and records the difference.
- Quantities have at most 3 decimals and stay below 10^9 in size.
- Stock may go negative (sales recorded before the goods are received, a miscount): allowed,
  and flagged (the movement's `below_zero`), never refused.
- An archived product takes no new movements (PRODUCT_ARCHIVED).
- A count may be dated in the past, but not before the product's last movement: it sets the
  balance as the ledger stands now.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.functions import Max
from tortoise.transactions import in_transaction

from server.companies.errors import CompaniesErrorCode
from server.companies.models import Product, StockMovement, StockMovementKind
from server.companies.products import (
    MAX_QUANTITY,
    QUANTITY_PLACES,
    checked_decimal,
    clean_text,
    fail,
)

Code = CompaniesErrorCode
Kind = StockMovementKind

MAX_BALANCE = Decimal("999999999999.999")  # inside DECIMAL(16, 3)
# A count's time may be this far ahead of the server's clock (clocks drift).
CLOCK_SKEW = timedelta(minutes=5)
# Attempts when the unique (product, sequence) refuses a write (a writer the lock missed).
ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class Posted:
    """A movement just recorded, and its product with the new stock on hand."""

    movement: StockMovement
    product: Product


def _quantity(value: Any, *, field: str, kind: StockMovementKind) -> Decimal:
    amount = checked_decimal(
        value,
        field=field,
        code=Code.INVALID_QUANTITY,
        places=QUANTITY_PLACES,
        maximum=MAX_QUANTITY,
        minimum=-MAX_QUANTITY if kind == Kind.ADJUSTMENT else Decimal(0),
        positive=kind == Kind.RECEIPT,
        nullable=False,
    )
    if kind == Kind.ADJUSTMENT and amount == 0:
        raise fail(Code.INVALID_QUANTITY, f"{field} cannot be 0.", field)
    return amount


async def _post(
    *,
    company_id: uuid.UUID,
    product_id: uuid.UUID,
    kind: StockMovementKind,
    amount: Decimal,
    reason: str,
    occurred_at: datetime | None,
    created_by_id: uuid.UUID | None,
) -> Posted:
    """One movement, in its own transaction (retried when the sequence was taken meanwhile)."""
    for attempt in range(ATTEMPTS):
        try:
            async with in_transaction():
                product = (
                    await Product.filter(id=product_id, company_id=company_id)
                    .select_for_update(no_key=True)
                    .first()
                )
                if product is None:
                    raise fail(Code.NOT_FOUND, "No such product in this company.", "product_id")
                if product.archived_at is not None:
                    raise fail(
                        Code.PRODUCT_ARCHIVED,
                        "This product is archived: restore it before moving its stock.",
                        "product_id",
                    )
                last = (
                    await StockMovement.filter(product_id=product.id).order_by("-sequence").first()
                )
                before = Decimal(product.stock_on_hand)
                now = datetime.now(UTC)
                when = occurred_at or now
                if kind == Kind.COUNT:
                    if when > now + CLOCK_SKEW:
                        raise fail(Code.INVALID_INPUT, "counted_at is in the future.", "counted_at")
                    if last is not None and when < last.occurred_at:
                        raise fail(
                            Code.INVALID_INPUT,
                            "counted_at is before the product's last stock movement "
                            f"({last.occurred_at.isoformat()}).",
                            "counted_at",
                        )
                    quantity, after = amount - before, amount
                else:
                    quantity, after = amount, before + amount
                if abs(after) > MAX_BALANCE:
                    raise fail(
                        Code.INVALID_QUANTITY,
                        f"The balance would be beyond {MAX_BALANCE}.",
                        "quantity",
                    )
                movement = await StockMovement.create(
                    company_id=company_id,
                    product_id=product.id,
                    sequence=(last.sequence if last is not None else 0) + 1,
                    kind=kind,
                    quantity=quantity,
                    balance_after=after,
                    reason=reason,
                    occurred_at=when,
                    created_by_id=created_by_id,
                )
                product.stock_on_hand = after
                await Product.filter(id=product.id).update(stock_on_hand=after, updated_at=now)
                product.updated_at = now
                return Posted(movement=movement, product=product)
        except IntegrityError:
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


async def receive_stock(
    *,
    company_id: uuid.UUID,
    product_id: uuid.UUID,
    quantity: Any,
    reason: Any = "",
    created_by_id: uuid.UUID | None = None,
) -> Posted:
    """Record goods received (RECEIPT, a positive quantity). Raises NOT_FOUND,
    PRODUCT_ARCHIVED, INVALID_QUANTITY, INVALID_INPUT."""
    amount = _quantity(quantity, field="quantity", kind=Kind.RECEIPT)
    text = clean_text(reason, field="reason", limit=200)
    return await _post(
        company_id=company_id,
        product_id=product_id,
        kind=Kind.RECEIPT,
        amount=amount,
        reason=text,
        occurred_at=None,
        created_by_id=created_by_id,
    )


async def adjust_stock(
    *,
    company_id: uuid.UUID,
    product_id: uuid.UUID,
    quantity: Any,
    reason: Any,
    created_by_id: uuid.UUID | None = None,
) -> Posted:
    """Correct the stock by a signed, non-zero quantity (ADJUSTMENT: damage, loss, found), with
    a reason. Raises NOT_FOUND, PRODUCT_ARCHIVED, INVALID_QUANTITY, INVALID_INPUT."""
    amount = _quantity(quantity, field="quantity", kind=Kind.ADJUSTMENT)
    text = clean_text(reason, field="reason", limit=200, required=True)
    return await _post(
        company_id=company_id,
        product_id=product_id,
        kind=Kind.ADJUSTMENT,
        amount=amount,
        reason=text,
        occurred_at=None,
        created_by_id=created_by_id,
    )


async def record_stock_count(
    *,
    company_id: uuid.UUID,
    product_id: uuid.UUID,
    counted_quantity: Any,
    counted_at: datetime | None = None,
    reason: Any = "",
    created_by_id: uuid.UUID | None = None,
) -> Posted:
    """Record a physical count (COUNT): the balance becomes the counted quantity, the movement's
    quantity is the difference (0 when the count confirms the balance). Raises NOT_FOUND,
    PRODUCT_ARCHIVED, INVALID_QUANTITY, INVALID_INPUT (counted_at in the future or before the
    last movement)."""
    amount = _quantity(counted_quantity, field="counted_quantity", kind=Kind.COUNT)
    text = clean_text(reason, field="reason", limit=200)
    if counted_at is not None and counted_at.tzinfo is None:
        counted_at = counted_at.replace(tzinfo=UTC)
    return await _post(
        company_id=company_id,
        product_id=product_id,
        kind=Kind.COUNT,
        amount=amount,
        reason=text,
        occurred_at=counted_at,
        created_by_id=created_by_id,
    )


@dataclass(frozen=True, slots=True)
class MovementPage:
    """A product's newest movements before a sequence: up to `first` of them, whether more
    follow, and how many the product has in all."""

    movements: list[StockMovement]
    has_next: bool
    total: int


async def movements_of(
    product_ids: Sequence[uuid.UUID], *, first: int, before_sequence: int | None
) -> dict[uuid.UUID, MovementPage]:
    """Each product's movements, newest first, `first` of them below `before_sequence` (all
    when None), in two queries whatever the number of products: sequences are dense (1..n,
    never deleted), so a product's page is a range of sequences below its last one."""
    ids = list(dict.fromkeys(product_ids))
    if not ids:
        return {}
    rows = (
        await StockMovement.filter(product_id__in=ids)
        .group_by("product_id")
        .annotate(last=Max("sequence"))
        .values("product_id", "last")
    )
    totals: dict[uuid.UUID, int] = {row["product_id"]: int(row["last"] or 0) for row in rows}
    ranges: list[Q] = []
    for product_id, total in totals.items():
        upper = total + 1 if before_sequence is None else min(before_sequence, total + 1)
        # One more than asked, to tell whether a next page exists.
        lower = upper - first - 1
        if upper > 1 and first > 0:
            ranges.append(Q(product_id=product_id, sequence__lt=upper, sequence__gte=lower))
    found: dict[uuid.UUID, list[StockMovement]] = {}
    if ranges:
        query = StockMovement.filter(Q(*ranges, join_type="OR")).order_by("-sequence")
        for movement in await query:
            found.setdefault(movement.product_id, []).append(movement)
    pages: dict[uuid.UUID, MovementPage] = {}
    for product_id in ids:
        movements = found.get(product_id, [])
        pages[product_id] = MovementPage(
            movements=movements[:first],
            has_next=len(movements) > first,
            total=totals.get(product_id, 0),
        )
    return pages
