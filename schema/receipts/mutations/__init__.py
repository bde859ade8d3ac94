"""Receipts mutations, one module each, gathered into one Mutation fragment."""

from __future__ import annotations

import strawberry

from schema.core.permissions import HasScope, IsAdmin
from schema.receipts.mutations.brand_create import BrandPayload, create_brand
from schema.receipts.mutations.brand_update import update_brand
from schema.receipts.mutations.loyalty_rules_update import (
    UpdateLoyaltyRulesPayload,
    update_loyalty_rules,
)
from schema.receipts.mutations.receipt_approve import ApproveReceiptPayload, approve_receipt
from schema.receipts.mutations.receipt_delete import DeleteReceiptPayload, delete_receipt
from schema.receipts.mutations.receipt_reject import RejectReceiptPayload, reject_receipt
from schema.receipts.mutations.receipt_upload import UploadReceiptPayload, upload_receipt
from schema.receipts.mutations.receipt_validate import ValidateReceiptPayload, validate_receipt
from schema.receipts.mutations.receipts_export import ExportReceiptsPayload, export_receipts


@strawberry.type
class ReceiptsMutation:
    upload_receipt: UploadReceiptPayload = strawberry.mutation(
        resolver=upload_receipt, permission_classes=[HasScope("receipts:write")]
    )
    validate_receipt: ValidateReceiptPayload = strawberry.mutation(
        resolver=validate_receipt, permission_classes=[HasScope("receipts:write")]
    )
    delete_receipt: DeleteReceiptPayload = strawberry.mutation(
        resolver=delete_receipt, permission_classes=[HasScope("receipts:write")]
    )
    # Reads receipts (the CSV it writes is the caller's own download).
    export_receipts: ExportReceiptsPayload = strawberry.mutation(
        resolver=export_receipts, permission_classes=[HasScope("receipts:read")]
    )
    create_brand: BrandPayload = strawberry.mutation(
        resolver=create_brand, permission_classes=[IsAdmin()]
    )
    update_brand: BrandPayload = strawberry.mutation(
        resolver=update_brand, permission_classes=[IsAdmin()]
    )
    update_loyalty_rules: UpdateLoyaltyRulesPayload = strawberry.mutation(
        resolver=update_loyalty_rules, permission_classes=[IsAdmin()]
    )
    approve_receipt: ApproveReceiptPayload = strawberry.mutation(
        resolver=approve_receipt, permission_classes=[IsAdmin()]
    )
    reject_receipt: RejectReceiptPayload = strawberry.mutation(
        resolver=reject_receipt, permission_classes=[IsAdmin()]
    )
