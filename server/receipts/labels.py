"""Labelled amounts: which words a receipt prints before each amount, and what they mean.

A row can hold several label/amount pairs ("Total Saving 0.00  Total 77.20"), so each amount is
paired with the text between it and the previous amount. Labels are compared after folding
(upper case, no accents) and after snapping OCR-mangled words to the vocabulary of receipt
labels ("Totel Amt Peyable" -> "TOTAL AMT PAYABLE", "SUBIUIAL" -> "SUBTOTAL").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from server.documents.fuzzy import Vocabulary
from server.documents.layout import Row
from server.documents.money import find_amounts
from server.documents.text import fold

VOCABULARY = (
    "TOTAL", "SUBTOTAL", "ROUNDING", "ROUNDED", "ADJUSTMENT", "PAYABLE", "AMOUNT", "CHANGE",
    "TENDERED", "INCLUSIVE", "INCLUDING", "EXCLUDING", "EXCLUSIVE", "DISCOUNT", "BALANCE",
    "QUANTITY", "PAYMENT", "SAVING", "PAYER", "MONTANT", "REMISE", "ESPECES", "RENDU",
    "MONNAIE", "JUMLAH", "COUNT", "SALES", "ROUND", "TENDER", "SERVICE", "CHARGE",
    "GRAND",
)  # fmt: skip
# Short words are left alone: at 4 letters one OCR slip already makes another word.
FUZZY_MIN_LENGTH = 5
FUZZY_MIN_SCORE = 75


class Kind(Enum):
    """What a labelled amount is."""

    FINAL_TOTAL = "final_total"  # grand/nett/rounded total, amount due, total incl. tax, à payer
    TOTAL = "total"  # a plain "TOTAL"
    SUBTOTAL = "subtotal"
    NET_TOTAL = "net_total"  # a total before tax ("TOTAL EXCL. GST", "TOTAL HT")
    ROUNDING = "rounding"
    TENDERED = "tendered"  # cash or card handed over
    CHANGE = "change"
    TAX = "tax"
    DISCOUNT = "discount"
    COUNT = "count"  # item / quantity counts that happen to look like amounts
    OTHER = "other"


_WORD_RE = re.compile(r"[A-Z]+")
# Total words of English, French, Malay, German, Spanish and Italian tills ("SUMME EUR 9,85",
# "IMPORTE TOTAL", "TOTALE"); "ZWISCHENSUMME" is a subtotal (checked first).
_TOTAL_WORD = r"(?:TOTAL|TTL|MONTANT|JUMLAH|\bSUMME\b|\bGESAMT|\bBETRAG\b|\bIMPORTE\b)"
_BEFORE_TAX_RE = re.compile(r"\bEX[CD]|BEFORE\s*(?:GST|TAX|VAT)|\bHT\b|\bH\.T\b|SANS\s*TAXE")
# Totals of something else than money paid.
_EXCLUDED_TOTAL_RE = re.compile(r"\bNB\b|POINTS?|\bWEIGHT\b|POIDS|\bBEFORE\b")
_FINAL_TOTAL_RE = re.compile(
    r"GRAND\s*TOTAL|NETT?\s*TOTAL|FINAL\s*TOTAL|TOTAL\s*(?:AMOUNT\s*|AMT\s*)?DUE|AMO?U?NT\s*DUE|"
    r"PAYABLE|TO\s*PAY|A\s*PAYER|\bTTC\b|TOTAL\s*AFTER|ROUNDED|ROUND\w*\s*D?\s*TOTAL|"
    r"^\s*(?:BALANCE\s*)?DUE\b|BALANCE\s*DUE|ZU\s*ZAHLEN|A\s*PAGAR|"
    r"TOTAL\s*(?:SALES\s*)?(?:AMT\s*|AMOUNT\s*)?(?:\(|\b)(?:INCL|INC\b|INC\.|INCLUSIVE|WITH)|"
    r"INCLUSIVE\s*OF\s*GST|TOTAL\W*(?:GST|VAT|TAX|TVA)\W*(?:INCL|INC\b|INCLUSIVE)|"
    r"NETT?\s*(?:AMOUNT|AMT)\b"
)
_TENDER_RE = re.compile(
    r"\bCASH\b|TENDER|\bPAID\b|ESPECES|\bCB\b|CARTE|\bVISA\b|MASTER|\bAMEX\b|\bCARD\b|"
    r"PAYMENT|\bEDC\b|CHEQUE|\bDEBIT\b|\bCREDIT\b|BANCONTACT|\bMAESTRO\b|SANS\s*CONTACT|"
    r"\bEC\b|GIROCARD|\bGEG(?:EBEN)?\b|^\s*BAR(?:\s*EUR)?\s*$|EFECTIVO|TARJETA|CONTANTI|"
    r"TICKETS?\s*REST|TITRES?\s*REST"
)
# "BALANCE DUE" is what is left to pay (a total), "BALANCE" alone the change (Malaysia).
_CHANGE_RE = re.compile(
    r"CHANGE|RENDU|MONNAIE|\bBALANCE\b(?!\s*DUE)|R[UÜ]E?CKGELD|ZURUECK|\bCAMBIO\b"
)
_ROUNDING_RE = re.compile(r"ROUND|ARRONDI|\bADJ\b")
_TAX_RE = re.compile(
    r"\b(?:GST|SST|VAT|TVA|TAX|TAXE|TAXES|MWST|MW\s*ST|UST|IVA|BTW|STEUER)\b|GST@|^GST"
)
_DISCOUNT_RE = re.compile(
    r"DISC|REMISE|SAVING|PROMO|REDUCTION|COUPON|VOUCHER|BON\s*D|RABATT|DESCUENTO|SCONTO|AVANTAGE"
)
# "ITEM 2  TOTAL WITH GST 77.20", "QTY: 6  TOTAL AMOUNT: 31.60": a count printed before the label.
_LEADING_COUNT_RE = re.compile(r"^(?:\d+\s*)?(?:(?:ITEMS?|QTY|QUANTITY)\s*:?\s*\d+\s*)?")
_COUNT_RE = re.compile(
    r"TOTAL\s*(?:NO\.?\s*OF\s*)?(?:QTY|QUANTITY|ITEMS?|ITEM\s*\(S\)|PCS|UNITS|ARTICLES?)|"
    r"(?:QTY|QUANTITY|ITEMS?|ARTICLES?)\s*(?:COUNT|TOTAL)|\bCOUNT\b"
)
# Counts labelled without a total word: "NO. QTYS: 1.00", "ITEM COUNT 2", "QTY 3.00" (a count
# before another label, "QTY 3  ROUNDING 0.02", leaves the amount to that label).
_COUNT_LABEL_RE = re.compile(
    r"\bNO\.?\s*(?:OF\s*)?(?:QTYS?|ITEMS?)\b|ITEMS?\s*COUNT|"
    r"^\s*(?:QTY|QUANTITY|NB\s*ART)\b[\s:.\d]*$"
)
_TAX_PAYABLE_RE = re.compile(r"\b(?:GST|SST|VAT|TVA|TAX|MWST|IVA)\s*(?:PAYABLE|DUE)\b")
_SUBTOTAL_RE = re.compile(r"SUB\s*-?\s*TOTAL|SOUS\s*-?\s*TOTAL|ZWISCHENSUMME|SUBTOTALE")


_LABEL_WORDS = Vocabulary(VOCABULARY, cutoff=FUZZY_MIN_SCORE, min_length=FUZZY_MIN_LENGTH)


def canonical_label(text: str) -> str:
    """Folded label with OCR-mangled vocabulary words snapped back ("TOTAI" -> "TOTAL")."""
    folded = fold(text).replace("0TAL", "OTAL").replace("T0TAL", "TOTAL")
    return _WORD_RE.sub(lambda m: _LABEL_WORDS.snap(m.group(0)), folded)


def classify(label: str) -> Kind:
    """Kind of amount a canonical label announces; order matters, most specific first.

    Change is checked before tender ("CHANGE DUE" is not a due total), rounding before totals
    ("ROUNDING ADJ" is no total, "TOTAL ROUNDED" is), and the totals that are not the amount
    paid (subtotal, savings, item counts, amounts before tax) before the final and plain ones.
    """
    if _CHANGE_RE.search(label):
        return Kind.CHANGE
    if _COUNT_LABEL_RE.search(label):
        return Kind.COUNT
    has_total = re.search(_TOTAL_WORD, label) is not None
    if _SUBTOTAL_RE.search(label):
        return Kind.SUBTOTAL
    if _ROUNDING_RE.search(label) and not (has_total or "ROUNDED" in label):
        return Kind.ROUNDING
    if _TAX_PAYABLE_RE.search(label) and not re.search(r"INCL|INC\b|WITH", label):
        return Kind.TAX  # "GST PAYABLE (6%)", "TOTAL VAT DUE": the tax due, not the total
    if has_total or _FINAL_TOTAL_RE.search(label):
        label = _LEADING_COUNT_RE.sub("", label)
        if _DISCOUNT_RE.search(label):
            return Kind.DISCOUNT
        if _COUNT_RE.search(label):
            return Kind.COUNT
        if _BEFORE_TAX_RE.search(label):
            return Kind.NET_TOTAL
        if _EXCLUDED_TOTAL_RE.search(label):
            return Kind.OTHER
        if _FINAL_TOTAL_RE.search(label):
            return Kind.FINAL_TOTAL
        if _TAX_RE.search(label):
            return Kind.TAX  # "TOTAL GST", "TAX TOTAL", "TOTAL TVA"
        return Kind.TOTAL
    if _TAX_RE.search(label):
        return Kind.TAX
    if _DISCOUNT_RE.search(label):
        return Kind.DISCOUNT
    if _TENDER_RE.search(label):
        return Kind.TENDERED
    return Kind.OTHER


@dataclass(slots=True, frozen=True)
class LabelledAmount:
    row: Row
    label: str  # canonical label text
    kind: Kind
    value: Decimal
    # More unlabelled amounts follow on the row: a table line (tax summary, qty/price/amount),
    # not a single labelled figure.
    in_table: bool


def _label_has_words(label: str) -> bool:
    return sum(ch.isalpha() for ch in re.sub(r"\b(?:RM|MYR|EUR|USD|GBP)\b", "", label)) >= 2


def labelled_amounts(rows: list[Row]) -> list[LabelledAmount]:
    """Every amount paired with the label printed before it (same row, or the row above).

    When a row is only a label ("TOTAL AMOUNT PAYABLE") its amount may be printed on the next
    row with no words of its own; that amount takes the label.
    """
    found: list[LabelledAmount] = []
    pending: tuple[Row, str] | None = None
    for row in rows:
        text = row.text
        amounts = find_amounts(text)
        if not amounts:
            label = canonical_label(text)
            pending = (row, label) if classify(label) is not Kind.OTHER else None
            continue
        labels = []
        previous_end = 0
        for amount in amounts:
            labels.append(canonical_label(text[previous_end : amount.start]))
            previous_end = amount.end
        if pending is not None and not _label_has_words(labels[0]):
            labels[0] = pending[1]
        for index, (label, amount) in enumerate(zip(labels, amounts, strict=True)):
            if not _label_has_words(label):
                continue
            rest = labels[index + 1 :]
            unlabelled = 0
            for other in rest:
                if _label_has_words(other):
                    break
                unlabelled += 1
            found.append(
                LabelledAmount(
                    row=row,
                    label=label,
                    kind=classify(label),
                    value=amount.value,
                    in_table=unlabelled > 0,
                )
            )
        pending = None
    return found
