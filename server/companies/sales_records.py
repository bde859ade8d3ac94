"""What one row of a sales file becomes: a sale to write, or a row problem (line, column, value,
reason). Shared by the conversion (which makes them) and the writer and job (which store them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from server.companies.sales_values import neutralise


@dataclass(frozen=True, slots=True)
class ParsedSale:
    line: int
    sku: str
    sold_on: date
    quantity: Decimal
    unit_price: Decimal | None
    store: str
    external_id: str


@dataclass(frozen=True, slots=True)
class RowProblem:
    line: int
    column: str
    value: str  # neutralised, at most 200 characters
    reason: str


# A sale ready to write, as text (what the database casts): (sku, day ISO, quantity, unit price
# or None, store, external id, line). Tuples of str, not objects: the import makes a million.
SaleRow = tuple[str, str, str, str | None, str, str, int]


def sale_row(sale: ParsedSale) -> SaleRow:
    price = sale.unit_price
    return (
        sale.sku,
        sale.sold_on.isoformat(),
        str(sale.quantity),
        None if price is None else str(price),
        sale.store,
        sale.external_id,
        sale.line,
    )


def problem(line: int, column: str, value: Any, reason: str) -> RowProblem:
    return RowProblem(line=line, column=column[:100], value=neutralise(value)[:200], reason=reason)
