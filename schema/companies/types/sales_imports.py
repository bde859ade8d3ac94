"""Sales imports as the API shows them: the SalesImport Node with its row errors and job
(batched per request), importSales' input, and `company.salesImports`."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry import Info

from schema.companies.loaders import sales_import_errors, sales_import_jobs
from schema.companies.types.sales_mapping import SalesImportOptionsInput, SalesMappingInput
from schema.core.errors import BadUserInputError
from schema.core.files import Upload
from schema.core.permissions import HasScope, IsCompanyMember
from schema.core.relay import (
    After,
    Connection,
    First,
    Node,
    global_id,
    nodes_in_order,
    paginate,
    register_node,
)
from schema.core.scalars import described_enum
from schema.jobs.types import JobType
from server.access import visible
from server.companies import models
from server.companies.sales_reading import sales_imports_of

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


async def resolve_sales_imports(
    root: Any, info: Info, first: First = None, after: After = None
) -> Connection[SalesImportType]:
    """The company's sales imports, newest first (root: the CompanyType)."""
    return await paginate(
        sales_imports_of(company_id=root.company_pk),
        first=first,
        after=after,
        to_node=SalesImportType.from_model,
    )
