"""The amount paid and the taxes in it.

The total is chosen among labelled amounts (see :mod:`server.receipts.labels`): final totals
("NETT TOTAL", "TOTAL INCL. GST", "A PAYER") over plain "TOTAL", never the cash handed over or
the change. Payment lines and tax summaries printed after the payment are ignored, a rounding
adjustment makes the total printed after it the one paid, and "cash - change" confirms a
candidate. Without any total label, weaker evidence is used and the certainty says so. The
taxes in it are read by :mod:`server.receipts.taxes`.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Generic, TypeVar

from server.documents.layout import Row
from server.documents.money import find_amounts, find_rates
from server.receipts.labels import Kind, LabelledAmount

T = TypeVar("T")

# Amounts that agree to the cent or within a rounding step (Malaysia rounds cash to 5 sen).
CENT = Decimal("0.01")
# Printed amounts are rounded per line: sums may drift by a few cents.
CHECK_TOLERANCE = Decimal("0.05")


@dataclass(slots=True, frozen=True)
class Found(Generic[T]):
    """A value with the rows it was read from and how sure the rule is (0..1)."""

    value: T
    rows: tuple[Row, ...]
    certainty: float


def _tendered_minus_change(labelled: list[LabelledAmount]) -> Decimal | None:
    """Cash handed over minus change given back: the total, when both are printed.

    The largest tendered amount is used: some tills print the cash total and the tendered
    amount on two lines ("Cash 8.60 / Tendered 9.00 / Change 0.40").
    """
    tendered = [
        abs(la.value) for la in labelled if la.kind is Kind.TENDERED and _CASH_RE.search(la.label)
    ]
    change = [abs(la.value) for la in labelled if la.kind is Kind.CHANGE]
    if not tendered or not change:
        return None
    implied = max(tendered) - change[0]
    return implied if implied > 0 else None


# Cash handed over, in the tills' languages ("ESPECES", "Bar", "Gegeben", "EFECTIVO").
_CASH_RE = re.compile(r"CASH|TENDER|PAID|PAYMENT|ESPECES|^\s*BAR\b|\bGEG|EFECTIVO|CONTANTI")
# Card terminals charge the exact amount due, unlike cash (rounded up, change given back).
_CARD_RE = re.compile(
    r"\bCB\b|CARTE|\bVISA\b|MASTER|\bAMEX\b|\bCARD\b|\bEDC\b|\bDEBIT\b|\bCREDIT\b|"
    r"BANCONTACT|MAESTRO|SANS\s*CONTACT|CONTACTLESS|\bEC\b|GIROCARD|TARJETA"
)


def card_payments(labelled: list[LabelledAmount]) -> list[LabelledAmount]:
    """Amounts paid by card: the total itself (no change is given on a card)."""
    return [
        la
        for la in labelled
        if la.kind is Kind.TENDERED and la.value > 0 and _CARD_RE.search(la.label)
    ]


def _payment_rows(labelled: list[LabelledAmount]) -> list[Row]:
    return [la.row for la in labelled if la.kind in (Kind.TENDERED, Kind.CHANGE)]


def _after_payment(candidates: list[LabelledAmount], labelled: list[LabelledAmount]) -> int | None:
    """Index of the first payment row printed after the first total candidate."""
    first = min(c.row.index for c in candidates)
    payments = [
        la.row.index
        for la in labelled
        if la.kind in (Kind.TENDERED, Kind.CHANGE) and la.row.index > first
    ]
    return min(payments) if payments else None


def _largest_repeated_amount(rows: list[Row], labelled: list[LabelledAmount]) -> Decimal | None:
    """The largest amount printed at least twice, tender and change lines left out.

    Receipts repeat the total (item column, subtotal, total, tax summary); a random amount
    rarely appears twice.
    """
    excluded = {id(la.row) for la in labelled if la.kind in (Kind.TENDERED, Kind.CHANGE)}
    counts: Counter[Decimal] = Counter()
    for row in rows:
        if id(row) in excluded:
            continue
        for amount in find_amounts(row.text):
            if amount.value > 0:
                counts[amount.value] += 1
    repeated = [value for value, n in counts.items() if n >= 2]
    return max(repeated) if repeated else None


def find_total(rows: list[Row], labelled: list[LabelledAmount]) -> Found[Decimal] | None:
    """The amount paid, with a certainty that reflects which rule found it.

    In order: a labelled total confirmed by cash - change (or by a card payment); the last of the strongest labelled
    totals (after any rounding line, before any payment line); without a label, cash - change
    if that amount is printed, a card payment, the subtotal, then the largest amount printed
    twice. :func:`cross_check_total` then weighs the choice against the items and taxes.
    """
    candidates = [
        la
        for la in labelled
        if la.kind in (Kind.FINAL_TOTAL, Kind.TOTAL) and not la.in_table and la.value > 0
    ]
    implied = _tendered_minus_change(labelled)
    cards = card_payments(labelled)
    if implied is None and cards:
        implied = cards[-1].value  # a card is charged the amount due, to the cent
    payments = [la.row.index for la in labelled if la.kind in (Kind.TENDERED, Kind.CHANGE)]
    if candidates and implied is not None and min(c.row.index for c in candidates) > min(payments):
        # Every labelled total comes after the payment (a tax summary's "TOTAL"): the real
        # total line was not read, and what was paid says more.
        return Found(implied, tuple(_payment_rows(labelled)[:2]), 0.75)
    if candidates:
        cut = _after_payment(candidates, labelled)
        if cut is not None:
            candidates = [c for c in candidates if c.row.index < cut] or candidates
        roundings = [la.row.index for la in labelled if la.kind is Kind.ROUNDING and la.value]
        if roundings:
            after = [c for c in candidates if c.row.index >= max(roundings)]
            candidates = after or candidates
        confirmed = [c for c in candidates if c.value == implied]
        if confirmed:
            chosen = confirmed[-1]
            return Found(chosen.value, (chosen.row,), 0.98)
        step = _rounding_before_payment(labelled)
        if implied is not None and step and any(abs(c.value - implied) <= step for c in candidates):
            # Only the unrounded total is labelled; the cash paid shows the rounded one.
            return Found(implied, tuple(_payment_rows(labelled)[:2]), 0.85)
        best_kind = (
            Kind.FINAL_TOTAL if any(c.kind is Kind.FINAL_TOTAL for c in candidates) else Kind.TOTAL
        )
        chosen = [c for c in candidates if c.kind is best_kind][-1]
        agreeing = sum(c.value == chosen.value for c in candidates)
        certainty = 0.92 if best_kind is Kind.FINAL_TOTAL else 0.85
        if agreeing > 1:
            certainty = min(certainty + 0.04, 0.97)
        return Found(chosen.value, (chosen.row,), certainty)

    printed = {amount.value for row in rows for amount in find_amounts(row.text)}
    if implied is not None and implied in printed:
        return Found(implied, tuple(_payment_rows(labelled)[:2]), 0.75)
    if cards:  # the total's label was not read, but the card was charged the amount due
        return Found(cards[-1].value, (cards[-1].row,), 0.7)
    subtotals = [la for la in labelled if la.kind is Kind.SUBTOTAL and la.value > 0]
    if subtotals:
        return Found(subtotals[-1].value, (subtotals[-1].row,), 0.6)
    repeated = _largest_repeated_amount(rows, labelled)
    if repeated is not None:
        source = [r for r in rows if any(a.value == repeated for a in find_amounts(r.text))]
        return Found(repeated, tuple(source[-1:]), 0.45)
    return None


def cross_check_total(
    found: Found[Decimal] | None,
    labelled: list[LabelledAmount],
    item_totals: list[Decimal],
    taxes: Decimal,
) -> Found[Decimal] | None:
    """Another printed total when the chosen one disagrees with what the receipt adds up to.

    Receipts add up: the line items (less printed discounts, plus the tax when prices are
    before tax) make the total, and so do the amount before tax and its taxes (HT + TVA =
    TTC). When the chosen total fits none of these sums but another labelled total, or a card
    payment (a card is charged the exact amount due), fits one, an OCR slip or a wrong row gave
    the chosen one ("TOTAL TTC 2,08" read off the TVA row above it). A total confirmed by
    cash - change is kept, a final total only gives way to another final total or a card
    payment, and with fewer than two items their sum is no evidence.
    """
    if found is None or found.certainty >= 0.98:
        return found
    sums: set[Decimal] = set()
    if len(item_totals) >= 2:
        items = sum(item_totals, Decimal(0))
        discounts = discount_total(labelled)
        sums |= {items, items - discounts, items + taxes, items - discounts + taxes}
    nets = [
        la.value
        for la in labelled
        if la.kind is Kind.NET_TOTAL and not la.in_table and not find_rates(la.label)
    ]
    if nets and taxes:
        sums.add(nets[-1] + taxes)
    tolerance = CHECK_TOLERANCE + rounding_adjustment(labelled)

    def fits(value: Decimal) -> bool:
        return any(abs(value - s) <= tolerance for s in sums)

    if not sums or fits(found.value):
        return found
    # Never trade a final total ("TOTAL PAYABLE") for a plain one (a section's "TOTAL 0%
    # SUPPLIES"): items may stop at the first total, so their sum can match a part.
    chosen_final = any(
        la.kind is Kind.FINAL_TOTAL and la.value == found.value and la.row in found.rows
        for la in labelled
    )
    wanted = (Kind.FINAL_TOTAL,) if chosen_final else (Kind.FINAL_TOTAL, Kind.TOTAL)
    others = [
        la for la in labelled if la.kind in wanted and not la.in_table and la.value > 0
    ] + card_payments(labelled)
    fitting = [la for la in others if la.value != found.value and fits(la.value)]
    if len({la.value for la in fitting}) != 1:
        return found
    return Found(fitting[-1].value, (fitting[-1].row,), 0.8)


def _rounding_before_payment(labelled: list[LabelledAmount]) -> Decimal:
    """The rounding printed before any payment line: it rounds the total (0 when none).

    A rounding printed among the payment lines ("CASH 3.00 / ROUNDING 0.02 / CHANGE 0.70")
    rounds the cash handed over, and the receipt's total stays the one printed.
    """
    payments = [la.row.index for la in labelled if la.kind in (Kind.TENDERED, Kind.CHANGE)]
    first_payment = min(payments, default=None)
    values = [
        abs(la.value)
        for la in labelled
        if la.kind is Kind.ROUNDING and (first_payment is None or la.row.index < first_payment)
    ]
    return max(values, default=Decimal(0))


def rounding_adjustment(labelled: list[LabelledAmount]) -> Decimal:
    """The rounding printed on the receipt (0 when none): a tolerance for the checks."""
    values = [abs(la.value) for la in labelled if la.kind is Kind.ROUNDING]
    return max(values, default=Decimal(0))


def discount_total(labelled: list[LabelledAmount]) -> Decimal:
    """Sum of printed discounts and savings, as a positive number."""
    return sum((abs(la.value) for la in labelled if la.kind is Kind.DISCOUNT), Decimal(0))


def subtotal(labelled: list[LabelledAmount]) -> Decimal | None:
    values = [la.value for la in labelled if la.kind is Kind.SUBTOTAL and not la.in_table]
    return values[-1] if values else None
