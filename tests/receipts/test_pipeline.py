"""Receipt extraction rules, on hand-built OCR results and on real OCR of receipt images."""

from __future__ import annotations

import io
import json
from datetime import date, time
from decimal import Decimal
from pathlib import Path

import pytest

from server.documents.dates import find_dates, parse_date
from server.documents.money import find_amounts
from server.documents.text import fold
from server.documents.types import OcrLine, OcrPage, OcrResult
from server.receipts.pipeline import ReceiptExtraction, extract_receipt

from .receipt_images import render_french_receipt

SROIE_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "datasets" / "receipts-sroie"

Cell = str | tuple[str, str]  # a whole row, or (label, amount) printed left and right


def ocr_of(rows: list[Cell], *, confidence: float = 0.98) -> OcrResult:
    """An OcrResult with one text run per printed part, as RapidOCR returns them.

    ``("TOTAL", "9,00 €")`` becomes two runs on the same row: the label at the left, the
    amount right-aligned, the way receipts print them.
    """
    lines: list[OcrLine] = []
    for index, row in enumerate(rows):
        top, bottom = 20 + index * 40, 50 + index * 40
        if isinstance(row, tuple):
            label, amount = row
            lines.append(OcrLine(label, (20, top, 20 + 14 * len(label), bottom), confidence))
            lines.append(OcrLine(amount, (600 - 14 * len(amount), top, 600, bottom), confidence))
        else:
            lines.append(OcrLine(row, (20, top, 20 + 14 * len(row), bottom), confidence))
    page = OcrPage(index=0, width=620, height=60 + 40 * len(rows), lines=lines, source="test")
    return OcrResult(engine="test", pages=[page])


FRENCH_ROWS: list[Cell] = [
    "U EXPRESS SOULT",
    "127 BOULEVARD SOULT",
    "75012 PARIS",
    "TEL : 01 43 43 12 12",
    "18/03/25 14:32  TICKET N° 0042",
    "CRÈMERIE",
    ("YAOURT NATURE X4", "1,85 €"),
    "LAIT DEMI-ECREME 1L",
    ("2 x 0,99 €", "1,98 €"),
    "EPICERIE",
    ("NOIX CROQUANTES 160G", "3,49 €"),
    "FRUITS ET LEGUMES",
    ("BANANES", "1,47 €"),
    ("TOTAL", "8,79 €"),
    ("NET A PAYER", "8,79 €"),
    ("CB", "8,79 €"),
    "TVA 5,50%  HT 8,33  TVA 0,46",
    "MERCI DE VOTRE VISITE",
]

MALAYSIAN_ROWS: list[Cell] = [
    "TAX INVOICE",
    "KEDAI RUNCIT MAJU JAYA SDN BHD",
    "(123456-X)",
    "NO 12, JALAN MERANTI 3,",
    "TAMAN BUKIT INDAH,",
    "81200 JOHOR BAHRU, JOHOR.",
    "TEL: 07-2345678",
    "GST ID: 001234567890",
    "INVOICE NO: CS00012345",
    "DATE: 12/03/2018 10:25:49 PM",
    ("MILO 1KG", "25.90"),
    ("GARDENIA BREAD", "3.80"),
    ("TOTAL INCL. GST @6%", "RM 29.70"),
    ("ROUNDING ADJ", "0.00"),
    ("CASH", "RM 50.00"),
    ("CHANGE", "RM 20.30"),
    ("GST @6% INCLUDED IN TOTAL", "RM 1.68"),
]


def test_french_receipt_fields() -> None:
    # given
    ocr = ocr_of(FRENCH_ROWS)

    # when
    receipt = extract_receipt(ocr)

    # then
    assert receipt.merchant is not None and receipt.merchant.value == "U EXPRESS SOULT"
    assert receipt.address is not None
    assert receipt.address.value == "127 BOULEVARD SOULT 75012 PARIS"
    assert receipt.date is not None and receipt.date.value == date(2025, 3, 18)
    assert receipt.time is not None and receipt.time.value == time(14, 32)
    assert receipt.total is not None and receipt.total.value == Decimal("8.79")
    assert receipt.currency is not None and receipt.currency.value == "EUR"
    assert receipt.payment_method is not None and receipt.payment_method.value == "CARD"
    assert receipt.receipt_number is not None and receipt.receipt_number.value == "0042"
    [tax] = receipt.taxes
    assert (tax.value.rate, tax.value.base, tax.value.amount) == (
        Decimal("5.50"),
        Decimal("8.33"),
        Decimal("0.46"),
    )
    assert receipt.warnings == []
    assert receipt.needs_review is False


def test_french_items_take_the_category_of_the_heading_above() -> None:
    # when
    receipt = extract_receipt(ocr_of(FRENCH_ROWS))

    # then
    items = [(i.value.name, i.value.total, i.value.category) for i in receipt.items]
    assert items == [
        ("YAOURT NATURE X4", Decimal("1.85"), "CRÈMERIE"),
        ("LAIT DEMI-ECREME 1L", Decimal("1.98"), "CRÈMERIE"),
        ("NOIX CROQUANTES 160G", Decimal("3.49"), "EPICERIE"),
        ("BANANES", Decimal("1.47"), "FRUITS ET LEGUMES"),
    ]
    milk = receipt.items[1].value
    assert (milk.quantity, milk.unit_price) == (Decimal(2), Decimal("0.99"))
    assert all(isinstance(i.value.total, Decimal) for i in receipt.items)


def test_every_field_carries_a_confidence_and_the_box_it_came_from() -> None:
    # when
    receipt = extract_receipt(ocr_of(FRENCH_ROWS))

    # then
    for found in (receipt.merchant, receipt.total, receipt.date):
        assert found is not None
        assert 0.6 <= found.confidence <= 1
        assert found.box is not None
    assert receipt.total is not None and receipt.total.box is not None
    assert receipt.total.box[1] == 20 + 14 * 40  # the "NET A PAYER" row


@pytest.mark.parametrize(
    ("header", "merchant"),
    [
        (["LIGHTROOM GALLERY", "(M) SDN BHD", "(1020516-T)"], "LIGHTROOM GALLERY (M) SDN BHD"),
        (["TEO HENG STATIONERY", "& BOOKS", "(001749830-M)"], "TEO HENG STATIONERY & BOOKS"),
        (["A03018", "TAX INVOICE", "99 SPEED MART S/B (519537-X)"], "99 SPEED MART S/B"),
        (
            ["tealive", "BEN'S GROCER", "BENS INDEPENDENT GROCER SDN. BHD"],
            "BENS INDEPENDENT GROCER SDN. BHD",
        ),
    ],
)
def test_merchant_name_rules(header: list[Cell], merchant: str) -> None:
    # given
    rows: list[Cell] = [*header, "NO 7, JALAN IPOH,", "51200 KUALA LUMPUR", "TEL: 03-62587191"]

    # when
    receipt = extract_receipt(ocr_of(rows))

    # then
    assert receipt.merchant is not None and receipt.merchant.value == merchant
    assert receipt.address is not None
    assert receipt.address.value == "NO 7, JALAN IPOH, 51200 KUALA LUMPUR"


def test_malaysian_receipt_fields() -> None:
    # when
    receipt = extract_receipt(ocr_of(MALAYSIAN_ROWS))

    # then
    assert receipt.merchant is not None
    assert receipt.merchant.value == "KEDAI RUNCIT MAJU JAYA SDN BHD"
    assert receipt.address is not None
    assert receipt.address.value == (
        "NO 12, JALAN MERANTI 3, TAMAN BUKIT INDAH, 81200 JOHOR BAHRU, JOHOR."
    )
    assert receipt.date is not None and receipt.date.value == date(2018, 3, 12)
    assert receipt.time is not None and receipt.time.value == time(22, 25, 49)
    assert receipt.total is not None and receipt.total.value == Decimal("29.70")
    assert receipt.currency is not None and receipt.currency.value == "MYR"
    assert receipt.payment_method is not None and receipt.payment_method.value == "CASH"
    assert receipt.receipt_number is not None and receipt.receipt_number.value == "CS00012345"
    [tax] = receipt.taxes
    assert (tax.value.rate, tax.value.amount) == (Decimal(6), Decimal("1.68"))
    assert receipt.warnings == []


@pytest.mark.parametrize(
    ("payment_rows", "total"),
    [
        ([("CASH", "50.00"), ("CHANGE", "41.00")], "9.00"),
        ([("CHANGE", "41.00"), ("CASH", "50.00")], "9.00"),
        ([("CASH TENDERED", "100.00"), ("CHANGE DUE", "91.00")], "9.00"),
    ],
)
def test_cash_tendered_and_change_are_never_the_total(payment_rows: list[Cell], total: str) -> None:
    # given
    rows: list[Cell] = [
        "TRI SHAAS SDN BHD",
        ("KF MODELLING CLAY", "9.00"),
        ("TOTAL", "9.00"),
        *payment_rows,
    ]

    # when
    receipt = extract_receipt(ocr_of(rows))

    # then
    assert receipt.total is not None and receipt.total.value == Decimal(total)


def test_rounded_total_is_the_one_printed_after_the_rounding() -> None:
    # given
    rows: list[Cell] = [
        "OGN GROUP SDN BHD",
        ("TOTAL SALES INCLUSIVE GST", "28.31"),
        ("ROUNDING ADJUSTMENT", "-0.01"),
        ("TOTAL", "28.30"),
        ("CASH", "50.00"),
        ("CHANGE", "21.70"),
    ]

    # when
    receipt = extract_receipt(ocr_of(rows))

    # then
    assert receipt.total is not None and receipt.total.value == Decimal("28.30")


def test_cash_paid_settles_a_total_printed_before_its_rounding() -> None:
    # given
    rows: list[Cell] = [
        "ANZEL ADVERTISING (M) SDN BHD",
        ("TOTAL AMT INCL GST @ 6%", "8.48"),
        ("ROUNDING ADJUSTMENT", "(0.02)"),
        ("CASH", "10.00"),
        ("CHANGE", "1.50"),
    ]

    # when
    receipt = extract_receipt(ocr_of(rows))

    # then
    assert receipt.total is not None and receipt.total.value == Decimal("8.50")


def test_without_a_total_label_cash_minus_change_gives_the_total() -> None:
    # given
    rows: list[Cell] = [
        "DOMINO'S PIZZA",
        ("1 HAWAIIAN CHICKEN", "15.60"),
        ("COUPON DISCOUNT", "-8.90"),
        ("GRNAD TOAL", "6.70"),  # OCR-mangled label
        ("PAYMENT", "50.00"),
        ("CHANGE DUE", "43.30"),
    ]

    # when
    receipt = extract_receipt(ocr_of(rows))

    # then
    assert receipt.total is not None and receipt.total.value == Decimal("6.70")


def test_items_that_do_not_add_up_to_the_total_need_review() -> None:
    # given: the OCR lost an item
    rows: list[Cell] = [
        "CARREFOUR CITY",
        "18/03/2025 10:02",
        "EPICERIE",
        ("PATES 500G", "0,89 €"),
        ("TOTAL", "12,40 €"),
    ]

    # when
    receipt = extract_receipt(ocr_of(rows))

    # then
    assert [w.code for w in receipt.warnings] == ["items_total_mismatch"]
    assert receipt.needs_review is True


def test_items_priced_before_tax_agree_with_the_total() -> None:
    # given: prices before tax, the sales tax added at the end
    rows: list[Cell] = [
        "CORNER DELI LLC",
        "03/25/2024 12:02",
        ("TURKEY SANDWICH", "$8.50"),
        ("2 x $1.50 SODA", "$3.00"),
        ("SALES TAX 8%", "$0.92"),
        ("TOTAL", "$12.42"),
    ]

    # when
    receipt = extract_receipt(ocr_of(rows))

    # then
    assert receipt.total is not None and receipt.total.value == Decimal("12.42")
    assert [i.value.total for i in receipt.items] == [Decimal("8.50"), Decimal("3.00")]
    assert receipt.currency is not None and receipt.currency.value == "USD"
    assert receipt.date is not None and receipt.date.value == date(2024, 3, 25)
    assert receipt.warnings == []


def test_weighed_item_reads_weight_and_price_per_kilo() -> None:
    # when
    receipt = extract_receipt(
        ocr_of(["MARCHE U", "18/03/2025", "BANANES", ("1,235 kg x 1,99 €/kg", "2,46 €")])
    )

    # then
    [item] = receipt.items
    assert item.value.name == "BANANES"
    assert (item.value.quantity, item.value.unit_price) == (Decimal("1.235"), Decimal("1.99"))
    assert item.value.total == Decimal("2.46")


def test_missing_total_and_date_are_reported() -> None:
    # when
    receipt = extract_receipt(ocr_of(["BOULANGERIE MARIE SARL", "MERCI"]))

    # then
    assert receipt.total is None and receipt.date is None
    assert {w.code for w in receipt.warnings} == {"missing_total", "missing_date"}
    assert receipt.needs_review is True


def test_empty_ocr_gives_an_empty_extraction() -> None:
    receipt = extract_receipt(OcrResult(engine="test", pages=[]))

    assert isinstance(receipt, ReceiptExtraction)
    assert receipt.merchant is None and receipt.total is None and receipt.items == []
    assert receipt.needs_review is True


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12,50 €", ["12.50"]),
        ("TOTAL RM1,007.50", ["1007.50"]),
        ("1.234,56", ["1234.56"]),
        ("$8.20", ["8.20"]),
        ("REMISE 1,20-", ["-1.20"]),
        ("2 x 0,99 €  1,98 €", ["0.99", "1.98"]),
        ("GST @6% 0.46", ["0.46"]),
        ("18.03.25 14:32", []),
        ("TVA 20,00%", []),
        ("9.000", []),
    ],
)
def test_amounts(text: str, expected: list[str]) -> None:
    assert [str(a.value) for a in find_amounts(text)] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("25/12/2018", date(2018, 12, 25)),
        ("29-12-2017", date(2017, 12, 29)),
        ("02/01/18", date(2018, 1, 2)),
        ("18 MAR 2018", date(2018, 3, 18)),
        ("2018-03-30", date(2018, 3, 30)),
        ("18/03/25 14:32", date(2025, 3, 18)),
        ("le 18 mars 2025", date(2025, 3, 18)),
        ("Date :16-03-201812:07:10", date(2018, 3, 16)),
        ("03/25/2018", date(2018, 3, 25)),
    ],
)
def test_dates(text: str, expected: date) -> None:
    assert parse_date(text) == expected


def test_text_that_is_not_a_date() -> None:
    assert find_dates("INVOICE NO : 18299/102/T0230  TEL 03-7731 8169") == []


@pytest.mark.parametrize(
    ("rows", "currency"),
    [
        (["SHOP LTD", ("TOTAL", "£4.20")], "GBP"),
        (["CAFE DU COIN", ("TOTAL TTC", "4,20 EUR")], "EUR"),
        (["UNIHAKKA INTERNATIONAL SDN BHD", "GST REG 0006", ("TOTAL", "$8.20")], "MYR"),
        (["DINER", ("TOTAL", "$8.20")], "USD"),
    ],
)
def test_currency(rows: list[Cell], currency: str) -> None:
    receipt = extract_receipt(ocr_of(rows))

    assert receipt.currency is not None and receipt.currency.value == currency


# ----------------------------------------------------------------------------- real OCR


def _recognise(data: bytes, content_type: str) -> OcrResult:
    ocr = pytest.importorskip("server.ocr")
    return ocr.recognise_document(data, content_type=content_type, engine="rapidocr")


@pytest.mark.slow
def test_rendered_french_receipt_through_rapidocr() -> None:
    # given
    png, expected = render_french_receipt()

    # when
    receipt = extract_receipt(_recognise(png, "image/png"))

    # then
    assert receipt.merchant is not None and receipt.merchant.value == expected["merchant"]
    assert receipt.date is not None and receipt.date.value == expected["date"]
    assert receipt.time is not None and receipt.time.value == expected["time"]
    assert receipt.total is not None and receipt.total.value == expected["total"]
    assert receipt.currency is not None and receipt.currency.value == expected["currency"]
    assert receipt.payment_method is not None
    assert receipt.payment_method.value == expected["payment_method"]
    got = {fold(i.value.name): (i.value.total, fold(i.value.category or "")) for i in receipt.items}
    want = {fold(i["name"]): (i["total"], fold(i["category"])) for i in expected["items"]}
    assert got == want
    assert receipt.warnings == []


@pytest.mark.slow
def test_real_sroie_receipt_through_rapidocr() -> None:
    # given
    if not (SROIE_DIR / "img" / "010.jpg").exists():
        pytest.skip(f"SROIE dev receipts not found at {SROIE_DIR} (shared/datasets/receipts-sroie)")
    data = (SROIE_DIR / "img" / "010.jpg").read_bytes()
    key = json.loads((SROIE_DIR / "key" / "010.json").read_text(encoding="utf-8"))

    # when
    receipt = extract_receipt(_recognise(data, "image/jpeg"))

    # then
    assert receipt.merchant is not None and receipt.merchant.value.upper() == key["company"]
    assert receipt.date is not None and receipt.date.value == parse_date(key["date"])
    assert receipt.total is not None and receipt.total.value == Decimal(key["total"])
    assert receipt.currency is not None and receipt.currency.value == "MYR"
    assert receipt.payment_method is not None and receipt.payment_method.value == "CASH"


def test_french_receipt_image_is_a_png() -> None:
    png, expected = render_french_receipt()

    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG" and image.height > image.width
    assert expected["total"] == sum((i["total"] for i in expected["items"]), Decimal(0))
