"""Receipts mutations, one module each, gathered into one Mutation fragment."""

from __future__ import annotations

import strawberry

from schema.core.permissions import IsAdmin
from schema.receipts.mutations.brand_create import BrandPayload, create_brand
from schema.receipts.mutations.brand_update import update_brand
from schema.receipts.mutations.loyalty_rules_update import (
    UpdateLoyaltyRulesPayload,
    update_loyalty_rules,
)
from schema.receipts.mutations.receipt_delete import DeleteReceiptPayload, delete_receipt
from schema.receipts.mutations.receipt_upload import UploadReceiptPayload, upload_receipt
from schema.receipts.mutations.receipt_validate import ValidateReceiptPayload, validate_receipt
from schema.receipts.mutations.receipts_export import ExportReceiptsPayload, export_receipts


@strawberry.type
class ReceiptsMutation:
    upload_receipt: UploadReceiptPayload = strawberry.mutation(resolver=upload_receipt)
    validate_receipt: ValidateReceiptPayload = strawberry.mutation(resolver=validate_receipt)
    delete_receipt: DeleteReceiptPayload = strawberry.mutation(resolver=delete_receipt)
    export_receipts: ExportReceiptsPayload = strawberry.mutation(resolver=export_receipts)
    create_brand: BrandPayload = strawberry.mutation(
        resolver=create_brand, permission_classes=[IsAdmin]
    )
    update_brand: BrandPayload = strawberry.mutation(
        resolver=update_brand, permission_classes=[IsAdmin]
    )
    update_loyalty_rules: UpdateLoyaltyRulesPayload = strawberry.mutation(
        resolver=update_loyalty_rules, permission_classes=[IsAdmin]
    )
