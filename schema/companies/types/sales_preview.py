"""previewSalesImport's input and answer: what a sales file looks like, the first rows and the
mapping suggested, before anything is written."""

from __future__ import annotations

import strawberry

from schema.companies.types.sales_mapping import DateOrderEnum, SalesLayout, SalesMappingType
from schema.core.files import Upload
from schema.core.relay import global_id
from server.companies.sales_preview import SalesPreview


@strawberry.input(name="PreviewSalesImportInput", description="A sales file to look at.")
class PreviewSalesImportInput:
    company_id: strawberry.ID = strawberry.field(description="The company importing.")
    file: Upload = strawberry.field(description="The CSV or XLSX file (multipart upload).")
    date_order: DateOrderEnum | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="How to read a/b/Y dates, if you know."
    )


@strawberry.type(name="SalesPreview", description="What a sales file looks like; nothing written.")
class SalesPreviewType:
    file_id: strawberry.ID = strawberry.field(
        description="The file, kept for a day (STORAGE_TEMPORARY_TTL_SECONDS): pass it to "
        "importSales as `fileId` instead of sending it again."
    )
    format: str = strawberry.field(description="CSV or XLSX (by content, not by name).")
    encoding: str | None = strawberry.field(description="CSV: utf-8, utf-8-sig (BOM), cp1252.")
    delimiter: str | None = strawberry.field(description="CSV: the field delimiter.")
    decimal_comma: bool = strawberry.field(description="Whether numbers use a decimal comma.")
    date_order: DateOrderEnum = strawberry.field(  # type: ignore[valid-type]
        description="How a/b/Y dates will be read."
    )
    date_order_source: str = strawberry.field(
        description="What decided it: option, data (a value above 12), or country."
    )
    columns: list[str] = strawberry.field(description="The header's column names.")
    numeric_columns: list[str] = strawberry.field(description="Columns holding numbers.")
    rows: list[list[str]] = strawberry.field(
        description="The first 20 data rows as text (formula cells neutralised with a ')."
    )
    layout: SalesLayout = strawberry.field(  # type: ignore[valid-type]
        description="The layout suggested."
    )
    suggested_mapping: SalesMappingType | None = strawberry.field(
        description="The mapping suggested (null when no date column was recognised)."
    )

    @classmethod
    def from_service(cls, preview: SalesPreview) -> SalesPreviewType:
        detected = preview.detected
        return cls(
            file_id=strawberry.ID(global_id("File", preview.file.id)),
            format=detected.kind.value,
            encoding=detected.encoding,
            delimiter=detected.delimiter,
            decimal_comma=detected.decimal_comma,
            date_order=preview.date_order,
            date_order_source=preview.date_order_source,
            columns=detected.columns,
            numeric_columns=preview.numeric_columns,
            rows=preview.rows,
            layout=preview.layout,
            suggested_mapping=(
                None if preview.mapping is None else SalesMappingType.from_service(preview.mapping)
            ),
        )
