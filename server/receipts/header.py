"""The receipt header: merchant name and address.

Receipts open with the seller: a name (often with a legal form: SDN BHD, S/B, SARL, LTD), its
registration number, the address over a few lines, then phone, tax id and the document title.
Logos, till serials and slogans may come first, branch names may sit between name and address.
The rules below find the name among the first rows and the address as the run of address-looking
rows that follows it, stopping at the first phone/tax-id/document cue.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from server.documents.boxes import union_box
from server.documents.dates import find_dates
from server.documents.fuzzy import best_match
from server.documents.layout import Row
from server.documents.money import find_amounts
from server.documents.segment import Segmenter

# How far down the merchant name may be looked for (rows that are not noise).
MERCHANT_SEARCH_ROWS = 6
# How many rows may sit between the merchant and the first address row (branch names, reg no).
ADDRESS_GAP_ROWS = 4
MAX_ADDRESS_ROWS = 6
# Rows the OCR engine itself doubts are not trusted to name the seller.
MIN_ROW_CONFIDENCE = 0.6

LEGAL_FORM_RE = re.compile(
    r"\b(?:SDN\.?\s*B[HN][DO]\.?|S/B|BHD\.?|BERHAD|PLT|LTD\.?|LIMITED|LLC|INC\.?|GMBH|SARL|SAS|"
    r"SASU|EURL|SNC|S\.A\.?|PTE\.?)(?![A-Z])"
)
# Legal forms that French, Spanish or Belgian receipts print before the operator's name.
FRONT_LEGAL_FORM_RE = re.compile(r"(?:SARL|SAS|SASU|EURL|SNC|SA|SCI|SELARL|SPRL|SRL|BV|NV)\s+")
# Words that end a registered business name (Malaysian sole proprietorships and partnerships are
# "... ENTERPRISE", "... TRADING", "... & CO"); shop descriptions (CAFE, BISTRO) are not.
TRADE_WORD_RE = re.compile(r"\b(?:ENTERPRISES?|TRADING|COMPANY|CO\.|CO|ETS|ETABLISSEMENTS?)\b")
# Company / registration numbers: "(742016-W)", "789417-W", "(139386 X)", "CO-REG:860671-D".
REG_NUMBER_RE = re.compile(r"\(?\s*\d{5,12}\s*[-\s.·]?\s*[A-Z]\s*\)?\s*$")
REG_LABEL_RE = re.compile(
    r"\b(?:CO\.?\s*-?\s*RE[GI]|COMPANY\s*(?:RE[GK]|NO)|CO\.?\s*NO|RE[GK]\.?\s*NO|ROC\b|SIRET|SIREN|"
    r"RCS\b|NAF\b|APE\b|TVA\s*INTRA|N[°O]\s*TVA|BUSINESS\s*REG)"
)
DOCUMENT_TITLE_RE = re.compile(
    r"\b(?:TAX\s*INVOICE|INVOICE|RECEIPT|RECU|CASH\s*BILL|CASH\s*SALES?|TICKET|FACTURE|"
    r"BIENVENUE|WELCOME|ORDER\s*NUMBER|DUPLICATE|COPY|GUEST\s*CHECK|ADJUSTMENT\s*NOTE)\b"
)
# Cues that end the address block.
CONTACT_RE = re.compile(
    r"\b(?:TEL|TEI|TELEPHONE|PHONE|FAX|H/?P|MOBILE|WHATSAPPS?|HOTLINE|EMAIL|E-MAIL|WWW|HTTPS?)"
    r"(?![A-Z])|@|\.COM\b|\.FR\b|\.MY\b|^T\s*:|\bF\s*:"
)
TAX_ID_RE = re.compile(
    r"\b(?:GST|SST|VAT|TVA|TAX|TIN|NIF|CIF|UID|UST|MWST|STEUERNR|ST\.?\s*-?\s*NR|IVA|P\.?\s*IVA)\b"
    r"|GST(?:ID|NO|REG)|^GS[IT]\b"
)
# "SARL AU CAPITAL DE 10 000 EUR": the company's share capital, printed under French addresses.
CAPITAL_RE = re.compile(r"\bCAPITAL\b|\bKAPITAL\b")
# Card-slip and till headers that are never the seller: the seller is printed under them.
NOT_MERCHANT_RE = re.compile(
    r"^(?:CARTE\s*BANCAIRE|CB|SANS\s*CONTACT|CB\s*SANS\s*CONTACT|TICKET\s*CLIENT|"
    r"TICKET\s*COMMERCANT|BANCONTACT|DEBIT|CREDIT|VISA|MASTERCARD|MAESTRO|EC-?CASH|GIROCARD|"
    r"MERCI|THANK\s*YOU|BONJOUR)[\s.!:]*$"
)
BODY_CUE_RE = re.compile(
    r"\b(?:DATE|TIME|CASHIER|TABLE|DOC|DOCUMENT|BILL|ORDER|TERMINAL|TRANS|INV|STAFF|SERVED|COUNTER|"
    r"OPEN|HOURS|OWNED\s*BY|MEMBER|CAISSE|CAISSIER|VENDEUR|QTY|DESCRIPTION|SLIP|EXP|EXPIRY)\b"
)
PHONE_RE = re.compile(r"^\+?\(?\d{2,4}\)?[\s-]*\d{3,4}[\s-]*\d{3,5}$|^(?:\d{2}[\s.]){4}\d{2}$")
POSTCODE_RE = re.compile(r"(?<![\w-])\d{5}(?![\d-])")
# "LOT 12345", "NO. 12345", "UNIT 10234": a lot or unit number, not a postcode.
LOT_NUMBER_RE = re.compile(r"\b(?:LOT|NO|UNIT|BLOK|BLOCK|BLK|PT|PTD|GERAN|HS\(D\))\.?\s*$")
ADDRESS_WORD_RE = re.compile(
    r"\b(?:NO|LOT|UNIT|LEVEL|LVL|BLOCK|BLK|FLOOR|FLR|JALAN|JLN|LORONG|LRG|TAMAN|TMN|BANDAR|BDR|"
    r"MALL|PLAZA|WISMA|BANGUNAN|KOMPLEKS|KAWASAN|SEKSYEN|PERSIARAN|LEBUH|LEBUHRAYA|KAMPUNG|KG|"
    r"STATION|ROAD|RD|STREET|AVENUE|AVE|LANE|SQUARE|RUE|BOULEVARD|BD|BLVD|AV|PLACE|PL|ALLEE|"
    r"CHEMIN|ROUTE|QUAI|IMPASSE|COURS|CEDEX|CENTRE\s*COMMERCIAL|ZAC|ZI|ZA|RN|LIEU-DIT|CHAUSSEE|"
    r"CALLE|AVENIDA|PLAZA|CARRER|VIA|VIALE|PIAZZA|PLATZ|WEG|GASSE|ALLEE|STEENWEG|LAAN|STRAAT)\b"
    r"|\w{3,}(?:STRASSE|STRAßE|STR\.)(?!\w)"  # "HAUPTSTRASSE 12", "LEOPOLDSTR. 44"
)
# A European postcode row: "1060 BRUXELLES", "80331 MUENCHEN", "D-10115 BERLIN".
POSTCODE_TOWN_RE = re.compile(r"^(?:[A-Z]{1,2}-)?\d{4,5}\s+[A-Z][A-Z' .-]{2,}$")
LONG_STREET_WORDS = (
    "JALAN", "TAMAN", "LORONG", "PERSIARAN", "BANGUNAN", "KOMPLEKS", "KAWASAN", "BOULEVARD",
    "AVENUE", "STREET",
)  # fmt: skip
REGION_RE = re.compile(
    r"^(?:JOHOR|KEDAH|KELANTAN|MELAKA|MALACCA|NEGERI\s*SEMBILAN|PAHANG|PERAK|PERLIS|PULAU\s*"
    r"PINANG|PENANG|SABAH|SARAWAK|SELANGOR|TERENGGANU|KUALA\s*LUMPUR|PUTRAJAYA|LABUAN|"
    r"WILAYAH\s*PERSEKUTUAN|MALAYSIA|SINGAPORE|FRANCE|UNITED\s*KINGDOM|UK|DEUTSCHLAND|GERMANY|"
    r"BELGIQUE|BELGIE|BELGIUM|ESPANA|SPAIN|ITALIA|ITALY|SUISSE|SCHWEIZ|SWITZERLAND|OSTERREICH|"
    r"AUSTRIA|LUXEMBOURG|NEDERLAND|PORTUGAL)"
    r"(?:\s*DARUL\s*\w+)?[\s.,]*(?:MALAYSIA)?[\s.,]*$"
)


# Words printed in receipt headers (names, streets, towns) that the English word table lacks,
# learnt from labelled receipts by ``server.receipts.train_lines``: glued words are re-spaced
# with them ("JALANAIR" -> "JALAN AIR") and they are never cut ("SEKSYEN").
HEADER_WORDS_FILE = Path(__file__).with_name("header_words.txt")
_segmenter: ContextVar[Segmenter | None] = ContextVar("header_segmenter", default=None)


@cache
def default_segmenter() -> Segmenter:
    """The segmenter with the shipped header words (read once)."""
    words = (
        HEADER_WORDS_FILE.read_text(encoding="utf-8").split() if HEADER_WORDS_FILE.exists() else []
    )
    return Segmenter(local=words)


def current_segmenter() -> Segmenter:
    return _segmenter.get() or default_segmenter()


@contextmanager
def using_segmenter(segmenter: Segmenter) -> Iterator[None]:
    """Extract headers with another word list (a cross-validation fold's own)."""
    token = _segmenter.set(segmenter)
    try:
        yield
    finally:
        _segmenter.reset(token)


@dataclass(slots=True, frozen=True)
class HeaderPart:
    """A value found in the header, with the rows it came from and how sure the rule is."""

    text: str
    rows: tuple[Row, ...]
    certainty: float

    @property
    def confidence(self) -> float:
        ocr = sum(r.confidence for r in self.rows) / len(self.rows)
        return round(ocr * self.certainty, 3)

    @property
    def box(self) -> tuple[int, int, int, int]:
        return union_box([r.box for r in self.rows])


def _has_postcode(text: str) -> bool:
    """A five-digit postcode, or a 4-5 digit one opening a "postcode town" row; a number after
    LOT/NO/UNIT is the lot, not the postcode ("LOT 12345, JALAN...")."""
    if POSTCODE_TOWN_RE.match(text):
        return True
    return any(not LOT_NUMBER_RE.search(text[: m.start()]) for m in POSTCODE_RE.finditer(text))


def _letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


def is_registration_row(row: Row) -> bool:
    """A company-registration row: "(742016-W)", "CO-REG:860671-D", "COMPANY NO: 499702-V".

    It matters twice: it is never the merchant, and the row right above it usually is.
    """
    text = row.folded
    if REG_LABEL_RE.search(text):
        return True
    bare = re.sub(r"[^\w()\s-]", "", text).strip()
    return bool(REG_NUMBER_RE.fullmatch(bare)) or bool(re.fullmatch(r"\(?\d{6,12}\)?", bare))


def is_noise_row(row: Row) -> bool:
    """Rows that cannot name a seller: logos OCR'd as a few letters, till serials, doubtful runs.

    A name has at least three letters, more letters than digits, and is read with confidence.
    """
    text = row.folded
    letters = _letters(text)
    digits = sum(ch.isdigit() for ch in text)
    return letters < 3 or digits > letters or row.confidence < MIN_ROW_CONFIDENCE


def is_contact_or_tax_row(row: Row) -> bool:
    """Phone, e-mail, web, tax id: the rows that follow an address, never part of it."""
    text = row.folded
    compact = text.replace(" ", "")
    return bool(
        CONTACT_RE.search(text)
        or TAX_ID_RE.search(text)
        or PHONE_RE.match(compact)
        or PHONE_RE.match(text)
    )


def is_price_row(row: Row) -> bool:
    """A row ending with an amount (maybe a currency or tax-code mark after it): goods or money.

    Street numbers written "55,57" look like comma-decimal amounts, but not at the row's end.
    """
    amounts = find_amounts(row.folded)
    return bool(amounts) and len(row.folded[amounts[-1].end :].strip()) <= 3


def is_stop_row(row: Row) -> bool:
    """Anything that ends the header: contact/tax ids, capital, titles, dates, prices."""
    text = row.folded
    return (
        is_contact_or_tax_row(row)
        or bool(CAPITAL_RE.search(text))
        or is_entity_row(row)
        or is_registration_row(row)
        or bool(DOCUMENT_TITLE_RE.search(text))
        or bool(BODY_CUE_RE.search(text))
        or bool(find_dates(text))
        or is_price_row(row)
        or (bool(find_amounts(text)) and not looks_like_address(row))
    )


def _has_street_word(text: str) -> bool:
    """A street/building word, tolerating one OCR slip in the long ones ("JAIAN" for JALAN)."""
    if ADDRESS_WORD_RE.search(text):
        return True
    return any(
        best_match(word, LONG_STREET_WORDS, cutoff=80) for word in re.findall(r"[A-Z]{5,}", text)
    )


def looks_like_address(row: Row) -> bool:
    """An address row starts with a street number or carries a street/building word or postcode."""
    text = row.folded
    if _letters(text) < 2:
        return False
    return bool(
        re.match(r"^(?:NO\.?\s*)?\d", text)
        or re.match(r"^[A-Z]{1,2}\d", text)  # "L4-17", "G-5B" shop lots
        or _has_street_word(text)
        or _has_postcode(text)
    )


def clean_merchant(text: str) -> str:
    """Drop the registration number printed after the name and OCR'd glue around brackets.

    "99 SPEED MART S/B (519537-X)" -> "99 SPEED MART S/B"; "ALAM)SDN BHD" -> "ALAM) SDN BHD";
    "HUAT_HARDWARE" -> "HUAT HARDWARE"; a title keeps its space: "MR.D.I.Y." -> "MR. D.I.Y.".
    """
    text = re.sub(r"\(\s*\d{5,12}\s*[-\s.·]?\s*[A-Za-z]?\s*\)\s*$", "", text)
    text = re.sub(r"\s\d{5,12}\s*[-.·]\s*[A-Za-z]\s*$", "", text)
    text = re.sub(r"\)(?=[A-Za-z])", ") ", text)
    text = re.sub(r"(?<=[A-Za-z])_(?=[A-Za-z])", " ", text)  # an OCR'd space
    text = re.sub(r"\b(MRS?|MS|DR)\.(?=[A-Za-z])", r"\1. ", text)  # "MR.D.I.Y." -> "MR. D.I.Y."
    text = re.sub(r"\s*[|*_~]+\s*$", "", text)
    text = re.sub(r"^[\s.,;:*|_~'\"-]+", "", text)  # specks before the name
    return " ".join(text.strip(" -*:|").split())


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


def is_street_row(row: Row) -> bool:
    """A row that can only be an address: street number first, a street word or a postcode."""
    text = row.folded
    return bool(
        re.match(r"^(?:NO\.?\s*)?\d+\b", text)
        or re.search(r"\b(?:JALAN|JLN|LOT|RUE|BOULEVARD|AVENUE|ROAD|STREET)\b", text)
        or _has_postcode(text)
    )


def is_tagline_row(row: Row) -> bool:
    """A slogan in small letters ("Le bio a petit prix"): most words start lower-case.

    Shop names are printed in capitals or title case; taglines are written as sentences.
    """
    words = [w for w in row.text.split() if w[:1].isalpha()]
    return len(words) >= 2 and sum(w[0].islower() for w in words) * 2 > len(words)


def is_entity_row(row: Row) -> bool:
    """The operating company printed under a brand: a legal form first, then its own name
    ("SAS DISTRIMARCHE LYON", "SARL AU CAPITAL DE..."). A bare legal form ("SDN BHD",
    "(M) SDN BHD") continues the name above instead."""
    text = re.sub(r"^\(\w{1,10}\)\s*", "", row.folded)
    start = FRONT_LEGAL_FORM_RE.match(text)
    return bool(start) and _letters(text[start.end() :]) >= 3


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


def find_merchant(rows: list[Row]) -> tuple[HeaderPart | None, int]:
    """The merchant name and the index of its last row (-1 when not found).

    Candidates are the first rows that could be a name, up to the address: the seller is
    printed above its address, so a name-like row below it (a branch, the operator) is not it.
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
    text = current_segmenter().respace(clean_merchant(" ".join(r.text for r in chosen)))
    top = scores[best]
    certainty = 0.95 if top >= 4.5 else 0.9 if top >= 2.5 else 0.8 if top >= 0.4 else 0.7
    return HeaderPart(text=text, rows=tuple(chosen), certainty=certainty), best


# Abbreviations whose period is a real period ("NO. 1", "JLN. BESAR", "BD. SOULT").
ABBREVIATIONS = frozenset(
    {
        "NO", "KG", "ST", "DR", "JL", "JLN", "BDR", "TMN", "LRG", "SG", "BT", "PT", "LT", "SDN",
        "BHD", "CO", "MR", "MRS", "MS", "BLK", "LVL", "FLR", "RD", "AVE", "AV", "BD", "BLVD",
        "BLD", "STE", "PL", "SQ", "MT",
    }
)  # fmt: skip


def _period_as_comma(match: re.Match[str]) -> str:
    word = match.group("word")
    if word.isalpha() and (word.upper() in ABBREVIATIONS or len(word) == 1):
        return match.group(0)
    return word + ","


def clean_address_line(text: str) -> str:
    """Undo OCR habits on printed addresses.

    The space between a postcode and its town gets dropped ("52200Kuala"), an O inside a word
    becomes a zero ("LY0N"), and on thermal prints the comma between address parts is often
    read as a period ("19. JALAN KANCIL, OFF JALAN PUDU. 55100"): a period after a number or a
    word (abbreviations aside) with more address after it is read as the comma it almost
    always is.
    """
    text = re.sub(r"(?<!\d)(\d{5})(?=[A-Za-z]{3})", r"\1 ", text)
    text = re.sub(r",\s*['`´‘’]", ", ", text)  # a stray tick after a comma
    text = re.sub(r"(?<=[A-Za-z])0(?=[A-Za-z])", "O", text)  # "LY0N": a zero inside a word
    text = re.sub(r"(?<=[A-Za-z]{3})(0+)\b", lambda m: "O" * len(m.group(1)), text)  # "WATERL00"
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
    if any(_has_postcode(r.folded) for r in chosen):
        postcode_ends_row = bool(re.search(r"\d{5}[\s.,]*$", previous))
        coded_branch = bool(re.match(r"\d", text)) and len(text) <= 30
        return postcode_ends_row or coded_branch
    return (
        previous.endswith(",")
        or "," in text
        or bool(ADDRESS_WORD_RE.search(text))
        or bool(_has_postcode(text))
    )


def find_address(rows: list[Row], merchant_end: int) -> HeaderPart | None:
    """The address: address-looking rows after the merchant, until a contact/tax/title cue.

    Rows between the name and the first address row (branch names, registration and tax ids,
    a date) are skipped. Once a postcode has been read, only a region name, the town that
    follows a postcode ending its row, or a short coded branch row may still follow.
    """
    start = None
    last = min(merchant_end + 1 + ADDRESS_GAP_ROWS, len(rows) - 1)
    for position in range(merchant_end + 1, last + 1):
        row = rows[position]
        if is_price_row(row) or (find_amounts(row.folded) and not looks_like_address(row)):
            break  # items have started
        if looks_like_address(row) and not is_stop_row(row):
            start = position
            break
    if start is None:
        return None

    chosen = [rows[start]]
    for row in rows[start + 1 : start + MAX_ADDRESS_ROWS]:
        if is_stop_row(row) or _letters(row.folded) < 2 or row.confidence < MIN_ROW_CONFIDENCE:
            break
        if not _continues_address(chosen, row):
            break
        chosen.append(row)

    text = current_segmenter().respace(clean_address_line(" ".join(r.text for r in chosen)))
    ended_well = any(_has_postcode(r.folded) for r in chosen) or any(
        REGION_RE.match(r.folded) for r in chosen
    )
    return HeaderPart(text=text, rows=tuple(chosen), certainty=0.9 if ended_well else 0.7)
