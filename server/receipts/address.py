"""The address: the block of address-looking rows under the merchant, up to the first row
that is not address (contact, tax id, title, date, prices), cleaned of OCR habits.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rapidfuzz import fuzz

from server.documents.layout import Row
from server.documents.money import find_amounts
from server.receipts.header import (
    ADDRESS_WORD_RE,
    MIN_ROW_CONFIDENCE,
    REGION_RE,
    HeaderPart,
    current_segmenter,
    has_postcode,
    is_price_row,
    is_stop_row,
    letter_count,
    looks_like_address,
)

# How many rows may sit between the merchant and the first address row (branch names, reg no).
ADDRESS_GAP_ROWS = 4
MAX_ADDRESS_ROWS = 6
# A row opening with the merchant's name read again (one OCR slip allowed) is a branch heading.
NAME_REPEAT_SCORE = 85


# Abbreviations whose period is a real period ("NO. 1", "JLN. BESAR", "BD. SOULT").
ABBREVIATIONS = frozenset(
    {
        "NO", "KG", "ST", "DR", "JL", "JLN", "BDR", "TMN", "LRG", "SG", "BT", "PT", "LT", "SDN",
        "BHD", "CO", "MR", "MRS", "MS", "BLK", "LVL", "FLR", "RD", "AVE", "AV", "BD", "BLVD",
        "BLD", "STE", "PL", "SQ", "MT",
    }
)  # fmt: skip


# Street abbreviations no word starts with, and street words followed by 4+ letters, glued by
# OCR to the name after them ("JLNBESAR", "TAMANMALURI").
GLUED_ABBREVIATION_RE = re.compile(
    r"\b(JLN|TMN|BDR|LRG|KPG|PSN)(?=[A-Z]{3,}\b)"
    r"|\b(JALAN|TAMAN|BANDAR|LORONG|KAMPUNG|PERSIARAN)(?=[A-Z]{4,}\b)",  # "BANDARAYA" stays
    re.IGNORECASE,
)


def _period_as_comma(match: re.Match[str]) -> str:
    word = match.group("word")
    if word.isalpha() and (word.upper() in ABBREVIATIONS or len(word) == 1):
        return match.group(0)
    return word + ","


def _ones_as_ls(match: re.Match[str]) -> str:
    """ "Ma11" -> "Mall" when the word read with l's is a common word; "Lot1", "No11",
    "Seksyen11" are a word and its number printed together."""
    word = match.group(1) + "l" * len(match.group(2))
    return word if current_segmenter().is_common(word.lower()) else match.group(0)


def clean_address_line(text: str) -> str:
    """Undo OCR habits on printed addresses.

    The space between a postcode and its town gets dropped ("52200Kuala"), an O inside a word
    is read as a zero ("LY0N", "WATERL00"), an l after small letters as a one ("Ma11", when
    that spells a common word: "Lot1" stays) and a zero ending a number as an O ("G3O"), a street word is glued to the name after it
    ("JLNBESAR", "TMNSRI", "TAMANMALURI"), and on thermal prints the comma between address
    parts is often read as a period ("19. JALAN KANCIL, OFF JALAN PUDU. 55100"): a period after
    a number or a word (abbreviations aside) with more address after it is read as the comma it
    almost always is.
    """
    text = re.sub(r"(?<!\d)(\d{5})(?=[A-Za-z]{3})", r"\1 ", text)
    text = re.sub(r",\s*['`´‘’]", ", ", text)  # a stray tick after a comma
    text = re.sub(r"(?<=[A-Za-z])0(?=[A-Za-z])", "O", text)  # "LY0N": a zero inside a word
    text = re.sub(r"(?<=[A-Za-z]{3})(0+)\b", lambda m: "O" * len(m.group(1)), text)  # "WATERL00"
    text = re.sub(r"\b([A-Za-z]*[a-z])(1+)\b", _ones_as_ls, text)  # "Ma11": Mall, "Lot1" stays
    text = re.sub(r"(?<=\d)O\b", "0", text)  # "G3O": an O ending a number is its last zero
    text = GLUED_ABBREVIATION_RE.sub(lambda m: m.group(0) + " ", text)  # "JLNBESAR"
    text = re.sub(r"(?P<word>\b[\w/-]+)\.(?=\s+\S)", _period_as_comma, text)
    return " ".join(text.split())


def _continues_address(chosen: list[Row], row: Row) -> bool:
    """Whether ``row`` carries on the address read so far.

    Addresses end with "postcode town" and maybe the state or country. Before the postcode a
    row continues the address when it has a street/area word or commas, or follows a row
    ending in a comma. After it only a region name, the town of a postcode that ended its
    row, or a short coded branch row opening with digits ("1317 TRILLIUM S6 BESI") may follow;
    a name there ("D'ROSH SERVPORT", "POMPE 04 GAZOLE") is the operator or the goods.
    """
    previous = chosen[-1].folded
    text = row.folded
    if REGION_RE.match(text):
        return True
    if any(has_postcode(r.folded) for r in chosen):
        postcode_ends_row = bool(re.search(r"\d{5}[\s.,]*$", previous))
        coded_branch = bool(re.match(r"\d", text)) and len(text) <= 30
        return postcode_ends_row or coded_branch
    return (
        previous.endswith(",")
        or "," in text
        or bool(ADDRESS_WORD_RE.search(text))
        or bool(has_postcode(text))
    )


def _is_branch_heading(rows: list[Row], position: int, merchant_end: int) -> bool:
    """A branch heading above the street address, not part of it: a row without a number or a
    comma, followed by an address row opening with the street number (not a date, phone number
    or item), that repeats the merchant's name
    ("DOMINO'S PIZZA TAMAN UNIVERSITI" under "DOMINO'S PIZZA") or the town printed again at
    the end of the address ("BANDAR BARU RAWANG" / "NO 15 JALAN ..." / "BANDAR BARU RAWANG")."""
    text = rows[position].folded
    if position + 1 >= len(rows) or re.search(r"[\d,]", text):
        return False
    following = rows[position + 1]
    if not re.match(r"^(?:NO\.?\s*)?\d", following.folded):
        return False
    if not looks_like_address(following) or is_stop_row(following):
        return False  # a date, a phone number, an item: the heading row is the address
    name = rows[merchant_end].folded if merchant_end >= 0 else ""
    later = rows[position + 2 : position + 1 + MAX_ADDRESS_ROWS]
    repeats_name = len(text) > len(name) >= 4 and text[len(name)] == " "
    if repeats_name and fuzz.ratio(text[: len(name)], name) >= NAME_REPEAT_SCORE:
        return True
    return any(r.folded == text for r in later)


def address_text(rows: Sequence[Row]) -> str:
    """The address printed on ``rows``: OCR habits undone (`clean_address_line`), glued words
    re-spaced and words one OCR slip from a general header word spelt as it
    (`Segmenter.correct`)."""
    segmenter = current_segmenter()
    return segmenter.correct(segmenter.respace(clean_address_line(" ".join(r.text for r in rows))))


def find_address(rows: list[Row], merchant_end: int) -> HeaderPart | None:
    """The address: address-looking rows after the merchant, until a contact/tax/title cue.

    Rows between the name and the first address row (branch names, registration and tax ids,
    a date) are skipped, as is a branch heading right above the street number. Once a postcode
    has been read, only a region name, the town that follows a postcode ending its row, or a
    short coded branch row may still follow. The text is cleaned by `address_text`.
    """
    start = None
    last = min(merchant_end + 1 + ADDRESS_GAP_ROWS, len(rows) - 1)
    for position in range(merchant_end + 1, last + 1):
        row = rows[position]
        if is_price_row(row) or (find_amounts(row.folded) and not looks_like_address(row)):
            break  # items have started
        if looks_like_address(row) and not is_stop_row(row):
            start = position + _is_branch_heading(rows, position, merchant_end)
            break
    if start is None:
        return None

    chosen = [rows[start]]
    for row in rows[start + 1 : start + MAX_ADDRESS_ROWS]:
        if is_stop_row(row) or letter_count(row.folded) < 2 or row.confidence < MIN_ROW_CONFIDENCE:
            break
        if not _continues_address(chosen, row):
            break
        chosen.append(row)

    text = address_text(chosen)
    ended_well = any(has_postcode(r.folded) for r in chosen) or any(
        REGION_RE.match(r.folded) for r in chosen
    )
    return HeaderPart(text=text, rows=tuple(chosen), certainty=0.9 if ended_well else 0.7)
