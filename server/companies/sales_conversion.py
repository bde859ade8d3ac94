"""Turning a sales file's rows into sales under one mapping (pure, no database), row by row: a
row that fails gets row problems, never stops the file. Each distinct text (a day, a quantity, a
SKU) is checked once and remembered, because a million-row file repeats a few thousand values.

Rules (README "Companies: sales import"):
- A text cell (SKU, store, external id) starting with `= + - @`, a tab or a carriage return is
  refused, as is one over 64 characters.
- An external id starting with `C` and a digit (a cancelled invoice) makes the quantity negative.
- Without an external id, a date's time of day (`08:00`) serves as the external id, so the
  hourly rows of one day stay distinct.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from server.companies.sales_detection import SalesFileError
from server.companies.sales_mapping import Layout, SalesMapping
from server.companies.sales_records import ParsedSale, RowProblem, SaleRow, problem, sale_row
from server.companies.sales_rows import Row
from server.companies.sales_values import (
    DateOrder,
    is_formula,
    parse_day_cell,
    parse_number,
    text_of,
)

MAX_QUANTITY = Decimal("1e13")
MAX_PRICE = Decimal("1e10")
TEXT_MAX = 64
_CANCELLATION = re.compile(r"^[Cc]\d")


class RowConverter:
    """Turns rows into sales or row problems under one mapping (built once per file)."""

    def __init__(
        self,
        *,
        columns: Sequence[str],
        mapping: SalesMapping,
        layout: Layout,
        order: DateOrder,
        decimal_comma: bool,
    ) -> None:
        self.mapping, self.layout, self.order = mapping, layout, order
        self.decimal_comma = decimal_comma
        self.width = len(columns)
        # Values repeat (days, quantities, SKUs): each distinct text is parsed once.
        self._dates: dict[str, tuple[date, str]] = {}
        self._quantities: dict[str, Decimal] = {}
        self._prices: dict[str, Decimal] = {}
        self._good_texts: set[str] = set()
        # The same as text for SaleRows: raw text -> (day ISO, time of day); -> canonical number.
        self._day_texts: dict[str, tuple[str, str]] = {}
        self._quantity_texts: dict[str, str] = {}
        self._price_texts: dict[str, str] = {}
        index = {name: i for i, name in enumerate(columns)}

        def find(role: str, name: str | None, required: bool) -> int | None:
            if name is None or name == "":
                if required:
                    raise SalesFileError("MISSING_COLUMN", f"The mapping names no {role} column.")
                return None
            if name not in index:
                raise SalesFileError(
                    "MISSING_COLUMN", f"The file has no column '{name}' (mapped as {role})."
                )
            return index[name]

        def need(role: str, name: str | None) -> int:
            at = find(role, name, True)
            assert at is not None  # find raises for a required column it cannot find
            return at

        self.date_at = need("date", mapping.date)
        if layout is Layout.WIDE:
            names = list(mapping.sku_columns or ())
            if not names:
                raise SalesFileError("MISSING_COLUMN", "A WIDE mapping needs SKU columns.")
            self.sku_at = [(name, find("sku", name, True)) for name in names]
            self.store_at = find("store", mapping.store, False)
            self.external_at = None
            self.price_at = None
        else:
            self.sku_column = need("sku", mapping.sku)
            self.quantity_at = need("quantity", mapping.quantity)
            self.price_at = find("unit_price", mapping.unit_price, False)
            self.store_at = find("store", mapping.store, False)
            self.external_at = find("external_id", mapping.external_id, False)

    def _cell(self, row: Row, at: int | None, name: str | None) -> Any:
        if at is None:
            return None
        if at >= len(row.cells):
            raise _Missing(name or "", len(row.cells), self.width)
        return row.cells[at]

    def _text(self, row: Row, at: int | None, name: str | None, *, required: bool) -> str:
        text = text_of(self._cell(row, at, name))
        if not text:
            if required:
                raise _Bad(name or "", text, "empty")
            return ""
        if is_formula(text):
            raise _Bad(name or "", text, "starts with a formula character (= + - @): refused")
        if len(text) > TEXT_MAX:
            raise _Bad(name or "", text, f"longer than {TEXT_MAX} characters")
        return text

    def _quantity(self, value: Any, column: str) -> Decimal:
        try:
            number = parse_number(value, decimal_comma=self.decimal_comma)
        except ValueError as exc:
            raise _Bad(column, value, str(exc)) from None
        if abs(number) >= MAX_QUANTITY:
            raise _Bad(column, value, "too large")
        return number.quantize(Decimal("0.001"))

    def _fast(self, row: Row) -> ParsedSale | None:
        """A LONG row made only of values seen before (the common case), without the checks
        they already passed; None when anything is new (the full path decides)."""
        cells = row.cells
        if len(cells) != self.width:
            return None
        try:
            sold_on, clock = self._dates[cells[self.date_at]]  # type: ignore[index]
            sku = cells[self.sku_column]
            if sku not in self._good_texts:
                return None
            quantity = self._quantities[cells[self.quantity_at]]
            price = None
            if self.price_at is not None:
                raw = cells[self.price_at]
                if raw:
                    price = self._prices[raw]
            store = ""
            if self.store_at is not None:
                store = cells[self.store_at]
                if store and store not in self._good_texts:
                    return None
            external = ""
            if self.external_at is not None:
                external = cells[self.external_at]
                if external and (
                    len(external) > TEXT_MAX
                    or external[0] in _SLOW_FIRST
                    or external[-1] in " \t\r\n"
                ):
                    return None
        except (KeyError, TypeError):
            return None
        if clock and not external:
            return None
        return ParsedSale(row.line, sku, sold_on, quantity, price, store, external)

    def batches(
        self, cells: Iterator[tuple[int, list[Any]]], size: int
    ) -> Generator[tuple[list[SaleRow], list[RowProblem], int]]:
        """(sales, problems, rows read) for every `size` rows read or sales made. A LONG row
        made only of values seen before (the common case) becomes a SaleRow straight from the
        text caches, without the checks those values passed; any other row takes `convert`."""
        sales: list[SaleRow] = []
        problems: list[RowProblem] = []
        read = 0
        append = sales.append
        fast = self.layout is Layout.LONG
        width = self.width
        days, quantities, prices = self._day_texts, self._quantity_texts, self._price_texts
        good = self._good_texts
        date_at = self.date_at
        sku_at = self.sku_column if fast else 0
        quantity_at = self.quantity_at if fast else 0
        price_at, store_at, external_at = self.price_at, self.store_at, self.external_at
        slow_first = _SLOW_FIRST
        for line, row in cells:
            read += 1
            made = None
            if fast and len(row) == width:
                try:
                    day, clock = days[row[date_at]]
                    sku = row[sku_at]
                    store = "" if store_at is None else row[store_at]
                    external = "" if external_at is None else row[external_at]
                    if (
                        not clock
                        and sku in good
                        and (not store or store in good)
                        and (
                            not external
                            or (
                                len(external) <= TEXT_MAX
                                and external[0] not in slow_first
                                and external[-1] not in " \t\r\n"
                            )
                        )
                    ):
                        price = None
                        if price_at is not None:
                            raw = row[price_at]
                            if raw:
                                price = prices[raw]
                        made = (
                            sku,
                            day,
                            quantities[row[quantity_at]],
                            price,
                            store,
                            external,
                            line,
                        )
                except (KeyError, TypeError):
                    made = None
            if made is not None:
                append(made)
            else:
                good_sales, bad = self.convert(Row(line, row))
                for sale in good_sales:
                    append(sale_row(sale))
                if bad:
                    problems.extend(bad)
            if read >= size or len(sales) >= size:
                yield sales, problems, read
                sales, problems, read = [], [], 0
                append = sales.append
        yield sales, problems, read

    def convert(self, row: Row) -> tuple[list[ParsedSale], list[RowProblem]]:
        if self.layout is Layout.LONG:
            fast = self._fast(row)
            if fast is not None:
                return [fast], []
        try:
            if self.layout is Layout.WIDE:
                return self._wide(row)
            return [self._long(row)], []
        except _Missing as missing:
            return [], [
                problem(
                    row.line,
                    missing.column,
                    "",
                    f"missing: the line has {missing.found} fields, the header {missing.width}",
                )
            ]
        except _Bad as bad:
            return [], [problem(row.line, bad.column, bad.value, bad.reason)]

    def _day(self, row: Row) -> tuple[date, str]:
        value = self._cell(row, self.date_at, self.mapping.date)
        cached = self._dates.get(value) if type(value) is str else None
        if cached is not None:
            return cached
        try:
            parsed = parse_day_cell(value, order=self.order)
        except ValueError as exc:
            raise _Bad(self.mapping.date, value, str(exc)) from None
        if type(value) is str:
            _remember(self._dates, value, parsed)
            _remember(self._day_texts, value, (parsed[0].isoformat(), parsed[1]))
        return parsed

    def _number(self, value: Any, column: str, *, price: bool) -> Decimal:
        cache = self._prices if price else self._quantities
        cached = cache.get(value) if type(value) is str else None
        if cached is not None:
            return cached
        if price:
            try:
                number = parse_number(value, decimal_comma=self.decimal_comma)
            except ValueError as exc:
                raise _Bad(column, value, str(exc)) from None
            if number < 0 or number >= MAX_PRICE:
                raise _Bad(column, value, "a price must be 0 or more")
            number = number.quantize(Decimal("0.0001"))
        else:
            number = self._quantity(value, column)
        if type(value) is str:
            _remember(cache, value, number)
            _remember(self._price_texts if price else self._quantity_texts, value, str(number))
        return number

    def _known_text(self, row: Row, at: int | None, name: str | None, *, required: bool) -> str:
        """`_text` for values that repeat (SKU, store): good ones are remembered."""
        if at is not None and at < len(row.cells):
            value = row.cells[at]
            if type(value) is str and value in self._good_texts:
                return value
        text = self._text(row, at, name, required=required)
        if text and len(self._good_texts) < 100_000:
            self._good_texts.add(text)
        return text

    def _long(self, row: Row) -> ParsedSale:
        m = self.mapping
        sold_on, clock = self._day(row)
        sku = self._known_text(row, self.sku_column, m.sku, required=True)
        quantity = self._number(
            self._cell(row, self.quantity_at, m.quantity), m.quantity or "", price=False
        )
        price = None
        if self.price_at is not None:
            raw_price = self._cell(row, self.price_at, m.unit_price)
            if raw_price is not None and raw_price != "" and text_of(raw_price):
                price = self._number(raw_price, m.unit_price or "", price=True)
        store = self._known_text(row, self.store_at, m.store, required=False)
        external = self._text(row, self.external_at, m.external_id, required=False)
        if external and external[0] in "Cc" and _CANCELLATION.match(external):
            quantity = -abs(quantity)  # a cancelled invoice: a return
        if not external and clock:
            external = clock  # hourly rows of one day stay distinct
        return ParsedSale(row.line, sku, sold_on, quantity, price, store, external)

    def _wide(self, row: Row) -> tuple[list[ParsedSale], list[RowProblem]]:
        sold_on, clock = self._day(row)
        store = self._text(row, self.store_at, self.mapping.store, required=False)
        sales, problems = [], []
        for name, at in self.sku_at:
            value = row.cells[at] if at is not None and at < len(row.cells) else None
            if not text_of(value):
                continue  # no figure for this SKU on this date
            try:
                quantity = self._quantity(value, name)
            except _Bad as bad:
                problems.append(problem(row.line, bad.column, bad.value, bad.reason))
                continue
            sales.append(ParsedSale(row.line, name, sold_on, quantity, None, store, clock))
        return sales, problems


# First characters an external id may not start with on the fast path (formula prefixes,
# spaces, and C: a cancellation).
_SLOW_FIRST = frozenset("=+-@\t\r\n Cc")


def _remember(cache: dict[str, Any], key: str, value: Any) -> None:
    if len(cache) >= 50_000:
        cache.clear()
    cache[key] = value


class _Bad(Exception):
    def __init__(self, column: str, value: Any, reason: str) -> None:
        self.column, self.value, self.reason = column, value, reason


class _Missing(Exception):
    def __init__(self, column: str, found: int, width: int) -> None:
        self.column, self.found, self.width = column, found, width
