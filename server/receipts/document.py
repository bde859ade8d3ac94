"""Facts about the transaction itself: when, which receipt number, which currency, paid how.

Each finder returns the value with the rows it was read from and a certainty for the rule.
"""

from __future__ import annotations

import re
from datetime import date, time

from server.documents.currency import DOLLAR, DOLLAR_RE, currency_votes
from server.documents.dates import find_dates, find_loose_dates, find_times
from server.documents.layout import Row
from server.documents.money import find_amounts
from server.receipts.totals import Found

DATE_LABEL_RE = re.compile(
    r"\b(?:BIZ\s*)?DATE\b|\bDATED?\s*:|\bLE\s+\d|\bTARIKH\b|\bDT\s*:|\bDATUM\b|\bFECHA\b|"
    r"\bDATA\b"
)
# Dates that are not when the purchase happened: card expiry (EXP, VAL, "validité"), loyalty
# card or voucher validity ("valable jusqu'au", "gültig bis", "válido hasta"), best before.
OTHER_DATE_RE = re.compile(
    r"EXP(?:IRY|IRE|\.)?\b|VALID|VALABLE|\bVAL\b|BEST\s*BEFORE|\bDLC\b|\bDDM\b|\bDLUO\b|EXPIRE|"
    r"UNTIL|JUSQU|BEFORE|\bAVANT\b|DUE\s*DATE|\bBIRTH|\bDOB\b|G[UÜ]E?LTIG|\bBIS\b|HASTA|"
    r"SCADENZA|CADUCIDAD|ABLAUF"
)
# Month-first dates are a US habit: a dollar amount with a state and ZIP code or a sales tax.
US_RE = re.compile(r"\b[A-Z]{2}\s+\d{5}(?:-\d{4})?\b|SALES\s*TAX")
# A date this long after another date of the receipt is a validity or return-by date.
LATER_DATE_DAYS = 31
TIME_LABEL_RE = re.compile(r"\bTIME\b|\bHEURE\b|\bMASA\b")
HOURS_RE = re.compile(r"\bHRS\b|OPEN|OUVERT|HORAIRES|HOURS|\bMON\b|\bLUN\b")


def date_locale(rows: list[Row]) -> str | None:
    """``"en_US"`` when this receipt writes numeric dates month first, else None (day first).

    Most of the world, France and Malaysia included, writes day first; month first is only
    believed with evidence: a date of the receipt that can only be read month first
    ("03/25/2026") and none that can only be read day first, or US cues (a dollar amount with
    a state and ZIP code, or a sales tax).
    """
    orders = {f.day_first for row in rows for f in find_dates(row.text)} - {None}
    if orders:
        return "en_US" if orders == {False} else None
    text = "\n".join(row.folded for row in rows)
    return "en_US" if DOLLAR_RE.search(text) and US_RE.search(text) else None


def find_date(rows: list[Row]) -> Found[date] | None:
    """The purchase date: prefer a date labelled DATE, printed with a time, near the top.

    Expiry/validity dates (card slips' EXP/VAL, vouchers, loyalty cards) are skipped, and a
    date printed more than a month after another one of the receipt (a validity or return-by
    date whose row was not recognised) loses to it. Numeric dates are read in the order the
    receipt uses (:func:`date_locale`).
    """
    locale = date_locale(rows)
    candidates: list[tuple[float, date, Row]] = []
    for row in rows:
        folded = row.folded
        if OTHER_DATE_RE.search(folded):
            continue
        for found in find_dates(row.text, locale=locale):
            score = 1.0
            if DATE_LABEL_RE.search(folded):
                score += 2
            if find_times(_without(row.text, found.start, found.end)):
                score += 1
            if row.index < len(rows) / 2:
                score += 0.5
            if found.textual:
                score += 0.25
            candidates.append((score, found.value, row))
    if not candidates:
        return _find_loose_date(rows)
    earliest = min(value for _, value, _ in candidates)
    best: tuple[float, date, Row] | None = None
    for score, value, row in candidates:
        if (value - earliest).days > LATER_DATE_DAYS:
            score -= 1.5
        if best is None or score > best[0]:
            best = (score, value, row)
    assert best is not None
    score, value, row = best
    return Found(value, (row,), 0.95 if score >= 3 else 0.85 if score >= 2 else 0.7)


def _find_loose_date(rows: list[Row]) -> Found[date] | None:
    """Last resort: a date with a separator misread as a space, on a row with a time."""
    locale = date_locale(rows)
    for row in rows:
        for found in find_loose_dates(row.text, locale=locale):
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
# Other euro-area habits: German/Austrian (MwSt, GmbH, -straße, Pfand), Spanish/Italian (IVA,
# NIF/CIF), Belgian/Dutch (BTW, Bancontact).
EURO_AREA_RE = re.compile(
    r"\bMWST\b|\bUST-?ID|\bGMBH\b|STRASSE\b|\bPFAND\b|\bIVA\b|\bNIF\b|\bCIF\b|\bBTW\b|"
    r"BANCONTACT|\bP\.?\s?IVA\b"
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

    Country cues: Malaysia (SDN BHD, GST, JALAN...), France (TVA, TTC, CB...), the rest of the
    euro area (MwSt, GmbH, IVA, BTW...), the UK (PLC, VAT with LTD).

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
        "EUR": len(FRANCE_RE.findall(text)) + len(EURO_AREA_RE.findall(text)),
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
