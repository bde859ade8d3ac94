"""Currency detection from the marks a document prints (€, EUR, RM, MYR, £, GBP, US$, CHF).

A bare "$" is used by USD, SGD, AUD, CAD... and informally by Malaysian tills, so it is counted
apart and only decides when nothing else does. Country cues (a French address, "SDN BHD") are
the domain's business: receipts weigh them in ``server.receipts.document``.
"""

from __future__ import annotations

import re

CURRENCY_MARKS = {
    "EUR": re.compile(r"€|\bEUR(?:O|OS)?\b"),
    "MYR": re.compile(r"\bRM\s?\d|\bMYR\b|\(RM\)|\bRM\b"),
    "GBP": re.compile(r"£|\bGBP\b"),
    "USD": re.compile(r"\bUSD\b|US\$"),
    "CHF": re.compile(r"\bCHF\b"),
}
DOLLAR_RE = re.compile(r"\$\s?\d")
DOLLAR = "$"


def currency_votes(text: str) -> dict[str, int]:
    """How often each currency's own mark appears in ``text`` (upper case), "$" apart."""
    votes = {code: len(pattern.findall(text)) for code, pattern in CURRENCY_MARKS.items()}
    votes[DOLLAR] = len(DOLLAR_RE.findall(text))
    return votes


def detect_currency(text: str, *, dollar: str | None = "USD") -> str | None:
    """The ISO code whose marks appear most in ``text``; ``dollar`` when only "$" appears.

    ``text`` is upper-cased here. Ties go to the first code of :data:`CURRENCY_MARKS`.
    """
    votes = currency_votes(text.upper())
    marks = {code: n for code, n in votes.items() if code != DOLLAR and n}
    if marks:
        return max(marks, key=lambda code: marks[code])
    return dollar if votes[DOLLAR] else None
