"""Small value types of a receipt: a box, a read field, a warning, a tax line, a failure."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import strawberry


@strawberry.type(
    name="Box", description="A pixel rectangle on the page image: left, top, right, bottom."
)
class BoxType:
    x0: int = strawberry.field(description="Left edge, in pixels from the left.")
    y0: int = strawberry.field(description="Top edge, in pixels from the top.")
    x1: int = strawberry.field(description="Right edge, in pixels from the left.")
    y1: int = strawberry.field(description="Bottom edge, in pixels from the top.")

    @classmethod
    def of(cls, values: Any) -> BoxType | None:
        if not values or len(values) != 4:
            return None
        return cls(x0=int(values[0]), y0=int(values[1]), x1=int(values[2]), y1=int(values[3]))


@strawberry.type(
    description="One field of a receipt: its current value, what was read, how sure the "
    "reading was (0..1) and where on the image it was printed."
)
class ReceiptField:
    name: str = strawberry.field(
        description="store, location, date, time, total, currency, receiptNumber, paymentMethod."
    )
    value: str | None = strawberry.field(description="Dates ISO-8601, money a decimal string.")
    extracted_value: str | None = strawberry.field(description="As read, before any correction.")
    confidence: float | None = strawberry.field(description="Of the reading; null when not read.")
    box: BoxType | None = strawberry.field(
        description="Where it was printed on the page image; null when not read."
    )
    corrected: bool = strawberry.field(description="Whether `value` differs from what was read.")


@strawberry.type(description="A check on what was read that did not pass.")
class ReceiptWarning:
    code: str = strawberry.field(
        description="items_total_mismatch, missing_total, possible_duplicate..."
    )
    message: str = strawberry.field(description="What the check found, in English, for people.")


@strawberry.type(
    name="ReceiptTaxLine",
    description="A tax line printed on the receipt (amounts are decimal strings in the "
    "receipt's `currency`).",
)
class TaxLineType:
    rate: Decimal | None = strawberry.field(description="In percent.")
    base: Decimal | None = strawberry.field(
        description="The amount the tax applies to; null when not printed or not read."
    )
    amount: Decimal | None = strawberry.field(
        description="The tax itself; null when not printed or not read."
    )
    confidence: float = strawberry.field(description="Of the reading, 0 to 1.")
    box: BoxType | None = strawberry.field(
        description="Where it was printed on the page image; null when unknown."
    )


@strawberry.type(description="Why a receipt could not be read.")
class ReceiptFailure:
    code: str = strawberry.field(description="EMPTY_DOCUMENT, UNREADABLE_IMAGE, ... (the reader's)")
    message: str = strawberry.field(description="What went wrong, in English, for people.")
