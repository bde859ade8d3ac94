"""How a sales file is read, as the API spells it: the layout, date order and unknown-SKU
enums, the mapping (suggested by the preview, given to importSales) and the import options."""

from __future__ import annotations

import strawberry

from schema.core.scalars import described_enum
from server.companies import sales_mapping as mapping_service
from server.companies.sales_mapping import ImportOptions, Layout, SalesMapping
from server.companies.sales_values import DateOrder

SalesLayout = described_enum(
    Layout,
    name="SalesLayout",
    description="How a sales file lays out its figures.",
    values={
        "LONG": "One sale per row: date, SKU, quantity (and maybe price, store, external id).",
        "WIDE": "One row per date, one column per SKU holding its quantity.",
    },
)
DateOrderEnum = described_enum(
    DateOrder,
    name="DateOrder",
    description="How to read a date written a/b/Y.",
    values={"DMY": "Day first (31/12/2024).", "MDY": "Month first (12/31/2024)."},
)


UnknownSkus = described_enum(
    mapping_service.UnknownSkus,
    name="UnknownSkus",
    description="What an import does with a SKU it does not know.",
    values={
        "CREATE": "Create the product (its name is the SKU).",
        "REJECT": "Refuse the row (a row error).",
    },
)


@strawberry.type(name="SalesMapping", description="Which column of the file holds what.")
class SalesMappingType:
    date: str = strawberry.field(description="The date column.")
    sku: str | None = strawberry.field(description="LONG: the SKU column.")
    quantity: str | None = strawberry.field(description="LONG: the quantity column.")
    unit_price: str | None = strawberry.field(description="LONG: the unit price column, if any.")
    store: str | None = strawberry.field(description="The store column, if any.")
    external_id: str | None = strawberry.field(
        description="LONG: the invoice or line id column, if any."
    )
    sku_columns: list[str] | None = strawberry.field(
        description="WIDE: the SKU columns (null: every other numeric column except calendar "
        "ones such as Year, Month, Hour)."
    )

    @classmethod
    def from_service(cls, mapping: SalesMapping) -> SalesMappingType:
        return cls(
            date=mapping.date,
            sku=mapping.sku,
            quantity=mapping.quantity,
            unit_price=mapping.unit_price,
            store=mapping.store,
            external_id=mapping.external_id,
            sku_columns=None if mapping.sku_columns is None else list(mapping.sku_columns),
        )


@strawberry.input(name="SalesMappingInput", description="Which column of the file holds what.")
class SalesMappingInput:
    date: str = strawberry.field(description="The date column's header name.")
    sku: str | None = strawberry.field(default=None, description="LONG: the SKU column.")
    quantity: str | None = strawberry.field(default=None, description="LONG: the quantity column.")
    unit_price: str | None = strawberry.field(
        default=None, description="LONG: the unit price column, if any."
    )
    store: str | None = strawberry.field(default=None, description="The store column, if any.")
    external_id: str | None = strawberry.field(
        default=None, description="LONG: the invoice or line id column, if any."
    )
    sku_columns: list[str] | None = strawberry.field(
        default=None,
        description="WIDE: the SKU columns (left out: every other numeric column except "
        "calendar ones).",
    )

    def to_service(self) -> SalesMapping:
        return SalesMapping(
            date=self.date,
            sku=self.sku,
            quantity=self.quantity,
            unit_price=self.unit_price,
            store=self.store,
            external_id=self.external_id,
            sku_columns=None if self.sku_columns is None else tuple(self.sku_columns),
        )


@strawberry.input(name="SalesImportOptionsInput", description="How to import a sales file.")
class SalesImportOptionsInput:
    unknown_skus: UnknownSkus = strawberry.field(  # type: ignore[valid-type]
        default=mapping_service.UnknownSkus.REJECT,
        description="Unknown SKUs: CREATE or REJECT (default).",
    )
    all_or_nothing: bool = strawberry.field(
        default=False, description="Write nothing when any row fails (default: good rows stay)."
    )
    date_order: DateOrderEnum | None = strawberry.field(  # type: ignore[valid-type]
        default=None,
        description="How to read a/b/Y dates; left out: a value above 12 decides, else the "
        "company's country.",
    )
    layout: SalesLayout = strawberry.field(  # type: ignore[valid-type]
        default=Layout.LONG, description="LONG (default) or WIDE."
    )

    def to_service(self) -> ImportOptions:
        return ImportOptions(
            unknown_skus=mapping_service.UnknownSkus(self.unknown_skus),
            all_or_nothing=self.all_or_nothing,
            date_order=None if self.date_order is None else DateOrder(self.date_order),
            layout=Layout(self.layout),
        )
