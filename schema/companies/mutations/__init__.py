"""Companies mutations, one module each, gathered into one Mutation fragment."""

from __future__ import annotations

import strawberry

from schema.companies.mutations.company_create import CreateCompanyPayload, create_company
from schema.companies.mutations.reorder_export import (
    ExportReorderAdvicePayload,
    export_reorder_advice,
)
from schema.companies.mutations.sales_import import ImportSalesPayload, import_sales
from schema.companies.mutations.sales_import_preview import (
    PreviewSalesImportPayload,
    preview_sales_import,
)
from schema.core.permissions import HasScope, IsCompanyMember, UserSession


@strawberry.type
class CompaniesMutation:
    create_company: CreateCompanyPayload = strawberry.mutation(
        resolver=create_company,
        permission_classes=[UserSession()],
        description="Create a company (name, currency, time zone, country); you become its "
        "ADMIN. Signed-in users only, never an API key. Errors: INVALID_NAME, "
        "INVALID_CURRENCY, INVALID_TIMEZONE, INVALID_COUNTRY.",
    )
    export_reorder_advice: ExportReorderAdvicePayload = strawberry.mutation(
        resolver=export_reorder_advice,
        permission_classes=[HasScope("companies"), IsCompanyMember()],
        description="Export the company's reorder advice (as reorderAdvice gives it) as a CSV "
        "file, cells safe from spreadsheet formulas; download it through the file's signed "
        "`url`. Members (a company key too). BAD_USER_INPUT for a serviceLevel outside "
        "0.5..0.999.",
    )
    preview_sales_import: PreviewSalesImportPayload = strawberry.mutation(
        resolver=preview_sales_import,
        permission_classes=[HasScope("companies"), IsCompanyMember()],
        description="Look at a sales file (CSV or XLSX) before importing it: the detected "
        "format, encoding, delimiter, decimal mark and date order, the columns, the first 20 "
        "rows and a suggested mapping. No sale is written; the file is kept for a day and its "
        "`fileId` serves importSales. Members (a company key too).",
    )
    import_sales: ImportSalesPayload = strawberry.mutation(
        resolver=import_sales,
        permission_classes=[HasScope("companies"), IsCompanyMember()],
        description="Import a sales file (or a previewed fileId) as a job: rows stream in "
        "batches, failed rows become row errors, rows already stored are skipped. The same "
        "file again is DUPLICATE. Members (a company key too).",
    )
