"""Receipt extraction: OCR text in, structured receipt out.

``extract_receipt(ocr)`` is pure and synchronous (no I/O, no database): run it in a worker
thread or process next to the OCR. The steps, in order:

1. rebuild printed rows from the OCR text runs (:mod:`server.documents.layout`);
2. pair every amount with its label (:mod:`.labels`);
3. header: merchant and address (:mod:`.header`);
4. money: total and taxes (:mod:`.totals`), line items and departments (:mod:`.items`);
5. document facts: date, time, receipt number, currency, payment method (:mod:`.document`);
6. consistency checks, which add warnings and decide ``needs_review``.

Rules are written for receipts in general (French and English/Malaysian tills), not for given
shops: every rule's docstring says what receipt habit it relies on.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import TypeVar

from server.documents.boxes import union_box
from server.documents.layout import Row, build_rows
from server.documents.money import find_rates
from server.documents.text import strip_accents
from server.documents.types import OcrResult
from server.receipts.address import find_address
from server.receipts.document import (
    find_currency,
    find_date,
    find_payment_method,
    find_receipt_number,
    find_time,
    uses_accents,
)
from server.receipts.extraction import (
    ExtractedField,
    ExtractionWarning,
    LineItem,
    ReceiptExtraction,
    TaxLine,
)
from server.receipts.header import HeaderPart
from server.receipts.items import FoundItem, find_items
from server.receipts.labels import Kind, LabelledAmount, labelled_amounts
from server.receipts.merchant import find_merchant
from server.receipts.taxes import TaxFound, find_taxes
from server.receipts.totals import (
    Found,
    cross_check_total,
    discount_total,
    find_total,
    rounding_adjustment,
    subtotal,
)

__all__ = [
    "ExtractedField",
    "ExtractionWarning",
    "LineItem",
    "ReceiptExtraction",
    "TaxLine",
    "extract_receipt",
]

T = TypeVar("T")

# Below this confidence a key field (merchant, date, total) is worth a human look.
REVIEW_CONFIDENCE = 0.6
# Printed amounts are already rounded per line; sums may drift by a few cents.
SUM_TOLERANCE = Decimal("0.05")


def extract_receipt(ocr: OcrResult) -> ReceiptExtraction:
    """Extract merchant, address, date, time, total, currency, taxes, items... from OCR text."""
    rows = build_rows(ocr)
    labelled = labelled_amounts(rows)
    result = ReceiptExtraction()

    merchant, merchant_end = find_merchant(rows)
    result.merchant = _header_field(merchant)
    address = find_address(rows, merchant_end) if merchant is not None else None
    result.address = _header_field(address)
    header_end = max(
        [merchant_end, *(r.index for r in (address.rows if address else ()))], default=-1
    )

    items_end = _first_total_row(labelled, default=len(rows))
    items = find_items(rows, header_end + 1, items_end)
    result.items = [_item_field(i) for i in items]
    total = find_total(rows, labelled)
    taxes = find_taxes(rows, total.value if total else None)
    checked = cross_check_total(total, labelled, [i.total for i in items], _tax_sum(taxes))
    if checked is not total and checked is not None:
        total, taxes = checked, find_taxes(rows, checked.value)
    result.total = _field(total)
    result.taxes = [_tax_field(t) for t in taxes]

    date = find_date(rows)
    result.date = _field(date)
    result.time = _field(find_time(rows, date.rows[0] if date else None))
    result.receipt_number = _field(find_receipt_number(rows))
    result.currency = _field(find_currency(rows))
    result.payment_method = _field(find_payment_method(rows, after=items_end))
    if not uses_accents(rows, result.currency.value if result.currency else None):
        _drop_accents(result)

    result.warnings = consistency_warnings(result, labelled)
    result.needs_review = bool(result.warnings) or any(
        f is None or f.confidence < REVIEW_CONFIDENCE
        for f in (result.merchant, result.date, result.total)
    )
    return result


# --------------------------------------------------------------------------------- checks


def consistency_warnings(
    result: ReceiptExtraction, labelled: list[LabelledAmount]
) -> list[ExtractionWarning]:
    """Checks that catch misreads: missing key fields, items or taxes that disagree with the total."""
    warnings: list[ExtractionWarning] = []
    if result.total is None:
        warnings.append(ExtractionWarning("missing_total", "No total amount was found."))
    if result.date is None:
        warnings.append(ExtractionWarning("missing_date", "No purchase date was found."))
    if result.merchant is None:
        warnings.append(ExtractionWarning("missing_merchant", "No merchant name was found."))
    if result.total is not None:
        warnings.extend(_items_vs_total(result, labelled))
        warnings.extend(_taxes_vs_total(result))
        warnings.extend(_net_plus_taxes_vs_total(result, labelled))
    return warnings


def _net_plus_taxes_vs_total(
    result: ReceiptExtraction, labelled: list[LabelledAmount]
) -> list[ExtractionWarning]:
    """The total before tax plus the taxes is the total (HT + TVA = TTC, net + GST).

    Checked only when both a total before tax and tax amounts were read; a mismatch means one
    of the three was misread (or a tax line was missed). A net total of one rate ("TOTAL 6%
    SUPPLIES (EXCL. GST)") is only part of the receipt when other goods are zero-rated.
    """
    nets = [
        la.value
        for la in labelled
        if la.kind is Kind.NET_TOTAL and not la.in_table and not find_rates(la.label)
    ]
    amounts = [t.value.amount for t in result.taxes if t.value.amount is not None]
    if result.total is None or not nets or not amounts:
        return []
    net, taxes, total = nets[-1], sum(amounts, Decimal(0)), result.total.value
    if abs(net + taxes - total) <= SUM_TOLERANCE + rounding_adjustment(labelled):
        return []
    return [
        ExtractionWarning(
            "net_taxes_total_mismatch",
            f"The amount before tax {net} plus the taxes {taxes} is not the total {total}.",
        )
    ]


def _items_vs_total(
    result: ReceiptExtraction, labelled: list[LabelledAmount]
) -> list[ExtractionWarning]:
    """Line totals should add up to the total (or subtotal), give or take rounding and discounts.

    Prices may also be printed before tax, the tax being added at the end. A mismatch means an
    item was missed or misread, or the total itself is wrong.
    """
    if not result.items or result.total is None:
        return []
    items_sum = sum((i.value.total for i in result.items), Decimal(0))
    total = result.total.value
    tolerance = SUM_TOLERANCE + rounding_adjustment(labelled)
    targets = [total]
    sub = subtotal(labelled)
    if sub is not None:
        targets.append(sub)
    discounts = discount_total(labelled)
    taxes = sum((t.value.amount or Decimal(0) for t in result.taxes), Decimal(0))
    sums = {items_sum, items_sum - discounts, items_sum + taxes, items_sum - discounts + taxes}
    if any(abs(s - target) <= tolerance for s in sums for target in targets):
        return []
    return [
        ExtractionWarning(
            "items_total_mismatch",
            f"Line items add up to {items_sum} but the total is {total}.",
        )
    ]


def _taxes_vs_total(result: ReceiptExtraction) -> list[ExtractionWarning]:
    """Taxes must be smaller than the total; base + tax cannot exceed it; tax = base x rate.

    Zero-rated or exempt goods legitimately leave part of the total outside every tax line,
    so only impossible combinations are reported.
    """
    if not result.taxes or result.total is None:
        return []
    total = result.total.value
    taxes = [t.value for t in result.taxes]
    amounts = sum((t.amount or Decimal(0) for t in taxes), Decimal(0))
    bases = sum((t.base or Decimal(0) for t in taxes), Decimal(0))
    problems = []
    if amounts >= total:
        problems.append(f"taxes {amounts} are not smaller than the total {total}")
    elif bases and bases + amounts > total + SUM_TOLERANCE and bases > total + SUM_TOLERANCE:
        problems.append(f"taxed bases {bases} + taxes {amounts} exceed the total {total}")
    for tax in taxes:
        if tax.rate is not None and tax.base is not None and tax.amount is not None:
            expected = tax.base * tax.rate / 100
            if abs(expected - tax.amount) > SUM_TOLERANCE:
                problems.append(f"{tax.rate}% of {tax.base} is not {tax.amount}")
    return (
        [ExtractionWarning("taxes_total_mismatch", "; ".join(problems) + ".")] if problems else []
    )


# ------------------------------------------------------------------------------ assembling


def _drop_accents(result: ReceiptExtraction) -> None:
    """On receipts that print no accents, accented letters are OCR noise ("KÚALA")."""
    for name in ("merchant", "address"):
        value = getattr(result, name)
        if value is not None:
            setattr(result, name, replace(value, value=strip_accents(value.value)))
    result.items = [
        replace(item, value=replace(item.value, name=strip_accents(item.value.name)))
        for item in result.items
    ]


def _tax_sum(taxes: list[TaxFound]) -> Decimal:
    return sum((t.amount or Decimal(0) for t in taxes), Decimal(0))


def _first_total_row(labelled: list[LabelledAmount], default: int) -> int:
    """Items end where the first total of any sort (or an item count) is printed."""
    kinds = (Kind.FINAL_TOTAL, Kind.TOTAL, Kind.SUBTOTAL, Kind.NET_TOTAL, Kind.COUNT)
    rows = [la.row.index for la in labelled if la.kind in kinds and not la.in_table]
    return min(rows, default=default)


def _rows_confidence(rows: tuple[Row, ...] | list[Row]) -> float:
    return sum(r.confidence for r in rows) / len(rows) if rows else 0.0


def _field(found: Found[T] | None) -> ExtractedField[T] | None:
    if found is None:
        return None
    confidence = round(_rows_confidence(found.rows) * found.certainty, 3) if found.rows else 0.5
    box = union_box([r.box for r in found.rows]) if found.rows else None
    return ExtractedField(value=found.value, confidence=confidence, box=box)


def _header_field(part: HeaderPart | None) -> ExtractedField[str] | None:
    if part is None or not part.text:
        return None
    return ExtractedField(value=part.text, confidence=part.confidence, box=part.box)


def _tax_field(tax: TaxFound) -> ExtractedField[TaxLine]:
    value = TaxLine(rate=tax.rate, base=tax.base, amount=tax.amount)
    certainty = 0.9 if tax.rate is not None else 0.75
    return ExtractedField(
        value=value, confidence=round(tax.row.confidence * certainty, 3), box=tax.row.box
    )


def _item_field(item: FoundItem) -> ExtractedField[LineItem]:
    value = LineItem(
        name=item.name,
        quantity=item.quantity,
        unit_price=item.unit_price,
        total=item.total,
        category=item.category,
    )
    return ExtractedField(
        value=value,
        confidence=round(_rows_confidence(item.rows) * item.certainty, 3),
        box=union_box([r.box for r in item.rows]),
    )
