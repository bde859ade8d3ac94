"""The CSV export of receipts: one row per line item (a receipt without items gets one row with
empty item columns), money as plain decimal strings with a dot, dates ISO-8601.

Injection-safe for spreadsheets: a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return would be read as a formula by Excel or LibreOffice ("=HYPERLINK(...)"), so it is
prefixed with a single quote. Plain numbers ("-1.50", a discount) are left as they are: they
cannot hold a formula, and a quote would turn them into text.

`receipt_id` is the receipt's global id, the one the API shows and `node(id:)` resolves.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from tortoise.expressions import Q

from server.accounts.models import User
from server.files.models import StoredFile
from server.files.services import store_generated_file
from server.global_ids import encode_global_id
from server.receipts.errors import ReceiptsErrorCode
from server.receipts.models import (
    Receipt,
    ReceiptItem,
)
from server.receipts.reading import ReceiptFilter, receipts_of
from server.receipts.values import error, now, plain_quantity
from server.settings import get_settings

COLUMNS = (
    "receipt_id",
    "status",
    "date",
    "time",
    "store",
    "location",
    "total",
    "currency",
    "points",
    "item",
    "quantity",
    "unit_price",
    "item_total",
    "category",
    "brand",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def safe_cell(value: Any) -> str:
    """The text of one cell, quoted against formula injection (see the module docstring)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date | time):
        return value.isoformat()
    text = str(value)
    if text.startswith(_FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def receipt_rows(receipt: Receipt, items: Sequence[ReceiptItem]) -> list[list[str]]:
    """The CSV rows of one receipt (its items' `brand` already fetched)."""
    head = [
        encode_global_id("Receipt", receipt.id),
        receipt.status.value,
        receipt.purchase_date,
        receipt.purchase_time,
        receipt.store,
        receipt.location,
        receipt.total,
        receipt.currency,
        receipt.points,
    ]
    if not items:
        return [[safe_cell(v) for v in [*head, *[None] * 6]]]
    return [
        [
            safe_cell(v)
            for v in [
                *head,
                item.name,
                plain_quantity(item.quantity),
                item.unit_price,
                item.total,
                item.category,
                item.brand.name if item.brand_id else None,  # type: ignore[attr-defined]
            ]
        ]
        for item in items
    ]


def to_csv(rows: Iterable[list[str]], *, header: bool = False) -> str:
    """Rows as CSV text (RFC 4180: comma, double quotes, CRLF), with the header row if asked."""
    out = io.StringIO()
    writer = csv.writer(out)
    if header:
        writer.writerow(COLUMNS)
    writer.writerows(rows)
    return out.getvalue()


EXPORT_BATCH = 500


async def export_receipts(
    *, owner: User | None, actor: User, filter: ReceiptFilter | None = None, format: str = "CSV"
) -> StoredFile:
    """Write the matching receipts (oldest purchase first) as a CSV file of the caller's, in the
    blob store. Raises INVALID_INPUT (format, inverted ranges)."""
    if format != "CSV":
        raise error(ReceiptsErrorCode.INVALID_INPUT, "Only CSV exports exist.", "format")
    query = receipts_of(owner=owner, filter=filter)
    parts = [to_csv([], header=True)]
    after: tuple[datetime, uuid.UUID] | None = None
    while True:
        page_query = query
        if after is not None:
            page_query = page_query.filter(
                Q(sort_date__gt=after[0]) | Q(sort_date=after[0], id__gt=after[1])
            )
        page = await page_query.order_by("sort_date", "id").limit(EXPORT_BATCH)
        if not page:
            break
        grouped: dict[uuid.UUID, list[ReceiptItem]] = {r.id: [] for r in page}
        for item in (
            await ReceiptItem.filter(receipt_id__in=list(grouped))
            .select_related("brand")
            .order_by("position", "id")
        ):
            grouped[item.receipt_id].append(item)  # type: ignore[attr-defined]
        parts.append(to_csv(row for r in page for row in receipt_rows(r, grouped[r.id])))
        if len(page) < EXPORT_BATCH:
            break
        after = (page[-1].sort_date, page[-1].id)
    data = "".join(parts).encode("utf-8")
    # In the `generated` store; the sweeper deletes it after EXPORT_RETENTION_SECONDS (its
    # download links last minutes, not days).
    made_at = now()
    return await store_generated_file(
        data,
        content_type="text/csv",
        filename=f"receipts-{made_at:%Y%m%d-%H%M%S}.csv",
        owner=actor,
        expires_at=made_at + timedelta(seconds=get_settings().export_retention_seconds),
    )
