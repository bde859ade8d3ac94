"""Which column of a sales file holds what (the mapping), how to import it (the options), and the
mapping suggested from a file's header and sampled values. Plain values, stored with each import
(`as_dict` / `from_dict`), so that a retried job reads the file as it was asked to.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from server.companies.sales_values import DateOrder, looks_like_date, looks_numeric, text_of


class Layout(StrEnum):
    LONG = "LONG"  # one sale per row: date, sku, quantity...
    WIDE = "WIDE"  # one row per date, one column per SKU


# Columns a WIDE mapping without explicit SKU columns never takes as SKUs (calendar helpers).
CALENDAR_COLUMNS = frozenset(
    {"year", "month", "day", "hour", "minute", "week", "weekday", "weekday name", "quarter"}
)


@dataclass(frozen=True)
class SalesMapping:
    """Which column holds what (header names). WIDE: `date` and the SKU columns (None: every
    other numeric column except calendar ones), the column name being the SKU."""

    date: str
    sku: str | None = None
    quantity: str | None = None
    unit_price: str | None = None
    store: str | None = None
    external_id: str | None = None
    sku_columns: tuple[str, ...] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "date": self.date,
            "sku": self.sku,
            "quantity": self.quantity,
            "unit_price": self.unit_price,
            "store": self.store,
            "external_id": self.external_id,
            "sku_columns": None if self.sku_columns is None else list(self.sku_columns),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SalesMapping:
        columns = data.get("sku_columns")
        return cls(
            date=data["date"],
            sku=data.get("sku"),
            quantity=data.get("quantity"),
            unit_price=data.get("unit_price"),
            store=data.get("store"),
            external_id=data.get("external_id"),
            sku_columns=None if columns is None else tuple(columns),
        )


def wide_sku_columns(columns: Sequence[str], date_column: str, numeric: set[str]) -> list[str]:
    """The SKU columns of a WIDE mapping naming none: every other numeric, non-calendar one."""
    return [
        name
        for name in columns
        if name != date_column and name in numeric and name.strip().lower() not in CALENDAR_COLUMNS
    ]


def suggest_mapping(
    columns: Sequence[str], samples: dict[str, list[Any]], *, decimal_comma: bool
) -> tuple[Layout, SalesMapping | None]:
    """A mapping guessed from the header names and sampled values (None: no date column)."""
    lowered = {name: name.strip().lower() for name in columns}

    def named(*words: str, exclude: set[str] | None = None) -> str | None:
        for word in words:
            for name, low in lowered.items():
                if name in (exclude or set()):
                    continue
                if low == word or low.replace("_", " ") == word:
                    return name
        for word in words:
            for name, low in lowered.items():
                if name not in (exclude or set()) and word in low:
                    return name
        return None

    date_column = named("date", "datum", "day", "invoicedate", "sold on", "period", "week")
    if date_column is None:
        for name in columns:
            values = [v for v in samples.get(name, []) if text_of(v)]
            if values and all(looks_like_date(v) for v in values[:20]):
                date_column = name
                break
    if date_column is None:
        return Layout.LONG, None
    numeric = {
        name
        for name in columns
        if name != date_column and looks_numeric(samples.get(name, []), decimal_comma=decimal_comma)
    }
    others = [n for n in columns if n != date_column]
    wide = wide_sku_columns(columns, date_column, numeric)
    if others and len(wide) * 2 > len(others) and len(wide) >= 2:
        return Layout.WIDE, SalesMapping(date=date_column, sku_columns=None)
    used = {date_column}
    sku = named("sku", "stockcode", "product", "item", "article", "code", exclude=used)
    used.add(sku or "")
    quantity = named("quantity", "qty", "units", "quantite", "quantité", exclude=used)
    used.add(quantity or "")
    price = named("unit price", "unitprice", "price", "prix", exclude=used)
    used.add(price or "")
    store = named("store", "shop", "magasin", "location", exclude=used)
    used.add(store or "")
    external = named("invoice", "invoiceno", "order", "receipt", "transaction", "id", exclude=used)
    return Layout.LONG, SalesMapping(
        date=date_column,
        sku=sku,
        quantity=quantity,
        unit_price=price,
        store=store,
        external_id=external,
    )


class UnknownSkus(StrEnum):
    CREATE = "CREATE"
    REJECT = "REJECT"


@dataclass(frozen=True)
class ImportOptions:
    unknown_skus: UnknownSkus = UnknownSkus.REJECT
    all_or_nothing: bool = False
    date_order: DateOrder | None = None
    layout: Layout = Layout.LONG

    def as_dict(self) -> dict[str, Any]:
        return {
            "unknown_skus": self.unknown_skus,
            "all_or_nothing": self.all_or_nothing,
            "date_order": None if self.date_order is None else self.date_order.value,
            "layout": self.layout.value,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportOptions:
        order = data.get("date_order")
        return cls(
            unknown_skus=UnknownSkus(data.get("unknown_skus", UnknownSkus.REJECT)),
            all_or_nothing=bool(data.get("all_or_nothing")),
            date_order=None if order is None else DateOrder(order),
            layout=Layout(data.get("layout", Layout.LONG)),
        )
