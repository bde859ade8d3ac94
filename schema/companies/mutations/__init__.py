"""Companies mutations, one module each, gathered into one Mutation fragment."""

from __future__ import annotations

import strawberry

from schema.companies.mutations.company_create import CreateCompanyPayload, create_company
from schema.companies.mutations.company_delete import DeleteCompanyPayload, delete_company
from schema.companies.mutations.company_leave import LeaveCompanyPayload, leave_company
from schema.companies.mutations.company_update import UpdateCompanyPayload, update_company
from schema.companies.mutations.forecast_demand import ForecastDemandPayload, forecast_demand
from schema.companies.mutations.invitation_accept import (
    AcceptInvitationPayload,
    accept_invitation,
)
from schema.companies.mutations.invitation_revoke import (
    RevokeInvitationPayload,
    revoke_invitation,
)
from schema.companies.mutations.member_invite import InviteMemberPayload, invite_member
from schema.companies.mutations.member_remove import RemoveMemberPayload, remove_member
from schema.companies.mutations.member_role_change import (
    ChangeMemberRolePayload,
    change_member_role,
)
from schema.companies.mutations.product_archive import (
    DeleteProductPayload,
    archive_product,
    delete_product,
)
from schema.companies.mutations.product_create import ProductPayload, create_product
from schema.companies.mutations.product_update import update_product
from schema.companies.mutations.reorder_export import (
    ExportReorderAdvicePayload,
    export_reorder_advice,
)
from schema.companies.mutations.sales_import import ImportSalesPayload, import_sales
from schema.companies.mutations.sales_import_preview import (
    PreviewSalesImportPayload,
    preview_sales_import,
)
from schema.companies.mutations.stock_adjust import StockMovementPayload, adjust_stock
from schema.companies.mutations.stock_count import record_stock_count
from schema.companies.mutations.stock_receive import receive_stock
from schema.core.permissions import HasScope, IsCompanyMember, UserSession
from server.companies.models import CompanyRole


@strawberry.type
class CompaniesMutation:
    update_company: UpdateCompanyPayload = strawberry.mutation(
        resolver=update_company,
        permission_classes=[HasScope("companies"), IsCompanyMember(role=CompanyRole.ADMIN)],
        description="Change a company's name, currency, time zone or country (fields left out "
        "are kept). Company ADMINs. Errors: NOT_FOUND, INVALID_NAME, INVALID_CURRENCY, "
        "INVALID_TIMEZONE, INVALID_COUNTRY.",
    )
    delete_company: DeleteCompanyPayload = strawberry.mutation(
        resolver=delete_company,
        permission_classes=[UserSession(), IsCompanyMember(role=CompanyRole.ADMIN)],
        description="Delete a company and everything it owns: members, invitations, products "
        "and stock ledger, sales and imports, forecasts, its API keys, jobs and files (blobs "
        "too). Cannot be undone; `confirmName` must repeat the company's name. Company ADMINs, "
        "signed in (never an API key). Errors: NOT_FOUND, CONFIRMATION_MISMATCH.",
    )
    invite_member: InviteMemberPayload = strawberry.mutation(
        resolver=invite_member,
        permission_classes=[HasScope("companies"), IsCompanyMember(role=CompanyRole.ADMIN)],
        description="Invite an email address into a company with a role: a single-use link "
        "that expires (INVITATION_TTL_HOURS), emailed when the server has SMTP, else returned "
        "in `link`. Inviting a pending address again replaces its link. Company ADMINs. "
        "Errors: NOT_FOUND, INVALID_EMAIL, ALREADY_MEMBER, INVITATIONS_THROTTLED.",
    )
    accept_invitation: AcceptInvitationPayload = strawberry.mutation(
        resolver=accept_invitation,
        permission_classes=[UserSession()],
        description="Join a company with an invitation's token; your account's email must be "
        "the invited one (sign up first if needed). Signed-in users only. Errors: "
        "INVITATION_NOT_FOUND, INVITATION_EMAIL_MISMATCH, INVITATION_REVOKED, INVITATION_USED, "
        "INVITATION_EXPIRED, ALREADY_MEMBER.",
    )
    revoke_invitation: RevokeInvitationPayload = strawberry.mutation(
        resolver=revoke_invitation,
        permission_classes=[HasScope("companies"), IsCompanyMember(role=CompanyRole.ADMIN)],
        description="Revoke a company's invitation: its link stops working. Company ADMINs. "
        "Errors: INVITATION_NOT_FOUND, INVITATION_USED.",
    )
    change_member_role: ChangeMemberRolePayload = strawberry.mutation(
        resolver=change_member_role,
        permission_classes=[HasScope("companies"), IsCompanyMember(role=CompanyRole.ADMIN)],
        description="Give a member another role. Company ADMINs. Errors: NOT_FOUND, "
        "NOT_A_MEMBER, LAST_ADMIN (the last ADMIN cannot be demoted).",
    )
    remove_member: RemoveMemberPayload = strawberry.mutation(
        resolver=remove_member,
        permission_classes=[HasScope("companies"), IsCompanyMember(role=CompanyRole.ADMIN)],
        description="Remove a member from a company; they lose access at once. Company ADMINs. "
        "Errors: NOT_FOUND, NOT_A_MEMBER, LAST_ADMIN.",
    )
    leave_company: LeaveCompanyPayload = strawberry.mutation(
        resolver=leave_company,
        permission_classes=[UserSession(), IsCompanyMember()],
        description="Leave a company you belong to. Signed-in members (never an API key). "
        "Errors: NOT_FOUND, NOT_A_MEMBER, LAST_ADMIN (make another member ADMIN first, or "
        "delete the company).",
    )
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
    # Products (company ADMINs) and the stock ledger (members: daily work, a company key too).
    create_product: ProductPayload = strawberry.mutation(
        resolver=create_product,
        permission_classes=[HasScope("companies"), IsCompanyMember(role=CompanyRole.ADMIN)],
        description="Create a product in a company (SKU unique in it ignoring case). Company "
        "ADMINs. Errors: INVALID_SKU, DUPLICATE_SKU, INVALID_NAME, INVALID_INPUT, "
        "INVALID_PRICE, INVALID_LEAD_TIME, INVALID_QUANTITY.",
    )
    update_product: ProductPayload = strawberry.mutation(
        resolver=update_product,
        permission_classes=[HasScope("companies"), IsCompanyMember(role=CompanyRole.ADMIN)],
        description="Change a product: a field left out keeps its value, null clears it. Stock "
        "on hand changes only through movements. Company ADMINs. Errors: NOT_FOUND and "
        "createProduct's.",
    )
    archive_product: ProductPayload = strawberry.mutation(
        resolver=archive_product,
        permission_classes=[HasScope("companies"), IsCompanyMember(role=CompanyRole.ADMIN)],
        description="Archive a product (archived: false restores it): hidden from lists unless "
        "asked, no new stock movements; its SKU, movements, sales and forecasts stay. Company "
        "ADMINs. Errors: NOT_FOUND.",
    )
    delete_product: DeleteProductPayload = strawberry.mutation(
        resolver=delete_product,
        permission_classes=[HasScope("companies"), IsCompanyMember(role=CompanyRole.ADMIN)],
        description="Delete a product that has no history; one with stock movements, sales "
        "or forecasts is PRODUCT_IN_USE (archive it). Company ADMINs. Errors: NOT_FOUND, "
        "PRODUCT_IN_USE.",
    )
    adjust_stock: StockMovementPayload = strawberry.mutation(
        resolver=adjust_stock,
        permission_classes=[HasScope("companies"), IsCompanyMember()],
        description="Correct a product's stock by a signed quantity with a reason (an "
        "ADJUSTMENT movement); the stock may go negative (flagged belowZero). Members (a "
        "company key too). Errors: NOT_FOUND, PRODUCT_ARCHIVED, INVALID_QUANTITY, "
        "INVALID_INPUT.",
    )
    record_stock_count: StockMovementPayload = strawberry.mutation(
        resolver=record_stock_count,
        permission_classes=[HasScope("companies"), IsCompanyMember()],
        description="Record a physical count (a COUNT movement): the stock on hand becomes the "
        "counted quantity, the movement's quantity is the difference. Members (a company key "
        "too). Errors: NOT_FOUND, PRODUCT_ARCHIVED, INVALID_QUANTITY, INVALID_INPUT.",
    )
    receive_stock: StockMovementPayload = strawberry.mutation(
        resolver=receive_stock,
        permission_classes=[HasScope("companies"), IsCompanyMember()],
        description="Record goods received (a RECEIPT movement, positive quantity). Members (a "
        "company key too). Errors: NOT_FOUND, PRODUCT_ARCHIVED, INVALID_QUANTITY, "
        "INVALID_INPUT.",
    )
    forecast_demand: ForecastDemandPayload = strawberry.mutation(
        resolver=forecast_demand,
        permission_classes=[HasScope("companies"), IsCompanyMember()],
        description="Forecast the demand of some (or every active) product of a company as a "
        "job: a robust median ensemble by default, chosen by a backtest over all the company's "
        "series; intervals per level; short or empty histories get a fallback. The run lists "
        "under company.forecastRuns, the forecasts under company.forecasts. Members (a company "
        "key too). Errors: INVALID_INPUT, NOT_FOUND, KEY_WITHOUT_OWNER.",
    )
