"""Amounts, rates and currencies as printed on receipts.

Money is always :class:`~decimal.Decimal`. Receipts print amounts with exactly two decimals, with
a dot (``12.50``, Malaysia, UK, US) or a comma (``12,50``, France), sometimes with thousands
separators (``1,007.50``), a currency mark (``RM9.00``, ``$8.20``, ``12,50 €``), a tax-code
letter glued on (``5.20S``) or a minus for discounts and roundings (``1,20-``, ``-RM0.02``, ``(0.02)``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# Two decimals only: three-decimal numbers are weights or unit prices (``2.570`` litres,
# ``9.000``), and integers are quantities, codes or phone numbers. Lookarounds keep dates
# (``25.12.18``), percentages (``6.00%``) and longer numbers from being read as amounts.
AMOUNT_RE = re.compile(
    r"(?<![\d.,/])"
    r"(?:(?<![\w-])(?P<lead>-|\()\s?(?:RM|\$|€|£)?\s?)?"
    r"(?P<int>\d{1,3}(?:,\d{3})+(?=\.)|\d{1,3}(?:\.\d{3})+(?=,)|\d+)"
    r"\s?(?P<sep>[.,])(?P<dec>\d{2})"
    r"(?![\d%]|[.,]\d|\s%|\s?/\d)"
    r"(?P<trail>-(?!\d)|\))?"
)
RATE_RE = re.compile(r"(?<![\d.,])(?P<rate>\d{1,2}(?:[.,]\d{1,2})?)\s?%")

CURRENCY_MARKS = {
    "EUR": re.compile(r"€|\bEUR(?:O|OS)?\b"),
    "MYR": re.compile(r"\bRM\s?\d|\bMYR\b|\(RM\)|\bRM\b"),
    "GBP": re.compile(r"£|\bGBP\b"),
    "USD": re.compile(r"\bUSD\b|US\$"),
}
# A bare "$" is used by USD, SGD, AUD, CAD... and informally by Malaysian tills, so it only
# decides the currency when nothing else on the receipt does.
DOLLAR_RE = re.compile(r"\$\s?\d")


@dataclass(slots=True, frozen=True)
class Amount:
    """An amount found in a text, with its character span."""

    value: Decimal
    start: int
    end: int


def find_amounts(text: str) -> list[Amount]:
    """Every two-decimal amount in ``text``, left to right."""
    found = []
    for match in AMOUNT_RE.finditer(text):
        digits = re.sub(r"[.,]", "", match["int"])
        try:
            value = Decimal(f"{digits}.{match['dec']}")
        except InvalidOperation:  # pragma: no cover - the pattern only lets digits through
            continue
        lead, trail = match["lead"], match["trail"]
        bracketed = lead == "(" and trail == ")"
        if bracketed or lead == "-" or trail == "-":  # a lone bracket is text, not a sign
            value = -value
        found.append(Amount(value=value, start=match.start(), end=match.end()))
    return found


def parse_amount(text: str) -> Decimal | None:
    """The last amount of ``text`` (amounts sit at the right end of receipt rows)."""
    amounts = find_amounts(text)
    return amounts[-1].value if amounts else None


def find_rates(text: str) -> list[Decimal]:
    """Percent rates (``6%``, ``5,5 %``, ``20.00%``) in ``text``."""
    return [Decimal(m["rate"].replace(",", ".")) for m in RATE_RE.finditer(text)]


def currency_votes(text: str) -> dict[str, int]:
    """How often each currency's own mark appears in ``text`` (upper-cased)."""
    votes = {code: len(pattern.findall(text)) for code, pattern in CURRENCY_MARKS.items()}
    votes["$"] = len(DOLLAR_RE.findall(text))
    return votes
