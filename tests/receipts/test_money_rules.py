"""Issue 12 rules for dates, totals, items, taxes and currency, one made-up receipt per habit.

Receipts are written as printed (monospace, columns two spaces apart or more) and laid out the
way an OCR engine returns them (``bench.receipts.text_ocr``): no shop, no sample is real.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bench.receipts import text_ocr
from server.receipts.labels import Kind, canonical_label, classify
from server.receipts.pipeline import ReceiptExtraction, extract_receipt

# A merchant row and a rule above the goods, so that the first good is not read as the name.
HEADER = "LE COMPTOIR\n" + "-" * 30 + "\n"


def read(text: str) -> ReceiptExtraction:
    return extract_receipt(text_ocr(text))


def read_goods(text: str) -> ReceiptExtraction:
    return read(HEADER + text)


def total_of(text: str) -> Decimal | None:
    found = read(text)
    return found.total.value if found.total else None


def date_of(text: str) -> date | None:
    found = read(text)
    return found.date.value if found.date else None


# ----------------------------------------------------------------------------------- labels


@pytest.mark.parametrize(
    ("label", "kind"),
    [
        ("Summe EUR", Kind.TOTAL),
        ("SUMME", Kind.TOTAL),
        ("Zwischensumme", Kind.SUBTOTAL),
        ("Zu zahlen", Kind.FINAL_TOTAL),
        ("Net à payer", Kind.FINAL_TOTAL),
        ("TOTAL A PAYER", Kind.FINAL_TOTAL),
        ("MONTANT TTC", Kind.FINAL_TOTAL),
        ("TOTAL TTC", Kind.FINAL_TOTAL),
        ("Amount due", Kind.FINAL_TOTAL),
        ("Due", Kind.FINAL_TOTAL),
        ("BALANCE DUE", Kind.FINAL_TOTAL),
        ("TOTAL A PAGAR", Kind.FINAL_TOTAL),
        ("TICKET RESTAURANT", Kind.TENDERED),  # a meal voucher pays, it gives no change
        ("Cambio", Kind.CHANGE),
        ("IMPORTE TOTAL", Kind.TOTAL),
        ("TOTAL HT", Kind.NET_TOTAL),
        ("TOTAL (GST INCL)", Kind.FINAL_TOTAL),
        ("TOTAL GST", Kind.TAX),
        ("NETT AMOUNT", Kind.FINAL_TOTAL),
        ("GST PAYABLE (6%):", Kind.TAX),  # the tax due, not the amount due
        ("TOTAL VAT DUE", Kind.TAX),
        ("TOTAL INCL GST PAYABLE", Kind.FINAL_TOTAL),
        ("QTY 3 ROUNDING", Kind.ROUNDING),  # a count before another label
        ("QTY: 3", Kind.COUNT),
        ("Arrondi", Kind.ROUNDING),
        ("Rounding Adj", Kind.ROUNDING),
        ("BALANCE", Kind.CHANGE),
        ("Rueckgeld EUR", Kind.CHANGE),
        ("Rückgeld", Kind.CHANGE),
        ("Bar EUR", Kind.TENDERED),
        ("Geg. EC-Cash EUR", Kind.TENDERED),
        ("BANCONTACT", Kind.TENDERED),
        ("TARJETA", Kind.TENDERED),
        ("MwSt A 7%", Kind.TAX),
        ("IVA 21%", Kind.TAX),
        ("DONT TVA 20%", Kind.TAX),
        ("BTW 21%", Kind.TAX),
        ("REMISE FIDELITE", Kind.DISCOUNT),
        ("Rabatt", Kind.DISCOUNT),
        ("MARS BAR", Kind.OTHER),  # "Bar" pays only alone on its row
        ("BUNDLE SUMMER", Kind.OTHER),
    ],
)
def test_label_kinds(label: str, kind: Kind) -> None:
    assert classify(canonical_label(label)) is kind


# ----------------------------------------------------------------------------------- totals


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PAIN  1,20\nCAFE  2,10\nSumme  EUR 3,30\nBar  EUR 5,00\nRueckgeld  EUR 1,70", "3.30"),
        ("ITEM  4.00\nTax  0.32\nAmount due  4.32\nVISA  4.32", "4.32"),
        ("ITEM  4.00\nDue  4.00", "4.00"),
        ("Sous-total  20,49 €\nArrondi  0,01 €\nNet à payer  20,50 €\nEspèces  25,00 €", "20.50"),
        ("TOTAL  € 27,06\nArrondi  -0,01\nNet à payer  € 27,05", "27.05"),
        ("LIVRE  12,00\nTOTAL A PAYER  12,00\nESPECES  20,00\nRENDU  8,00", "12.00"),
        ("GAZOLE  40,00\nMONTANT TTC  40,00 EUR\nDONT TVA 20%  6,67", "40.00"),
    ],
)
def test_total_labels(text: str, expected: str) -> None:
    assert total_of(text) == Decimal(expected)


def test_a_rounding_after_the_total_is_settled_by_the_card_charged() -> None:
    """Only the unrounded total is labelled; the card was charged the rounded amount."""
    text = "NASI LEMAK  6.00\nTEH  6.43\nTOTAL  12.43\nRounding Adj  -0.03\nVISA  12.40"
    assert total_of(text) == Decimal("12.40")


def test_german_cash_minus_change_confirms_the_total() -> None:
    """Bar 10,00 - Rückgeld 0,15 = 9,85: the Summe is confirmed, not the cash or the change."""
    found = read_goods("BREZEL  9,85\nSumme  EUR 9,85\nBar  EUR 10,00\nRückgeld  EUR 0,15")
    assert found.total is not None and found.total.value == Decimal("9.85")
    assert found.total.confidence >= 0.95


def test_a_rounding_printed_among_the_payment_lines_rounds_the_cash_not_the_total() -> None:
    text = (
        "100 PLUS 500ML  2.28\nTOTAL (GST INCL)  2.28\nCASH  3.00\n"
        "ROUNDING ADJUSTMENTS  0.02\nCHANGE DUE  0.70"
    )
    assert total_of(HEADER + text) == Decimal("2.28")


def test_cash_tendered_and_change_are_not_totals() -> None:
    assert total_of("TOTAL  17,60 EUR\nESPECES  20,00 EUR\nRENDU  2,40 EUR") == Decimal("17.60")


def test_a_card_payment_is_the_total_when_the_total_label_was_not_read() -> None:
    text = "CHOCOLAT  3,49\nGAUFRES  2,99\nTOTAL\nBANCONTACT  6,48 EUR\nTVA 6%  0,37"
    assert total_of(text) == Decimal("6.48")


def test_a_total_that_disagrees_with_the_items_gives_way_to_one_that_agrees() -> None:
    """OCR put the TVA amount on the TOTAL TTC row; the items and the card say 25,90."""
    text = (
        "1 x Confiture  5,60\n2 x Sardines  7,80\n1 x Vin rouge  12,50\n"
        "TOTAL HT  21,79\nTVA 20%  0,70\nTOTAL TTC  2,08\nCARTE BANCAIRE  25,90"
    )
    found = read_goods(text)
    assert found.total is not None and found.total.value == Decimal("25.90")


def test_a_final_total_never_gives_way_to_a_section_total() -> None:
    """Items stop at the first "TOTAL": their sum matches a section, not what is payable."""
    text = (
        "WHITE BREAD  19.17\nWHOLEMEAL  13.90\nO.C JUMBO  5.94\nTOTAL 0% SUPPLIES:  39.01\n"
        "CHOC ROLL  -5.76\nTOTAL 6% SUPPLIES (EXCL. GST):  -17.73\nTOTAL PAYABLE:  20.21"
    )
    assert total_of(text) == Decimal("20.21")


def test_items_that_add_up_with_the_taxes_raise_no_warning() -> None:
    text = (
        "MENU TACOS XL  11,50\nBOISSON 33CL  2,50\nTOTAL HT  12,73\nTVA 10%  1,27\n"
        "TOTAL TTC  14,00 €\nPAYE CB  14,00 €\n11/12/2026 20:03"
    )
    found = read_goods(text)
    assert found.total is not None and found.total.value == Decimal("14.00")
    assert found.warnings == []


def test_net_plus_taxes_that_miss_the_total_are_reported() -> None:
    """HT + TVA = TTC; here one of them was misread (TVA 2,00 read as 1,00)."""
    text = "LIVRE  12,00\nTOTAL HT  10,00\nTVA 20%  1,00\nTOTAL TTC  12,00\n11/12/2026 20:03"
    found = read_goods(text)
    assert [w.code for w in found.warnings] == ["net_taxes_total_mismatch"]
    assert found.needs_review is True


def test_net_plus_taxes_that_make_the_total_raise_nothing() -> None:
    text = "LIVRE  12,00\nTOTAL HT  10,00\nTVA 20%  2,00\nTOTAL TTC  12,00\n11/12/2026 20:03"
    assert read_goods(text).warnings == []


# ------------------------------------------------------------------------------------ taxes


def test_german_vat_rows_are_taxes_not_items() -> None:
    text = (
        "Brezel 3 x 0,90  2,70 A\nRoggenbrot  3,95 A\nSumme  EUR 6,65\nBar  EUR 10,00\n"
        "Rueckgeld  EUR 3,35\nMwSt A 7%  0,44"
    )
    found = read_goods(text)
    assert [i.value.name for i in found.items] == ["Brezel", "Roggenbrot"]
    assert [(t.value.rate, t.value.amount) for t in found.taxes] == [(Decimal(7), Decimal("0.44"))]


def test_a_vat_summary_table_is_read_as_taxes() -> None:
    text = (
        "BIO MILCH  1,29 B\nSPUELMITTEL  2,49 A\nSUMME  EUR 3,78\n"
        "Steuer  %  Netto  Steuer  Brutto\nA=  19,0%  2,09  0,40  2,49\nB=  7,0%  1,21  0,08  1,29"
    )
    found = read_goods(text)
    assert len(found.items) == 2
    assert [(t.value.rate, t.value.base, t.value.amount) for t in found.taxes] == [
        (Decimal("19.0"), Decimal("2.09"), Decimal("0.40")),
        (Decimal("7.0"), Decimal("1.21"), Decimal("0.08")),
    ]


def test_spanish_iva_rows_are_taxes() -> None:
    text = "IBUPROFENO  3,20\nCREMA  14,95\nTOTAL  18,15 €\nTARJETA  18,15 €\nIVA 10%  0,29"
    found = read_goods(text)
    assert len(found.items) == 2
    assert [(t.value.rate, t.value.amount) for t in found.taxes] == [(Decimal(10), Decimal("0.29"))]


# ------------------------------------------------------------------------------------ items


def test_a_loyalty_discount_is_no_item_but_counts_in_the_sum() -> None:
    text = (
        "CAFE MOULU 250G  4,35 1\nFROMAGE COMTE  5,10 1\nREMISE FIDELITE  -1,00\nA PAYER  8,45 EUR"
    )
    found = read_goods(text)
    assert [(i.value.name, i.value.total) for i in found.items] == [
        ("CAFE MOULU 250G", Decimal("4.35")),  # the VAT code "1" after the price is no name
        ("FROMAGE COMTE", Decimal("5.10")),
    ]
    assert "items_total_mismatch" not in [w.code for w in found.warnings]


def test_litres_times_price_per_litre_is_one_item() -> None:
    text = "POMPE 04 GAZOLE\n38,52 L X 1,789 EUR/L  68,91\nMONTANT TTC  68,91 EUR"
    [item] = read_goods(text).items
    assert (item.value.name, item.value.quantity, item.value.unit_price, item.value.total) == (
        "POMPE 04 GAZOLE",
        Decimal("38.52"),
        Decimal("1.789"),
        Decimal("68.91"),
    )


def test_a_count_before_the_name_is_the_quantity() -> None:
    text = "2 x Sardines huile  7,80\n1 x Confiture  5,60\nTOTAL TTC  13,40"
    found = read_goods(text)
    assert [(i.value.name, i.value.quantity, i.value.unit_price) for i in found.items] == [
        ("Sardines huile", Decimal(2), Decimal("3.90")),
        ("Confiture", Decimal(1), Decimal("5.60")),
    ]


# ------------------------------------------------------------------------------------ dates


def test_a_card_expiry_is_not_the_purchase_date() -> None:
    text = "CARTE BANCAIRE\nSANS CONTACT\n**** **** **** 1234\nEXP 09/27\nLE 05/12/2026 A 14:02"
    assert date_of(text) == date(2026, 12, 5)


@pytest.mark.parametrize(
    "validity",
    [
        "Carte fidelite valable jusqu'au 31/12/2027",
        "Gutschein gültig bis 31.12.2027",
        "Cupon valido hasta 31/12/2027",
        "VALIDITE 31/12/2027",
        "Bon a utiliser avant le 31/12/2027",
    ],
)
def test_a_validity_date_printed_first_is_not_the_purchase_date(validity: str) -> None:
    assert date_of(f"TOTAL  17,60 EUR\n{validity}\n04/12/2026") == date(2026, 12, 4)


def test_a_date_months_after_another_is_not_the_purchase_date() -> None:
    """An unlabelled return-by or offer date later than the purchase loses to it."""
    assert date_of("RETOURS 20/01/2027\n03/12/2026\nPAIN  1,20") == date(2026, 12, 3)


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("12/03/201810:22", date(2018, 3, 12)),
        ("12/03/2018 10:22", date(2018, 3, 12)),
        ("12/03/1810:22", date(2018, 3, 12)),
        ("Vendredi 11 decembre 2026 20:03", date(2026, 12, 11)),
        ("14. Nov 2026  08:02", date(2026, 11, 14)),
        ("14.11.2026  08:02  Bon 5531", date(2026, 11, 14)),
        ("DATE 15/10/26 07:48", date(2026, 10, 15)),
        ("Datum: 06.12.2026  Uhrzeit: 18:22", date(2026, 12, 6)),
        ("Fecha: 02/08/2026  Hora: 12:10", date(2026, 8, 2)),
    ],
)
def test_purchase_date_forms(row: str, expected: date) -> None:
    assert date_of(f"BOULANGERIE\n{row}\nPAIN  1,20\nTOTAL  1,20") == expected


def test_numeric_dates_are_day_first_in_france() -> None:
    assert date_of("TOTAL  12,00 €\nTVA 20%  2,00\n03/12/2026 10:22") == date(2026, 12, 3)


def test_numeric_dates_are_month_first_with_us_evidence() -> None:
    text = "CORNER DELI\nNEW YORK, NY 10001\n03/12/2026 10:22\nSANDWICH  $8.50\nTOTAL  $8.50"
    assert date_of(text) == date(2026, 3, 12)


def test_a_date_readable_only_month_first_sets_the_order_of_the_receipt() -> None:
    text = "03/04/2026 10:22\nTOTAL  $8.50\nRETURNS UNTIL 04/30/2026"
    assert date_of(text) == date(2026, 3, 4)


# --------------------------------------------------------------------------------- currency


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Diots x4  € 6,90\nTOTAL  € 6,90", "EUR"),
        ("A PAYER  12,44 EUR", "EUR"),
        ("Summe  9,85\nMwSt A 7%  0,64\nBACKSTUBE GMBH", "EUR"),
        ("TOTAL  18,15\nIVA 21%  3,15\nNIF B12345678", "EUR"),
        ("TOTAL  12.40\nSALES TAX  0.40\nNY 10001\nVISA  $12.40", "USD"),
        ("TOTAL  CHF 12.40", "CHF"),
        ("TOTAL  £12.40\nVAT  2.07", "GBP"),
        ("TOTAL  RM 12.40\nGST 6%  0.70", "MYR"),
    ],
)
def test_currency(text: str, expected: str) -> None:
    found = read(text)
    assert found.currency is not None and found.currency.value == expected
