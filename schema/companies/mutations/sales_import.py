from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import Info

from schema.companies.types import CompaniesError
from schema.companies.types.sales_imports import ImportSalesInput, SalesImportType
from schema.core.files import uploaded
from schema.core.permissions import actor_of
from schema.core.relay import parse_global_id
from schema.core.scalars import payload_error
from schema.jobs.types import JobType
from server.companies import sales_import as service
from server.companies.errors import CompaniesError as CompaniesFailure
from server.companies.sales_mapping import ImportOptions


@strawberry.type(description="importSales: the import and its job, or why none started.")
class ImportSalesPayload:
    sales_import: SalesImportType | None = strawberry.field(
        default=None,
        description="QUEUED, or DUPLICATE at once when the company already imported this file.",
    )
    job: JobType | None = strawberry.field(
        default=None,
        description="Follow it with `subscription { jobUpdated(id) }` (rows/s in its message); "
        "null for a DUPLICATE.",
    )
    errors: list[CompaniesError] = strawberry.field(
        default_factory=list,
        description="Empty on success; INVALID_INPUT, NOT_FOUND (fileId), EMPTY_FILE, "
        "NOT_A_SALES_FILE, FILE_TOO_LARGE, MISSING_COLUMN, KEY_WITHOUT_OWNER.",
    )


async def import_sales(
    info: Info,
    input: Annotated[
        ImportSalesInput,
        strawberry.argument(description="The company, the file (or fileId), mapping, options."),
    ],
) -> ImportSalesPayload:
    """Import a sales file as a job."""
    actor = await actor_of(info)  # membership: on the field
    company_id = parse_global_id(input.company_id, "Company")
    upload = None if input.file is None else uploaded(input.file, field="input.file")
    file_id = None if input.file_id is None else parse_global_id(input.file_id, "File")
    options = input.options.to_service() if input.options else ImportOptions()
    try:
        row, job = await service.import_sales(
            actor=actor,
            company_id=company_id,
            upload=upload,
            file_id=file_id,
            mapping=input.mapping.to_service(),
            options=options,
        )
    except CompaniesFailure as exc:
        return ImportSalesPayload(errors=[payload_error(CompaniesError, exc)])
    return ImportSalesPayload(
        sales_import=SalesImportType.from_model(row),
        job=None if job is None else JobType.from_model(job),
    )
