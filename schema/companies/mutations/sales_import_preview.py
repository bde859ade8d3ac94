from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import Info

from schema.companies.types import CompaniesError
from schema.companies.types.sales_preview import PreviewSalesImportInput, SalesPreviewType
from schema.core.files import uploaded
from schema.core.permissions import actor_of
from schema.core.relay import parse_global_id
from schema.core.scalars import payload_error
from server.companies import sales_preview as service
from server.companies.errors import CompaniesError as CompaniesFailure
from server.companies.sales_values import DateOrder


@strawberry.type(
    description="previewSalesImport: what the file looks like, or why it cannot be read."
)
class PreviewSalesImportPayload:
    preview: SalesPreviewType | None = strawberry.field(
        default=None, description="The detected format, columns, first rows and a mapping."
    )
    errors: list[CompaniesError] = strawberry.field(
        default_factory=list,
        description="Empty on success; EMPTY_FILE, NOT_A_SALES_FILE, FILE_TOO_LARGE, "
        "KEY_WITHOUT_OWNER.",
    )


async def preview_sales_import(
    info: Info,
    input: Annotated[
        PreviewSalesImportInput, strawberry.argument(description="The company and the file.")
    ],
) -> PreviewSalesImportPayload:
    """Look at a sales file before importing it: nothing is written but the file itself, kept
    for a day in the temporary store."""
    actor = await actor_of(info)  # membership: on the field
    company_id = parse_global_id(input.company_id, "Company")
    try:
        preview = await service.preview_sales_import(
            actor=actor,
            company_id=company_id,
            upload=uploaded(input.file, field="input.file"),
            date_order=None if input.date_order is None else DateOrder(input.date_order),
        )
    except CompaniesFailure as exc:
        return PreviewSalesImportPayload(errors=[payload_error(CompaniesError, exc)])
    return PreviewSalesImportPayload(preview=SalesPreviewType.from_service(preview))
