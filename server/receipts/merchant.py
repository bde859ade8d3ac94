"""The merchant: the seller's name among the first rows of a receipt.

The name is the row with the strongest evidence (a legal form, a registration number under it,
a larger print) among the first rows that could be a name, above the address; a name wrapped
over two or three rows is joined, and the registration number printed after it is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from server.documents.dates import find_dates
from server.documents.layout import Row
from server.documents.money import find_amounts
from server.receipts.header import (
    BODY_CUE_RE,
    CAPITAL_RE,
    DOCUMENT_TITLE_RE,
    LEGAL_FORM_RE,
    NOT_MERCHANT_RE,
    REG_NUMBER_RE,
    TRADE_WORD_RE,
    HeaderPart,
    current_segmenter,
    is_contact_or_tax_row,
    is_entity_row,
    is_noise_row,
    is_registration_row,
    is_street_row,
    is_tagline_row,
)

# How far down the merchant name may be looked for (rows that are not noise).
MERCHANT_SEARCH_ROWS = 6


def clean_merchant(text: str) -> str:
    """Drop the registration number printed after the name and OCR'd glue around brackets.

    "99 SPEED MART S/B (519537-X)" -> "99 SPEED MART S/B"; "ALAM)SDN BHD" -> "ALAM) SDN BHD",
    "ENTERPRISE(SETIA" -> "ENTERPRISE (SETIA" (names print a space before a bracket);
    "HUAT_HARDWARE" -> "HUAT HARDWARE"; a title keeps its space: "MR.D.I.Y." -> "MR. D.I.Y.".
    A legal form OCR'd with a slip at the name's end is spelt right: "SDN BND" / "SDN BHO" ->
    "SDN BHD", "S/D" / "S/8" -> "S/B" (no other word is spelt so there), and one glued to the
    name is spaced ("DELIGHTSSDN BHD", "TRADING SDNBHD").
    """
    text = re.sub(r"\(\s*\d{5,12}\s*[-\s.·]?\s*[A-Za-z]?\s*\)\s*$", "", text)
    text = re.sub(r"\s\d{5,12}\s*[-.·]\s*[A-Za-z]\s*$", "", text)
    text = re.sub(r"\)(?=[A-Za-z])", ") ", text)
    text = re.sub(r"(?<=[^\W_]|\.)\((?=\w)", " (", text)  # any letter: "Café(Paris)"
    text = re.sub(r"(?<=[A-Za-z])_(?=[A-Za-z])", " ", text)  # an OCR'd space
    text = re.sub(r"\b(MRS?|MS|DR)\.(?=[A-Za-z])", r"\1. ", text)  # "MR.D.I.Y." -> "MR. D.I.Y."
    text = re.sub(r"\s*[|*_~]+\s*$", "", text)
    text = re.sub(r"^[\s.,;:*|_~'\"-]+", "", text)  # specks before the name
    text = " ".join(text.strip(" -*:|").split())
    text = re.sub(r"(?<=[A-Za-z]{3})(?=SDN\.?\s*B[HN][DO0]\.?$)|(?<=SDN)(?=BHD)", " ", text)
    text = re.sub(r"(\bSDN\.?\s*)B(?:N[D0O]|H[O0])(?=\.?$)", r"\1BHD", text)
    return re.sub(r"\bS/[D8]$", "S/B", text)


def _continues_previous(row: Row) -> bool:
    """A name row that cannot stand alone: it closes a bracket, starts with "&" or a legal form.

    "ENTERPRISE (SETIA" / "ALAM) SDN BHD" continue "AIK HUAT HARDWARE" above them, as do
    "(M) SDN BHD" and "& BOOKS" under the first part of a wrapped name.
    """
    text = row.folded
    if text.count(")") > text.count("(") or text.startswith("&"):
        return True
    text = re.sub(r"^\(\w{1,10}\)\s*", "", text)  # "(M) SDN BHD"
    start = LEGAL_FORM_RE.match(text) or TRADE_WORD_RE.match(text)
    return bool(start) and start.group(0) not in ("CO", "CO.")


NAME_LINK_RE = re.compile(r"^(?:DE|DU|DES|DE\s+LA|D'|D’|DEL|DELLA|VON|VAN|DER|OF|AND|ET|&|UND)\b")


def _wraps_to(row: Row, below: Row) -> bool:
    """A name wrapped over two rows: the second starts with a linking word ("LA GRANDE
    EPICERIE" / "DE MONTMARTRE"), in the same print size, and is no address or contact row."""
    text = below.folded
    if not NAME_LINK_RE.match(text) or is_street_row(below) or is_contact_or_tax_row(below):
        return False
    return abs(below.height - row.height) <= 0.25 * max(row.height, below.height, 1)


def _ends_open(text: str) -> bool:
    """A row that announces more of the name below: an open bracket or a trailing "&"."""
    return text.count("(") > text.count(")") or text.rstrip().endswith("&")


def _merchant_score(rows: list[Row], position: int, rank: int, median_height: float) -> float:
    """Evidence that ``rows[position]`` names the seller.

    A legal form is the strongest cue; the row right above a registration number comes next;
    names are printed large; a business-name ending helps a little; earlier rows win ties.
    """
    row = rows[position]
    text = row.folded
    score = -0.3 * rank
    if LEGAL_FORM_RE.search(text):
        score += 3.0
    elif TRADE_WORD_RE.search(text):
        score += 1.0
    following = rows[position + 1] if position + 1 < len(rows) else None
    if (following is not None and is_registration_row(following)) or REG_NUMBER_RE.search(text):
        score += 2.0
    if median_height and row.height >= 1.3 * median_height:
        score += 0.5
    return score


def _is_merchant_candidate(row: Row) -> bool:
    text = row.folded
    if is_noise_row(row) or is_registration_row(row) or is_contact_or_tax_row(row):
        return False
    if NOT_MERCHANT_RE.match(text) or is_tagline_row(row) or CAPITAL_RE.search(text):
        return False
    if DOCUMENT_TITLE_RE.search(text) and not LEGAL_FORM_RE.search(text):
        return False
    if find_dates(text):
        return False
    # "TIME LESS KITCHENETTE" is a name; "TIME: 12:06" or "CASHIER #01" is not.
    return not (BODY_CUE_RE.search(text) and re.search(r"[:#\d]", text))


def merchant_text(rows: Sequence[Row]) -> str:
    """The name printed on ``rows``: cleaned (`clean_merchant`), glued words re-spaced and words
    one OCR slip from a general header word spelt as it (`Segmenter.correct`)."""
    segmenter = current_segmenter()
    return segmenter.correct(segmenter.respace(clean_merchant(" ".join(r.text for r in rows))))


def find_merchant(rows: list[Row]) -> tuple[HeaderPart | None, int]:
    """The merchant name and the index of its last row (-1 when not found).

    Candidates are the first rows that could be a name, up to the address: the seller is
    printed above its address, so a name-like row below it (a branch, the operator) is not it.
    Glued words are re-spaced, and a word one OCR slip away from a general header word (one
    several sellers print, not a shop's own name) is spelt as that word (`merchant_text`).
    """
    candidates: list[int] = []
    for position, row in enumerate(rows[:25]):
        if len(candidates) >= MERCHANT_SEARCH_ROWS:
            break
        street = is_street_row(row) and not LEGAL_FORM_RE.search(row.folded)  # "7-ELEVEN SDN BHD"
        if candidates and (find_amounts(row.folded) or street):
            break
        if candidates and is_entity_row(row):
            continue  # the operator under the brand, not the trading name
        if _is_merchant_candidate(row):
            candidates.append(position)
    if not candidates:
        return None, -1

    heights = sorted(r.height for r in rows)
    median_height = heights[len(heights) // 2] if heights else 0
    scores = {p: _merchant_score(rows, p, rank, median_height) for rank, p in enumerate(candidates)}
    best = max(candidates, key=lambda p: (scores[p], -p))
    first = best
    while (
        first - 1 in candidates
        and (_continues_previous(rows[first]) or _ends_open(rows[first - 1].folded))
        and first - best < 3
    ):
        first -= 1
    while best + 1 in candidates and _wraps_to(rows[best], rows[best + 1]) and best - first < 2:
        best += 1
    chosen = rows[first : best + 1]
    text = merchant_text(chosen)
    top = scores[best]
    certainty = 0.95 if top >= 4.5 else 0.9 if top >= 2.5 else 0.8 if top >= 0.4 else 0.7
    return HeaderPart(text=text, rows=tuple(chosen), certainty=certainty), best
