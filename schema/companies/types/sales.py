"""Sales import types: the SalesImport Node, its row errors, the preview, the mapping and
options inputs; `company.salesImports` and `company.sales` resolvers."""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

import strawberry
from strawberry import Info
from strawberry.dataloader import DataLoader
from tortoise.expressions import Q

from schema.core.errors import BadUserInputError
from schema.core.files import Upload
from schema.core.permissions import HasScope, IsCompanyMember
from schema.core.relay import (
    After,
    Connection,
    Edge,
    First,
    Node,
    PageInfo,
    check_page_size,
    global_id,
    nodes_in_order,
    paginate,
    parse_global_id,
    register_node,
)
from schema.core.scalars import described_enum
from schema.jobs.types import JobType
from server.access import visible
from server.companies import models
from server.companies import sales_files as sf
from server.companies import sales_import as service
from server.companies.models import SalesImportRowError
from server.context import Context
from server.jobs.models import Job

SalesImportStatusEnum = described_enum(
    models.SalesImportStatus,
    name="SalesImportStatus",
    description="Where a sales import stands.",
    values={
        "QUEUED": "Waiting for its job to start.",
        "RUNNING": "Its job is reading the file (follow it with `jobUpdated`).",
        "SUCCEEDED": "Every good row was written (rowsFailed may be above 0).",
        "FAILED": "Nothing was written: the file could not be read, or allOrNothing and a row "
        "failed.",
        "DUPLICATE": "The company already imported this very file: nothing was read again.",
    },
)
SalesLayout = described_enum(
    sf.Layout,
    name="SalesLayout",
    description="How a sales file lays out its figures.",
    values={
        "LONG": "One sale per row: date, SKU, quantity (and maybe price, store, external id).",
        "WIDE": "One row per date, one column per SKU holding its quantity.",
    },
)
DateOrderEnum = described_enum(
    sf.DateOrder,
    name="DateOrder",
    description="How to read a date written a/b/Y.",
    values={"DMY": "Day first (31/12/2024).", "MDY": "Month first (12/31/2024)."},
)


UnknownSkus = described_enum(
    service.UnknownSkus,
    name="UnknownSkus",
    description="What an import does with a SKU it does not know.",
    values={
        "CREATE": "Create the product (its name is the SKU).",
        "REJECT": "Refuse the row (a row error).",
    },
)


# --- loaders (one query per kind of nested data on a page) ------------------------------------


def sales_import_errors(context: Context) -> DataLoader[uuid.UUID, list[SalesImportRowError]]:
    async def load(ids: list[uuid.UUID]) -> list[list[SalesImportRowError]]:
        found: dict[uuid.UUID, list[SalesImportRowError]] = {i: [] for i in ids}
        rows = await SalesImportRowError.filter(sales_import_id__in=ids).order_by("line", "id")
        for row in rows:
            found[row.sales_import_id].append(row)  # type: ignore[attr-defined]
        return [found[i] for i in ids]

    return context.loader("companies.sales_import_errors", lambda: DataLoader(load_fn=load))


def sales_import_jobs(context: Context) -> DataLoader[uuid.UUID, Job | None]:
    async def load(ids: list[uuid.UUID]) -> list[Job | None]:
        found = {j.id: j for j in await Job.filter(id__in=ids)}
        return [found.get(i) for i in ids]

    return context.loader("companies.sales_import_jobs", lambda: DataLoader(load_fn=load))


@strawberry.type(name="SalesImportRowError", description="Why one row of a file was refused.")
class SalesImportRowErrorType:
    line: int = strawberry.field(description="Its line in the file (1 is the header's), or row.")
    column: str = strawberry.field(description="The column at fault (its header name).")
    value: str = strawberry.field(
        description="The value as read (a leading ' neutralises a spreadsheet formula)."
    )
    reason: str = strawberry.field(description="Why it was refused, in English.")


@register_node
@strawberry.type(
    name="SalesImport",
    description="One sales file imported into a company, with its outcome. Members of the "
    "company see it.",
)
class SalesImportType(Node):
    read_permissions = (HasScope("companies"), IsCompanyMember())

    filename: str = strawberry.field(description="The file's display name.")
    status: SalesImportStatusEnum = strawberry.field(  # type: ignore[valid-type]
        description="Where it stands."
    )
    rows_read: int = strawberry.field(description="Data rows read (empty lines not counted).")
    rows_imported: int = strawberry.field(description="Sales written.")
    rows_skipped: int = strawberry.field(
        description="Sales already stored (same product, day, external id and store): skipped."
    )
    rows_failed: int = strawberry.field(description="Rows refused (see `errors`).")
    products_created: int = strawberry.field(description="Products created for unknown SKUs.")
    duplicate_of: strawberry.ID | None = strawberry.field(
        description="For a DUPLICATE, the earlier import of the same file."
    )
    created_at: datetime = strawberry.field(description="When it was asked for.")
    finished_at: datetime | None = strawberry.field(description="When it ended, if it did.")
    company_pk: strawberry.Private[uuid.UUID]
    _pk: strawberry.Private[uuid.UUID]
    _job_id: strawberry.Private[uuid.UUID | None]

    @classmethod
    def from_model(cls, row: models.SalesImport) -> SalesImportType:
        return cls(
            id=global_id("SalesImport", row.id),
            filename=row.filename,
            status=row.status,
            rows_read=row.rows_read,
            rows_imported=row.rows_imported,
            rows_skipped=row.rows_skipped,
            rows_failed=row.rows_failed,
            products_created=row.products_created,
            duplicate_of=(
                None
                if row.duplicate_of_id is None
                else strawberry.ID(global_id("SalesImport", row.duplicate_of_id))
            ),
            created_at=row.created_at,
            finished_at=row.finished_at,
            company_pk=row.company_id,
            _pk=row.id,
            _job_id=getattr(row, "job_id", None),
        )

    @strawberry.field(
        description="The first row errors, by line (at most SALES_IMPORT_MAX_ERRORS are kept; "
        "`rowsFailed` counts them all). Batched per request."
    )
    async def errors(
        self,
        info: Info,
        first: Annotated[
            int, strawberry.argument(description="At most this many, 0 to 1000.")
        ] = 100,
    ) -> list[SalesImportRowErrorType]:
        if not 0 <= first <= 1000:
            raise BadUserInputError("first must be 0 to 1000.")
        rows = await sales_import_errors(info.context).load(self._pk)
        return [
            SalesImportRowErrorType(line=r.line, column=r.column, value=r.value, reason=r.reason)
            for r in rows[:first]
        ]

    @strawberry.field(description="The job doing the import (null for a DUPLICATE).")
    async def job(self, info: Info) -> JobType | None:
        if self._job_id is None:
            return None
        job = await sales_import_jobs(info.context).load(self._job_id)
        return JobType.from_model(job) if job is not None else None

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[SalesImportType | None]:
        ids = list(node_ids)
        query = visible(await info.context.actor(), models.SalesImport).filter(id__in=ids)
        return nodes_in_order(ids, await query, cls.from_model)


@strawberry.type(name="Sale", description="One sale line of a company's history.")
class SaleType:
    product_id: strawberry.ID = strawberry.field(description="The product sold.")
    sold_on: date = strawberry.field(description="The day.")
    quantity: Decimal = strawberry.field(description="Units sold; negative for a return.")
    unit_price: Decimal | None = strawberry.field(description="The unit price, when known.")
    store: str = strawberry.field(description="The store, or empty.")
    external_id: str = strawberry.field(description="The invoice or line id, or empty.")


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
    def from_service(cls, mapping: sf.SalesMapping) -> SalesMappingType:
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

    def to_service(self) -> sf.SalesMapping:
        return sf.SalesMapping(
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
        default=service.UnknownSkus.REJECT, description="Unknown SKUs: CREATE or REJECT (default)."
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
        default=sf.Layout.LONG, description="LONG (default) or WIDE."
    )

    def to_service(self) -> service.ImportOptions:
        return service.ImportOptions(
            unknown_skus=service.UnknownSkus(self.unknown_skus),
            all_or_nothing=self.all_or_nothing,
            date_order=None if self.date_order is None else sf.DateOrder(self.date_order),
            layout=sf.Layout(self.layout),
        )


@strawberry.input(name="ImportSalesInput", description="The sales file to import and how.")
class ImportSalesInput:
    company_id: strawberry.ID = strawberry.field(description="The company importing.")
    mapping: SalesMappingInput = strawberry.field(description="Which column holds what.")
    file: Upload | None = strawberry.field(
        default=None, description="The CSV or XLSX file (multipart upload); or give `fileId`."
    )
    file_id: strawberry.ID | None = strawberry.field(
        default=None, description="The file a previewSalesImport kept (instead of `file`)."
    )
    options: SalesImportOptionsInput | None = strawberry.field(
        default=None, description="How to import (defaults: REJECT, not allOrNothing, LONG)."
    )


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
    def from_service(cls, preview: service.SalesPreview) -> SalesPreviewType:
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


async def resolve_sales_imports(
    root: Any, info: Info, first: First = None, after: After = None
) -> Connection[SalesImportType]:
    """The company's sales imports, newest first (root: the CompanyType)."""
    return await paginate(
        service.sales_imports_of(company_id=root.company_pk),
        first=first,
        after=after,
        to_node=SalesImportType.from_model,
    )


def _sale_cursor(sold_on: date, pk: int | uuid.UUID) -> str:
    """base64url("<day>|<id>"): a sale's place in (sold_on, id) order."""
    return base64.urlsafe_b64encode(f"{sold_on.isoformat()}|{pk}".encode()).decode().rstrip("=")


def _sale_after(cursor: str) -> tuple[date, int | uuid.UUID]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        day, separator, pk = base64.urlsafe_b64decode(padded).decode().partition("|")
        if not separator:
            raise ValueError(cursor)
        # The key is an integer (a BIGINT identity) or a UUID, whichever the table has.
        key: int | uuid.UUID = int(pk) if pk.isdigit() else uuid.UUID(pk)
        return date.fromisoformat(day), key
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise BadUserInputError("'after' is not a cursor of this list.") from exc


async def resolve_sales(
    root: Any,
    info: Info,
    product_id: Annotated[
        strawberry.ID | None, strawberry.argument(description="Only this product's sales.")
    ] = None,
    since: Annotated[
        date | None, strawberry.argument(name="from", description="From this day (included).")
    ] = None,
    until: Annotated[
        date | None, strawberry.argument(name="to", description="Up to this day (included).")
    ] = None,
    first: First = None,
    after: After = None,
) -> Connection[SaleType]:
    """The company's sales, newest day first then newest line, keyset-paged on (sold_on, id)
    (root: the CompanyType)."""
    size = check_page_size(first)
    product = None
    if product_id is not None:
        product = parse_global_id(product_id, "Product")
    base = service.sales_of(
        company_id=root.company_pk, product_id=product, since=since, until=until
    )
    query = base
    if after:
        day, pk = _sale_after(after)
        query = query.filter(Q(sold_on__lt=day) | Q(sold_on=day, id__lt=pk))
    rows = (
        await query.order_by("-sold_on", "-id")
        .limit(size + 1)
        .values("id", "product_id", "sold_on", "quantity", "unit_price", "store", "external_id")
    )
    edges = [
        Edge(
            cursor=_sale_cursor(r["sold_on"], r["id"]),
            node=SaleType(
                product_id=strawberry.ID(global_id("Product", r["product_id"])),
                sold_on=r["sold_on"],
                quantity=Decimal(r["quantity"]),
                unit_price=None if r["unit_price"] is None else Decimal(r["unit_price"]),
                store=r["store"],
                external_id=r["external_id"],
            ),
        )
        for r in rows[:size]
    ]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(rows) > size,
            has_previous_page=after is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        _count=base.count,
    )
