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
        resolver=upload_receipt,
        permission_classes=[HasScope("receipts:write")],
        description="Upload a receipt photo or PDF (a multipart upload) and start reading it; "
        "follow the job. The same file again is refused as DUPLICATE; a refused file leaves "
        "nothing stored. API keys need the `receipts:write` scope.",
    )
    validate_receipt: ValidateReceiptPayload = strawberry.mutation(
        resolver=validate_receipt,
        permission_classes=[HasScope("receipts:write")],
        description="Correct what was read and confirm a receipt of yours (admins: anyone's). "
        "Fields left out stay; items are added (no id), changed, or removed (`delete: true`); "
        "every change is kept in `corrections`. Points are recomputed and the difference "
        "posted, except extra points from typed values, which wait for an administrator "
        "(IN_REVIEW). API keys need the `receipts:write` scope.",
    )
    delete_receipt: DeleteReceiptPayload = strawberry.mutation(
        resolver=delete_receipt,
        permission_classes=[HasScope("receipts:write")],
        description="Delete a receipt of yours (admins: anyone's) and its file; the points it "
        "earned are reversed in the ledger. API keys need the `receipts:write` scope.",
    )
    # Reads receipts (the CSV it writes is the caller's own download).
    export_receipts: ExportReceiptsPayload = strawberry.mutation(
        resolver=export_receipts,
        permission_classes=[HasScope("receipts:read")],
        description="Export your matching receipts (admins: everyone's) as a CSV file of "
        "yours, one row per line item, oldest purchase first; download it through the file's "
        "`url`. API keys need the `receipts:read` scope.",
    )
    create_brand: BrandPayload = strawberry.mutation(
        resolver=create_brand,
        permission_classes=[IsAdmin()],
        description="Add a brand; items read or validated from now on are linked to it by "
        "name. Admins only (an API key needs the `admin` scope).",
    )
    update_brand: BrandPayload = strawberry.mutation(
        resolver=update_brand,
        permission_classes=[IsAdmin()],
        description="Change a brand; items already linked keep their link, new matches use the "
        "new names. Admins only (an API key needs the `admin` scope).",
    )
    update_loyalty_rules: UpdateLoyaltyRulesPayload = strawberry.mutation(
        resolver=update_loyalty_rules,
        permission_classes=[IsAdmin()],
        description="Publish a new loyalty rules version (the current one with these changes). "
        "Only later awards use it: receipts already awarded keep their version, also when a "
        "correction recomputes them. Admins only (an API key needs the `admin` scope).",
    )
    approve_receipt: ApproveReceiptPayload = strawberry.mutation(
        resolver=approve_receipt,
        permission_classes=[IsAdmin()],
        description="Grant the points a receipt IN_REVIEW waits for (see `receiptsForReview`); "
        "they are posted once, however often or concurrently this is called. Admins only (an "
        "API key needs the `admin` scope). Errors: NOT_FOUND, NOT_IN_REVIEW, REVIEW_CHANGED, "
        "INVALID_INPUT.",
    )
    reject_receipt: RejectReceiptPayload = strawberry.mutation(
        resolver=reject_receipt,
        permission_classes=[IsAdmin()],
        description="Refuse, for good, the points a receipt IN_REVIEW waits for: it keeps what "
        "was read (nothing when it was typed in); the reason joins its corrections. Admins only "
        "(an API key needs the `admin` scope). Errors: NOT_FOUND, NOT_IN_REVIEW, INVALID_INPUT.",
    )
