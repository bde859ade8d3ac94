"""The taxes in the amount paid: tax rows and VAT summary tables.

A tax row names a tax (GST, SST, VAT, TVA, MwSt, IVA, BTW) with a rate, a base and an amount in
any order; a VAT summary table (a header such as "TAUX HT TVA" then a few rows) gives one rate
per row. The rate tells the base from the tax (tax = base x rate), and a lone amount larger
than the total can hold in tax at that rate is the base. Zero lines and repeats are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from server.documents.layout import Row
from server.documents.money import find_amounts, find_rates
from server.receipts.labels import Kind, canonical_label, classify

# Sales tax words: GST/SST (Malaysia), VAT, TVA (France, Belgium), MwSt/USt/Steuer (Germany,
# Austria), IVA (Spain, Italy, Portugal), BTW (Netherlands, Flanders).
TAX_WORD_RE = re.compile(
    r"\b(?:GST|SST|VAT|TVA|TAX|TAXE|MWST|MW\s*ST|UST|IVA|BTW|STEUER)\b|GST|TVA|MWST"
)
# The header of a VAT summary table: a rate or tax column next to a base column ("CODE TAUX HT
# TVA", "Steuer % Netto Steuer Brutto", "IVA BASE CUOTA").
TAX_TABLE_HEADER_RE = re.compile(
    r"\bTAUX\b|\bHT\b.*\bTVA\b|\bTVA\b.*\bHT\b|\bRATE\b.*\bTAX\b|"
    r"\bNETTO\b.*\b(?:BRUTTO|STEUER|MWST)\b|\b(?:STEUER|MWST|UST)\b.*\bNETTO\b|"
    r"\bBASE\b.*\b(?:IVA|CUOTA|TVA)\b|\b(?:IVA|TVA)\b.*\bBASE\b"
)
BASE_LABEL_RE = re.compile(r"TAXABLE|\bAMT\b|\bHT\b|BASE|EXCL|\bNET\b|SUPPLIES|\bNETTO\b|IMPONIBLE")
# A tax table is a few rows long; further rows are something else.
TAX_TABLE_ROWS = 5
MAX_RATE = Decimal(30)
MONEY_KINDS = frozenset(
    {
        Kind.FINAL_TOTAL,
        Kind.TOTAL,
        Kind.SUBTOTAL,
        Kind.NET_TOTAL,
        Kind.TENDERED,
        Kind.CHANGE,
        Kind.ROUNDING,
    }
)


@dataclass(slots=True, frozen=True)
class TaxFound:
    rate: Decimal | None
    base: Decimal | None
    amount: Decimal | None
    row: Row


def _close(a: Decimal, b: Decimal, tolerance: Decimal = Decimal("0.02")) -> bool:
    return abs(a - b) <= tolerance


def _split_base_amount(rate: Decimal, values: list[Decimal]) -> tuple[Decimal | None, Decimal]:
    """Which of a tax row's amounts is the base and which the tax, using the rate.

    Tables print base, tax and sometimes base + tax in any order; the pair where
    tax = base x rate wins. Without such a pair the smallest amount is the tax.
    """
    for base in values:
        for amount in values:
            if base is not amount and base > amount and _close(base * rate / 100, amount):
                return base, amount
    for gross in values:  # tax-inclusive gross and its tax: base = gross - tax
        for amount in values:
            if gross is not amount and _close(gross * rate / (100 + rate), amount):
                return gross - amount, amount
    ordered = sorted(values)
    return (ordered[-1] if len(ordered) > 1 else None), ordered[0]


def _max_tax(total: Decimal | None, rate: Decimal | None) -> Decimal | None:
    """The largest tax a total can contain at ``rate``: total x rate / (100 + rate)."""
    if total is None or rate is None:
        return None
    return total * rate / (100 + rate) + Decimal("0.05")


def _tax_from_row(row: Row, in_table: bool, total: Decimal | None) -> TaxFound | None:
    """A tax line read from one row, or None.

    Rows labelled as a total, a payment or a rounding are not tax lines ("TOTAL INCL. GST @6%
    29.70"), unless their single amount is small enough to be the tax ("TOTAL INCLUDES 6% GST
    1.07"). A lone amount too large to be the tax at its rate is the taxed base.
    """
    text = row.text
    amounts = find_amounts(text)
    if not amounts:
        return None
    label = canonical_label(text[: amounts[0].start])
    rates = [r for r in find_rates(text) if r <= MAX_RATE]
    values = [a.value for a in amounts]
    if not TAX_WORD_RE.search(label) and not (in_table and rates):
        return None
    rate = rates[0] if rates else None
    ceiling = _max_tax(total, rate)
    single_is_tax = len(values) == 1 and ceiling is not None and abs(values[0]) <= ceiling
    if classify(label) in MONEY_KINDS and not single_is_tax:
        return None
    if rate is None:
        if len(values) != 1 or BASE_LABEL_RE.search(label):
            return None
        return TaxFound(None, None, values[0], row)
    if len(values) == 1:
        if BASE_LABEL_RE.search(label) or (ceiling is not None and abs(values[0]) > ceiling):
            return TaxFound(rate, values[0], None, row)
        return TaxFound(rate, None, values[0], row)
    base, amount = _split_base_amount(rate, values)
    return TaxFound(rate, base, amount, row)


def _merge_base_rows(found: list[TaxFound]) -> list[TaxFound]:
    """Join a base-only row with the tax-only row of the same rate that follows it.

    ("TAX AMT (S) 6%  RM 13.30" then "GST 6%  RM 0.80").
    """
    merged: list[TaxFound] = []
    for tax in found:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and previous.amount is None
            and tax.base is None
            and previous.rate == tax.rate
        ):
            merged[-1] = TaxFound(tax.rate, previous.base, tax.amount, tax.row)
        else:
            merged.append(tax)
    return merged


def find_taxes(rows: list[Row], total: Decimal | None) -> list[TaxFound]:
    """VAT/TVA/GST/SST lines: rate, base and amount, zero lines and repeats dropped.

    A tax total without a rate ("TOTAL GST 3.08") is kept only when no rated line exists.
    """
    found: list[TaxFound] = []
    table_left = 0
    for row in rows:
        if TAX_TABLE_HEADER_RE.search(row.folded) and not find_amounts(row.text):
            table_left = TAX_TABLE_ROWS
            continue
        tax = _tax_from_row(row, in_table=table_left > 0, total=total)
        table_left = max(table_left - 1, 0)
        if tax is not None:
            found.append(tax)
    found = _merge_base_rows(found)
    found = [t for t in found if (t.amount or 0) != 0 or (t.base or 0) != 0]
    found = [t for t in found if t.amount is not None]

    rated: list[TaxFound] = []
    for tax in (t for t in found if t.rate is not None):
        if not any(t.rate == tax.rate and t.amount == tax.amount for t in rated):
            rated.append(tax)
    if rated:
        return rated  # a rated breakdown exists: unrated tax totals only repeat it
    return [t for t in found if t.rate is None][:1]
