"""The receipts enums (service enums described for clients) and the list orderings."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum

import strawberry

from schema.core.scalars import described_enum
from server.receipts import models
from server.receipts.errors import ReceiptsErrorCode

ReceiptStatus = described_enum(
    models.ReceiptStatus,
    name="ReceiptStatus",
    description="PROCESSING (being read), EXTRACTED, NEEDS_REVIEW (a key field is unsure, a "
    "check failed, or a possible duplicate), VALIDATED (confirmed by a person), IN_REVIEW "
    "(confirmed with typed values that earn more than what was read: the extra points wait for "
    "an administrator), FAILED.",
    values={
        "PROCESSING": "Uploaded; the extraction job has not finished.",
        "EXTRACTED": "Read with confidence, every check passed.",
        "NEEDS_REVIEW": "Read, but a key field is unsure, a check failed (see `warnings`), or "
        "it may be a duplicate: check it and `validateReceipt`.",
        "VALIDATED": "Confirmed (and maybe corrected) by a person.",
        "IN_REVIEW": "Confirmed with typed values that earn more than what was read: the extra "
        "points (`pointsPending`) wait for an administrator; VALIDATED once decided.",
        "FAILED": "The document could not be read (see `error`).",
    },
)


PointsReview = described_enum(
    models.PointsReview,
    name="PointsReview",
    description="An administrator's review of points earned from typed values: PENDING, "
    "APPROVED, REJECTED (final: the receipt keeps only what was read).",
    values={
        "PENDING": "Waiting in `receiptsForReview` (the receipt is IN_REVIEW).",
        "APPROVED": "Granted by an administrator.",
        "REJECTED": "Refused, for good: the receipt never holds more than what was read.",
    },
)


ItemSource = described_enum(
    models.ItemSource,
    name="ReceiptItemSource",
    description="Where a line item came from.",
    values={
        "EXTRACTED": "Read from the document.",
        "MANUAL": "Typed in with `validateReceipt`.",
    },
)


CorrectionAction = described_enum(
    models.CorrectionAction,
    name="ReceiptCorrectionAction",
    description="What a correction did.",
    values={
        "CHANGE": "Changed a receipt field or an item's field.",
        "ADD_ITEM": "Added a line item.",
        "REMOVE_ITEM": "Removed a line item.",
        "APPROVE": "An administrator granted the pending points (field `points`).",
        "REJECT": "An administrator refused the pending points (field `points`).",
    },
)


LoyaltyReason = described_enum(
    models.LoyaltyReason,
    name="LoyaltyReason",
    description="AWARD (a receipt's first points), CORRECTION (the difference after a "
    "validation), APPROVAL (an administrator approved points from typed values), REVERSAL (the "
    "receipt was deleted).",
    values={
        "AWARD": "The receipt's first points.",
        "CORRECTION": "The difference after a validation changed what the receipt earns.",
        "REVERSAL": "The receipt was deleted: everything it earned is taken back.",
        "APPROVAL": "An administrator approved points earned from typed values.",
    },
)


ReceiptErrorCode = described_enum(
    ReceiptsErrorCode,
    name="ReceiptErrorCode",
    description="Why a receipts mutation did nothing.",
    values={
        "NOT_FOUND": "No such receipt, brand or rules version, or not yours (alike).",
        "DUPLICATE": "uploadReceipt: you already uploaded this file (`existingReceiptId`); "
        "createBrand/updateBrand: a brand already has this name.",
        "INVALID_INPUT": "A value is out of its bounds or inconsistent; `field` names it.",
        "NOT_READY": "The receipt is still PROCESSING; try again when it is read.",
        "NOT_IN_REVIEW": "No points wait for review (never did, or already decided).",
        "REVIEW_CHANGED": "The pending points are no longer the `pointsPending` you reviewed: "
        "look again.",
        "EMPTY_FILE": "The file is empty.",
        "UNSUPPORTED_TYPE": "The content is not JPEG, PNG, WebP, TIFF or PDF (judged by the "
        "bytes, not the name).",
        "FILE_TOO_LARGE": "Larger than MAX_UPLOAD_BYTES (25 MB by default).",
        "TOO_MANY_PIXELS": "An image page has more than MAX_IMAGE_PIXELS (40 million by default).",
        "CORRUPT_FILE": "The file is truncated, or its header or PDF structure cannot be read.",
        "TOO_MANY_FILES": "More files in one request than MAX_FILES_PER_REQUEST (refused by the "
        "HTTP layer before any mutation runs).",
        "EMPTY_DOCUMENT": "The PDF has neither text nor images.",
        "ENCRYPTED_PDF": "The PDF is password-protected.",
        "TOO_MANY_PAGES": "The PDF or multi-page image has more pages than accepted.",
    },
)


@strawberry.enum(name="ReceiptOrder", description="How to order a receipts list.")
class ReceiptOrder(Enum):
    CREATED_AT_DESC = strawberry.enum_value(
        "CREATED_AT_DESC", description="Latest upload first (the default)."
    )
    CREATED_AT_ASC = strawberry.enum_value("CREATED_AT_ASC", description="Oldest upload first.")
    DATE_DESC = strawberry.enum_value(
        "DATE_DESC",
        description="Latest purchase first (printed date and time; the upload time when none "
        "was read).",
    )
    DATE_ASC = strawberry.enum_value(
        "DATE_ASC",
        description="Oldest purchase first (printed date and time; the upload time when none "
        "was read).",
    )
    TOTAL_DESC = strawberry.enum_value(
        "TOTAL_DESC", description="Largest total first (no total counts as 0; currencies mixed)."
    )
    TOTAL_ASC = strawberry.enum_value(
        "TOTAL_ASC", description="Smallest total first (no total counts as 0; currencies mixed)."
    )


# order -> (sort column, its Python type, descending). A receipt with no date yet sorts by its
# upload time, one with no total as 0 (see server.receipts.models).
ORDERINGS: dict[ReceiptOrder, tuple[str, type, bool]] = {
    ReceiptOrder.CREATED_AT_DESC: ("created_at", datetime, True),
    ReceiptOrder.CREATED_AT_ASC: ("created_at", datetime, False),
    ReceiptOrder.DATE_DESC: ("sort_date", datetime, True),
    ReceiptOrder.DATE_ASC: ("sort_date", datetime, False),
    ReceiptOrder.TOTAL_DESC: ("sort_total", Decimal, True),
    ReceiptOrder.TOTAL_ASC: ("sort_total", Decimal, False),
}


@strawberry.enum(name="ExportFormat", description="The file format of an export.")
class ExportFormat(Enum):
    CSV = strawberry.enum_value(
        "CSV",
        description="UTF-8 CSV with a header, one row per line item; cells that a spreadsheet "
        "would run as formulas are escaped.",
    )
