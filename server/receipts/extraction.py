"""What the receipt pipeline returns: plain, immutable-by-convention result types.

Every extracted value is an :class:`ExtractedField`: the value, a confidence in [0, 1] (OCR
confidence of the source rows times the certainty of the rule that picked it) and the pixel box
of the OCR row(s) it came from, so a client can highlight it on the image. Money is Decimal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal
from typing import Generic, TypeVar

from server.documents.types import Box

T = TypeVar("T")


@dataclass(slots=True, frozen=True)
class ExtractedField(Generic[T]):
    value: T
    confidence: float
    box: Box | None


@dataclass(slots=True, frozen=True)
class TaxLine:
    """One VAT/TVA/GST/SST line: rate in percent, taxable base and tax amount (each optional)."""

    rate: Decimal | None
    base: Decimal | None
    amount: Decimal | None


@dataclass(slots=True, frozen=True)
class LineItem:
    name: str
    quantity: Decimal | None
    unit_price: Decimal | None
    total: Decimal
    category: str | None  # the department heading printed above it, when there is one


@dataclass(slots=True, frozen=True)
class ExtractionWarning:
    code: str  # stable, machine-readable: "items_total_mismatch", "missing_total", ...
    message: str


@dataclass(slots=True)
class ReceiptExtraction:
    merchant: ExtractedField[str] | None = None
    address: ExtractedField[str] | None = None
    date: ExtractedField[date] | None = None
    time: ExtractedField[time] | None = None
    total: ExtractedField[Decimal] | None = None
    currency: ExtractedField[str] | None = None
    receipt_number: ExtractedField[str] | None = None
    payment_method: ExtractedField[str] | None = None
    taxes: list[ExtractedField[TaxLine]] = field(default_factory=list)
    items: list[ExtractedField[LineItem]] = field(default_factory=list)
    warnings: list[ExtractionWarning] = field(default_factory=list)
    needs_review: bool = False
