"""Line items: name, quantity, unit price, line total and department.

Items sit between the header and the first total. An item row ends with its line total; its
name is on the row or on the row(s) just above when the till prints the name first and
"2 x 0,99   1,98" below it. French supermarkets print department headings (CRÈMERIE,
EPICERIE, FRUITS ET LEGUMES...) above their items: the heading is the items' category until the
next heading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from server.documents.dates import find_dates
from server.documents.layout import Row
from server.documents.money import Amount, find_amounts
from server.documents.text import fold
from server.receipts.labels import Kind, canonical_label, classify

# Department headings of French (and a few English) supermarket tickets, folded.
DEPARTMENTS = (
    "CREMERIE", "EPICERIE", "EPICERIE SUCREE", "EPICERIE SALEE", "BOUCHERIE", "BOULANGERIE",
    "CHARCUTERIE", "TRAITEUR", "FROMAGERIE", "FROMAGE", "POISSONNERIE", "MAREE",
    "FRUITS ET LEGUMES", "FRUITS & LEGUMES", "FRUITS LEGUMES", "PRIMEUR", "LIQUIDES", "BOISSONS",
    "CAVE", "VINS", "DROGUERIE", "HYGIENE", "PARFUMERIE", "DPH", "ENTRETIEN", "SURGELES",
    "PRODUITS FRAIS", "FRAIS", "BAZAR", "TEXTILE", "PAPETERIE", "ANIMALERIE", "BEBE",
    "PATISSERIE", "VIENNOISERIE", "BIO", "BAKERY", "DAIRY", "PRODUCE", "GROCERY", "MEAT",
    "FROZEN", "BEVERAGES", "HOUSEHOLD",
)  # fmt: skip
HEADING_DECORATION_RE = re.compile(r"^[\s*=\-_#>.]+|[\s*=\-_#<.:]+$")
QUANTITY_RE = re.compile(
    r"(?<![\d.,])(?P<qty>\d{1,4}(?:[.,]\d{1,3})?)\s*(?:KG|G|L|PCS?|UN|U|X)?\s*[X×*@]\s*"
    r"(?:RM|€|\$|£|EUR)?\s*$"
)
# Fuel and weighed goods: "38,52 L X 1,789 EUR/L", "0,412 kg x 29,90 €/kg" (the unit price may
# have three decimals, so it is no amount): quantity and unit price of the line, not its name.
MEASURED_RE = re.compile(
    r"(?<![\d.,])(?P<qty>\d{1,4}(?:[.,]\d{1,3})?)\s*(?:KG|G|L|LTR|LITRES?)\s*[X×*@]\s*"
    r"(?:€|EUR)?\s*(?P<price>\d{1,4}(?:[.,]\d{1,3})?)\s*(?:€|EUR)?\s*(?:/\s*(?:KG|L|LTR)\b)?",
    re.IGNORECASE,
)
# "2 x Sardines huile  7,80": the count printed before the name.
LEADING_COUNT_RE = re.compile(r"^\s*(?P<qty>\d{1,3})\s*[X×*]\s+(?=[^\W\d])", re.IGNORECASE)
BARE_NUMBER_RE = re.compile(r"(?<![\d.,])(\d{1,3}(?:[.,]\d{1,3})?)\s*$")
BODY_LABEL_RE = re.compile(
    r"\b(?:DATE|TIME|CASHIER|CAISSE|CAISSIER|TABLE|TEL|FAX|GST\s*(?:ID|NO|REG)|SIRET|QTY\s+DESC|"
    r"DESCRIPTION|DESIGNATION|INVOICE|RECEIPT|TICKET|MEMBER|CARTE\s*FIDELITE)\b"
)
NAME_NOISE_RE = re.compile(
    r"\b(?:RM|EUR|MYR|USD|GBP)\b|[€$£]|(?:\s+[A-Z*]{1,2})+$|^\d{6,}\s*|\s*[|*~]+\s*"
)
MAX_NAME_ROWS = 2
# Tills print the VAT code of the line after its price ("4,35 1", "2,70 A", "1,29 B*"): a
# letter or digit or two, alone after the last amount, is a code, not part of the name.
VAT_CODE_AFTER_RE = re.compile(r"^\s+[A-Z0-9*]{1,2}\s*$", re.IGNORECASE)


@dataclass(slots=True)
class FoundItem:
    name: str
    quantity: Decimal | None
    unit_price: Decimal | None
    total: Decimal
    category: str | None
    rows: list[Row]
    certainty: float


def department_of(row: Row) -> str | None:
    """The printed heading when ``row`` is a department heading (no amount, a known name)."""
    if find_amounts(row.text):
        return None
    cleaned = HEADING_DECORATION_RE.sub("", row.text).strip()
    folded = fold(cleaned)
    words = folded.split()
    if not words or len(words) > 5:
        return None
    for department in DEPARTMENTS:
        if folded == department or folded.startswith(department + " "):
            return cleaned
    return None


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None


def _quantity_and_unit(text: str, amounts: list[Amount]) -> tuple[Decimal | None, Decimal | None]:
    """Quantity and unit price: "2 x 0,99", "1,235 kg x 1,99", or a "qty price total" table.

    In the table form the quantity is only believed when quantity x price = total. Measured
    goods ("38,52 L X 1,789 EUR/L") and a count before the name ("2 x Sardines") are read too.
    """
    for amount in amounts[:-1] if len(amounts) > 1 else amounts:
        before = text[: amount.start]
        match = QUANTITY_RE.search(before.upper())
        if match:
            return _decimal(match["qty"]), amount.value
    measured = MEASURED_RE.search(text[: amounts[-1].start]) if amounts else None
    if measured:
        return _decimal(measured["qty"]), _decimal(measured["price"])
    leading = LEADING_COUNT_RE.match(text)
    if leading and amounts and len(amounts) == 1:
        quantity = _decimal(leading["qty"])
        if quantity:
            return quantity, (amounts[-1].value / quantity).quantize(Decimal("0.01"))
    if len(amounts) >= 2:
        unit, total = amounts[-2].value, amounts[-1].value
        match = BARE_NUMBER_RE.search(text[: amounts[-2].start])
        quantity = _decimal(match.group(1)) if match else None
        if quantity and abs(quantity * unit - total) <= Decimal("0.02"):
            return quantity, unit
    return None, None


def _clean_name(text: str, amounts: list[Amount]) -> str:
    """The row's words once amounts, "2 x" quantities, currency marks and tax codes are removed.

    A quantity is only removed where it prices an amount ("2 x 0,99"), so pack sizes in the
    product name ("EAU 6X1.5L") stay. A VAT code printed after the line total is dropped.
    """
    if amounts and VAT_CODE_AFTER_RE.match(text[amounts[-1].end :]):
        text = text[: amounts[-1].end]
    if amounts:  # blanked, not cut: the amounts' spans stay valid
        text = MEASURED_RE.sub(lambda m: " " * len(m.group(0)), text)
    for amount in reversed(amounts):
        before = text[: amount.start]
        match = QUANTITY_RE.search(before.upper())
        start = match.start() if match else amount.start
        text = text[:start] + " " + text[amount.end :]
    if amounts:
        text = LEADING_COUNT_RE.sub("", text)
    text = re.sub(r"(?:€|EUR)\s*/\s*KG", " ", text, flags=re.IGNORECASE)
    previous = None
    while previous != text:
        previous = text
        text = NAME_NOISE_RE.sub(" ", text.strip())
    return " ".join(text.split()).strip(" -:|")


def _has_name(text: str) -> bool:
    return sum(ch.isalpha() for ch in text) >= 3


def _is_label_row(row: Row, amounts: list[Amount]) -> bool:
    """Totals, taxes, payments, counts, discounts: rows with amounts that are not goods.

    Discounts ("REMISE FIDELITE -1,00", "RABATT 10%") are printed among the goods but sell
    nothing: they are read as discounts by :mod:`.labels` and lower the sum checks there, not
    counted as items. A negative amount on a row naming a discount is one whatever its place.
    """
    label = canonical_label(row.text[: amounts[-1].start] if amounts else row.text)
    return classify(label) is not Kind.OTHER


def find_items(rows: list[Row], start: int, end: int) -> list[FoundItem]:
    """Items printed between row ``start`` (after the header) and row ``end`` (first total)."""
    items: list[FoundItem] = []
    category: str | None = None
    pending: list[Row] = []
    for row in rows[start:end]:
        heading = department_of(row)
        if heading is not None:
            category, pending = heading, []
            continue
        text = row.text
        amounts = find_amounts(text)
        if BODY_LABEL_RE.search(row.folded) or find_dates(text):
            pending = []
            continue
        if not amounts:
            if _has_name(text):
                pending = [*pending, row][-MAX_NAME_ROWS:]
            continue
        if _is_label_row(row, amounts):
            pending = []
            continue
        quantity, unit = _quantity_and_unit(text, amounts)
        name = _clean_name(text, amounts)
        total = amounts[-1].value
        own_name = _has_name(name)
        if not own_name and items and not pending and len(amounts) == 1 and quantity is not None:
            previous = items[-1]
            if unit is not None and abs(quantity * unit - previous.total) <= Decimal("0.02"):
                previous.quantity, previous.unit_price = quantity, unit  # "2 x 0,99" below
                previous.rows.append(row)
                continue
        if len(amounts) == 1 and quantity is not None and not own_name and not pending:
            continue  # a lone unit price: not a line total
        source = [row]
        if not own_name and not pending and MEASURED_RE.search(text):
            # "POMPE 04 GAZOLE" / "38,52 L X 1,789 EUR/L  68,91": the product is named on the
            # row above even when the header finder took that row.
            above = rows[row.index - 1] if row.index > 0 else None
            if above is not None and not find_amounts(above.text) and _has_name(above.text):
                pending = [above]
        if not own_name:
            if not pending:
                continue
            name = " ".join(_clean_name(r.text, []) for r in pending)
            source = [*pending, row]
        certainty = 0.85 if own_name else 0.75
        if quantity is not None and unit is not None:
            certainty += 0.1 if abs(quantity * unit - total) <= Decimal("0.02") else -0.2
        items.append(FoundItem(name, quantity, unit, total, category, source, min(certainty, 0.95)))
        pending = []
    return items
