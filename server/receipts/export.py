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
from collections.abc import Iterable, Sequence
from datetime import date, time
from decimal import Decimal
from typing import Any

from server.global_ids import encode_global_id
from server.receipts.models import Receipt, ReceiptItem


def plain_quantity(value: Decimal | None) -> Decimal | None:
    """A quantity without its padding zeros: 2.000 -> 2, 0.750 -> 0.75."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


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
