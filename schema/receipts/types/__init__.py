"""GraphQL types of receipts, one module per group; imported from here by queries, mutations
and inputs."""

from __future__ import annotations

from schema.receipts.types.brand import BrandType
from schema.receipts.types.enums import (
    ORDERINGS,
    CorrectionAction,
    ExportFormat,
    ItemSource,
    LoyaltyReason,
    PointsReview,
    ReceiptErrorCode,
    ReceiptOrder,
    ReceiptStatus,
)
from schema.receipts.types.errors import ReceiptError, receipt_error
from schema.receipts.types.item import ReceiptCorrectionType, ReceiptItemType
from schema.receipts.types.loyalty import Loyalty, LoyaltyEntryType, LoyaltyRulesType
from schema.receipts.types.parts import (
    BoxType,
    ReceiptFailure,
    ReceiptField,
    ReceiptWarning,
    TaxLineType,
)
from schema.receipts.types.receipt import ReceiptType
from schema.receipts.types.stats import Money, ReceiptStats, SpendGroup
from schema.receipts.types.visibility import of_visible_receipts, visible_owner

__all__ = [
    "ORDERINGS",
    "BoxType",
    "BrandType",
    "CorrectionAction",
    "ExportFormat",
    "ItemSource",
    "Loyalty",
    "LoyaltyEntryType",
    "LoyaltyReason",
    "LoyaltyRulesType",
    "Money",
    "PointsReview",
    "ReceiptCorrectionType",
    "ReceiptError",
    "ReceiptErrorCode",
    "ReceiptFailure",
    "ReceiptField",
    "ReceiptItemType",
    "ReceiptOrder",
    "ReceiptStats",
    "ReceiptStatus",
    "ReceiptType",
    "ReceiptWarning",
    "SpendGroup",
    "TaxLineType",
    "of_visible_receipts",
    "receipt_error",
    "visible_owner",
]
