"""Reading receipts: the live receipts an owner may see, filtered (`owner=None`: everyone's, for an
administrator). Anything else is NOT_FOUND, so ids of other people's receipts reveal nothing."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from tortoise.queryset import QuerySet

from server.accounts.models import User
from server.receipts.errors import ReceiptsErrorCode
from server.receipts.models import (
    Receipt,
    ReceiptStatus,
)
from server.receipts.values import error


@dataclass(frozen=True, slots=True)
class ReceiptFilter:
    status: ReceiptStatus | None = None
    store: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    min_total: Decimal | None = None
    max_total: Decimal | None = None


def receipts_of(*, owner: User | None, filter: ReceiptFilter | None = None) -> QuerySet[Receipt]:
    """Live receipts (one owner's; everyone's for None), filtered. Raises INVALID_INPUT for an
    inverted range."""
    query = Receipt.filter(deleted_at__isnull=True)
    if owner is not None:
        query = query.filter(owner_id=owner.id)
    f = filter or ReceiptFilter()
    if f.date_from and f.date_to and f.date_from > f.date_to:
        raise error(ReceiptsErrorCode.INVALID_INPUT, "date_from is after date_to.", "date_to")
    if f.min_total is not None and f.max_total is not None and f.min_total > f.max_total:
        raise error(ReceiptsErrorCode.INVALID_INPUT, "min_total is above max_total.", "max_total")
    if f.status is not None:
        query = query.filter(status=f.status)
    if f.store and f.store.strip():
        query = query.filter(store__icontains=f.store.strip())
    if f.date_from is not None:
        query = query.filter(purchase_date__gte=f.date_from)
    if f.date_to is not None:
        query = query.filter(purchase_date__lte=f.date_to)
    if f.min_total is not None:
        query = query.filter(total__gte=f.min_total)
    if f.max_total is not None:
        query = query.filter(total__lte=f.max_total)
    return query


async def get_receipt(*, receipt_id: uuid.UUID, owner: User | None) -> Receipt:
    """A live receipt. Raises NOT_FOUND (absent, deleted, or someone else's, alike)."""
    receipt = await receipts_of(owner=owner).filter(id=receipt_id).first()
    if receipt is None:
        raise error(ReceiptsErrorCode.NOT_FOUND, "No such receipt.", "id")
    return receipt


async def receipts_by_ids(*, ids: Sequence[uuid.UUID], owner: User | None) -> list[Receipt]:
    """The live receipts among `ids` that `owner` may see (for node lookups and loaders)."""
    return await receipts_of(owner=owner).filter(id__in=list(ids))


async def locked(receipt_id: uuid.UUID, owner: User | None) -> Receipt:
    query = Receipt.filter(id=receipt_id, deleted_at__isnull=True)
    if owner is not None:
        query = query.filter(owner_id=owner.id)
    receipt = await query.select_for_update().first()
    if receipt is None:
        raise error(ReceiptsErrorCode.NOT_FOUND, "No such receipt.", "id")
    return receipt
