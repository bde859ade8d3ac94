"""The receipt header's vocabulary: what a header row is, and the values found there.

Receipts open with the seller: a name (often with a legal form: SDN BHD, S/B, SARL, LTD), its
registration number, the address over a few lines, then phone, tax id and the document title.
Logos, till serials and slogans may come first, branch names may sit between name and address.
This module tells those rows apart (registration, contact/tax, street, entity, noise, stop rows)
and re-spaces glued words; `server.receipts.merchant` finds the name among the first rows and
`server.receipts.address` the run of address-looking rows that follows it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
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
from server.documents.segment import Segmenter, common_words

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
# with them ("JALANAIR" -> "JALAN AIR") and they are never cut ("SEKSYEN"). Each line is a word
# and the number of sellers whose keys print it.
HEADER_WORDS_FILE = Path(__file__).with_name("header_words.txt")
# A header word is a target of OCR-slip correction only when several sellers print it: a
# word of one shop's name (its brand, its owner's name) would spell another shop's name as it.
MIN_SELLERS = 2
_segmenter: ContextVar[Segmenter | None] = ContextVar("header_segmenter", default=None)


def header_segmenter(sellers: Mapping[str, int]) -> Segmenter:
    """The segmenter for header words counted by how many sellers print them: all of them are
    local words (re-spacing, never corrected); those of ``MIN_SELLERS`` sellers or more, the
    common Malay words and common English words are the words an OCR slip is corrected toward
    (`Segmenter.correct`)."""
    general = [w for w, n in sellers.items() if n >= MIN_SELLERS]
    return Segmenter(local=sellers, targets=[*general, *common_words()], english_targets=True)


def read_header_words(text: str) -> dict[str, int]:
    """``HEADER_WORDS_FILE``'s format: "word sellers" a line (a bare word counts one seller)."""
    found: dict[str, int] = {}
    for line in text.splitlines():
        parts = line.split()
        if parts:
            found[parts[0].lower()] = int(parts[1]) if len(parts) > 1 else 1
    return found


@cache
def default_segmenter() -> Segmenter:
    """The segmenter with the shipped header words (read once)."""
    text = HEADER_WORDS_FILE.read_text(encoding="utf-8") if HEADER_WORDS_FILE.exists() else ""
    return header_segmenter(read_header_words(text))


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


def has_postcode(text: str) -> bool:
    """A five-digit postcode, or a 4-5 digit one opening a "postcode town" row; a number after
    LOT/NO/UNIT is the lot, not the postcode ("LOT 12345, JALAN...")."""
    if POSTCODE_TOWN_RE.match(text):
        return True
    return any(not LOT_NUMBER_RE.search(text[: m.start()]) for m in POSTCODE_RE.finditer(text))


def letter_count(text: str) -> int:
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
    letters = letter_count(text)
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
    if letter_count(text) < 2:
        return False
    return bool(
        re.match(r"^(?:NO\.?\s*)?\d", text)
        or re.match(r"^[A-Z]{1,2}\d", text)  # "L4-17", "G-5B" shop lots
        or _has_street_word(text)
        or has_postcode(text)
    )


def is_street_row(row: Row) -> bool:
    """A row that can only be an address: street number first, a street word or a postcode."""
    text = row.folded
    return bool(
        re.match(r"^(?:NO\.?\s*)?\d+\b", text)
        or re.search(r"\b(?:JALAN|JLN|LOT|RUE|BOULEVARD|AVENUE|ROAD|STREET)\b", text)
        or has_postcode(text)
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
    return bool(start) and letter_count(text[start.end() :]) >= 3
