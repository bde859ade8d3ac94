"""Facts about the transaction itself: when, which receipt number, which currency, paid how.

Each finder returns the value with the rows it was read from and a certainty for the rule.
"""

from __future__ import annotations

import re
from datetime import date, time

from server.documents.currency import DOLLAR, currency_votes
from server.documents.dates import find_dates, find_loose_dates, find_times
from server.documents.layout import Row
from server.documents.money import find_amounts
from server.receipts.totals import Found

DATE_LABEL_RE = re.compile(r"\b(?:BIZ\s*)?DATE\b|\bDATED?\s*:|\bLE\s+\d|\bTARIKH\b|\bDT\s*:")
# Dates that are not when the purchase happened.
OTHER_DATE_RE = re.compile(
    r"EXP(?:IRY|IRE|\.)?\b|VALID|BEST\s*BEFORE|\bDLC\b|\bDDM\b|EXPIRE|UNTIL|JUSQU|BEFORE|DUE\s*DATE|"
    r"\bBIRTH|\bDOB\b"
)
TIME_LABEL_RE = re.compile(r"\bTIME\b|\bHEURE\b|\bMASA\b")
HOURS_RE = re.compile(r"\bHRS\b|OPEN|OUVERT|HORAIRES|HOURS|\bMON\b|\bLUN\b")


def find_date(rows: list[Row]) -> Found[date] | None:
    """The purchase date: prefer a date labelled DATE, printed with a time, near the top.

    Expiry/validity dates (vouchers, loyalty offers) are skipped.
    """
    best: tuple[float, date, Row] | None = None
    for row in rows:
        folded = row.folded
        if OTHER_DATE_RE.search(folded):
            continue
        for found in find_dates(row.text):
            score = 1.0
            if DATE_LABEL_RE.search(folded):
                score += 2
            if find_times(_without(row.text, found.start, found.end)):
                score += 1
            if row.index < len(rows) / 2:
                score += 0.5
            if found.textual:
                score += 0.25
            if best is None or score > best[0]:
                best = (score, found.value, row)
    if best is None:
        return _find_loose_date(rows)
    score, value, row = best
    return Found(value, (row,), 0.95 if score >= 3 else 0.85 if score >= 2 else 0.7)


def _find_loose_date(rows: list[Row]) -> Found[date] | None:
    """Last resort: a date with a separator misread as a space, on a row with a time."""
    for row in rows:
        for found in find_loose_dates(row.text):
            if find_times(_without(row.text, found.start, found.end)):
                return Found(found.value, (row,), 0.6)
    return None


def _without(text: str, start: int, end: int) -> str:
    return text[:start] + " " + text[end:]


def find_time(rows: list[Row], date_row: Row | None) -> Found[time] | None:
    """The purchase time: on the date's row first, else a row labelled TIME, else any time.

    Opening-hours rows ("SUN-THU 1000 HRS - 2200 HRS") are not purchase times.
    """

    def times_in(row: Row) -> list[time]:
        text = row.text
        for found in find_dates(text):
            text = _without(text, found.start, found.end)
        return [t for t, _, _ in find_times(text)]

    if date_row is not None and times_in(date_row):
        return Found(times_in(date_row)[0], (date_row,), 0.95)
    for certainty, wanted in ((0.9, True), (0.7, False)):
        for row in rows:
            if HOURS_RE.search(row.folded) or find_amounts(row.text):
                continue
            if wanted and not TIME_LABEL_RE.search(row.folded):
                continue
            values = times_in(row)
            if values:
                return Found(values[0], (row,), certainty)
    return None


RECEIPT_NUMBER_RE = re.compile(
    r"\b(?P<label>RECEIPT|RECU|INVOICE|INV|BILL|DOC(?:UMENT)?|TRANS(?:ACTION)?|TICKET|TKT|"
    r"FACTURE|CHECK|CHK|SLIP|TRX|TXN)\b\s*"
    r"(?:NO\.?|N[°O]\.?|NUMBER|NUM|NBR|#)?\s*[:.#]?\s*"
    r"(?P<value>(?:[A-Z]{1,5}\s?)?[A-Z0-9][A-Z0-9\-/]*\d[A-Z0-9\-/]*)"
)


def find_receipt_number(rows: list[Row]) -> Found[str] | None:
    """The receipt/invoice/ticket number printed after its label ("Invoice #:OR1803...").

    The label may end its row and the number open the next one ("DOC NO." / ": CS00011955").
    """
    for position, row in enumerate(rows):
        folded = row.folded
        if re.search(r"GST|TAX\s*ID|\bREF\b|\bREG\b", folded) and "INVOICE" not in folded:
            continue
        match = RECEIPT_NUMBER_RE.search(folded)
        if match and not find_dates(match["value"]):
            return Found(match["value"].replace(" ", ""), (row,), 0.85)
        label_only = re.search(
            r"\b(?:RECEIPT|INVOICE|INV|BILL|DOC|TICKET|FACTURE)\b\s*(?:NO\.?|N[°O]\.?|#)\s*:?\s*$",
            folded,
        )
        if label_only and position + 1 < len(rows):
            following = rows[position + 1].folded.lstrip(": ")
            value = re.match(r"[A-Z]{0,5}\s?[A-Z0-9\-/]*\d[A-Z0-9\-/]*", following)
            if value:
                return Found(value.group(0).replace(" ", ""), (row, rows[position + 1]), 0.75)
    return None


PAYMENT_PATTERNS = (
    ("CARD", r"\bCB\b(?!\s*#)|CARTE\s*(?:BANCAIRE|BLEUE)?|\bVISA\b|MASTERCARD|\bMASTER\b|"
     r"\bAMEX\b|AMERICAN\s*EXPRESS|MAESTRO|\bCREDIT\s*CARD|\bDEBIT\s*CARD|\bCARD\b|\bEDC\b|"
     r"SANS\s*CONTACT|CONTACTLESS"),
    ("CASH", r"\bCASH\b|ESPECES|\bCOMPTANT\b"),
    ("CHEQUE", r"\bCHEQUE\b|\bCHQ\b|\bCHECK\b(?!\s*#)"),
    ("MEAL_VOUCHER", r"TICKET\s*RESTAURANT|TITRE\s*RESTAURANT|\bSWILE\b"),
    ("E_WALLET", r"BOOST|GRAB\s*PAY|TOUCH\s*'?N\s*'?GO|\bTNG\b|E-?WALLET|APPLE\s*PAY|GOOGLE\s*PAY|"
     r"PAYPAL|LYDIA"),
)  # fmt: skip
NOT_PAYMENT_RE = re.compile(
    r"CASH\s*(?:BILL|SALES?|INV|REGISTER|REFUND)|NO\s*CASH|NON-?\s*CASH|CASHIER|SIGN\s*UP|"
    r"MEMBER|LOYALTY|FIDELITE|CARD\s*(?:NO|NUMBER)|POINTS"
)
PAYMENT_LABEL_RE = re.compile(
    r"PAY\s*BY|PAYMENT|PAID\s*BY|MODE\s*DE\s*(?:PAIEMENT|REGLEMENT)|REGLEMENT|PAYE\s*PAR|TENDER"
)


def find_payment_method(rows: list[Row], after: int) -> Found[str] | None:
    """How the receipt was paid, when printed: CARD, CASH, CHEQUE, MEAL_VOUCHER or E_WALLET.

    A payment word counts on a tender line (it carries an amount) or after a payment label,
    and tender lines after the total are preferred: "CASH BILL" titles, "NO CASH REFUND"
    notices and loyalty-card adverts are not payments.
    """
    ordered = rows[after:] + rows[:after]
    for row in ordered:
        folded = row.folded
        if NOT_PAYMENT_RE.search(folded) and not PAYMENT_LABEL_RE.search(folded):
            continue
        tender_line = bool(find_amounts(row.text))
        if not tender_line and not PAYMENT_LABEL_RE.search(folded):
            continue
        for method, pattern in PAYMENT_PATTERNS:
            if re.search(pattern, folded):
                return Found(method, (row,), 0.9 if tender_line else 0.8)
    return None


MALAYSIA_RE = re.compile(
    r"\bSDN\.?\s*BHD\b|\bBHD\b|\bGST\b|\bSST\b|MALAYSIA|\bJALAN\b|\bJLN\b|\bTAMAN\b|SELANGOR|"
    r"KUALA\s*LUMPUR|JOHOR|\bRM\b"
)
FRANCE_RE = re.compile(
    r"\bTVA\b|A\s*PAYER|\bTTC\b|\bHT\b|ESPECES|\bCB\b|CARTE\s*BANCAIRE|MERCI|\bFRANCE\b|SIRET|"
    r"\bRUE\b|\bBOULEVARD\b|\bAVENUE\b\s+DE"
)
UK_RE = re.compile(r"\bVAT\b.*\b(?:LTD|PLC)\b|\bPLC\b|UNITED\s*KINGDOM|\bLONDON\b")


def uses_accents(rows: list[Row], currency: str | None) -> bool:
    """Whether accented letters can be real on this receipt (French), or OCR noise.

    The recogniser sometimes reads "ÁLAM" or "KÚALA" on English/Malay receipts, where no
    accent is ever printed.
    """
    if currency == "EUR":
        return True
    text = "\n".join(row.folded for row in rows)
    return len(FRANCE_RE.findall(text)) >= 2


def find_currency(rows: list[Row]) -> Found[str] | None:
    """ISO currency: its own mark (€, EUR, RM, MYR, £), else the country the receipt is from.

    A bare "$" only decides when nothing else does (USD, SGD, AUD and Malaysian tills use it);
    comma decimals with no other cue point to the euro area.
    """
    text = "\n".join(row.folded for row in rows)
    votes = currency_votes(text)
    marks = {code: n for code, n in votes.items() if code != DOLLAR and n}
    sources = tuple(rows[:1])
    if marks:
        code = max(marks, key=lambda c: marks[c])
        return Found(code, sources, 0.95 if len(marks) == 1 else 0.8)
    cues = {
        "MYR": len(MALAYSIA_RE.findall(text)),
        "EUR": len(FRANCE_RE.findall(text)),
        "GBP": len(UK_RE.findall(text)),
    }
    if max(cues.values()) >= 2:
        return Found(max(cues, key=lambda c: cues[c]), sources, 0.75)
    if votes[DOLLAR]:
        return Found("USD", sources, 0.5)
    comma_decimals = len(re.findall(r"\d,\d{2}(?!\d)", text))
    dot_decimals = len(re.findall(r"\d\.\d{2}(?!\d)", text))
    if comma_decimals > dot_decimals:
        return Found("EUR", sources, 0.4)
    return None
