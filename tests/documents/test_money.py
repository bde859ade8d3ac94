"""Amounts, locale aware: one amount alone, and every amount inside a line."""

from __future__ import annotations

from decimal import Decimal

import pytest

from server.documents.money import (
    decimal_comma,
    find_amounts,
    find_rates,
    last_amount,
    parse_amount,
)


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("1 234,56 €", "fr", "1234.56"),
        ("1 234,56 €", None, "1234.56"),  # a comma then two digits: decimals in any locale
        ("1\u202f234,56\u00a0€", "fr_FR", "1234.56"),  # French typography's narrow spaces
        ("1.234,56", None, "1234.56"),
        ("1,234.56", None, "1234.56"),
        ("1,234,567.89", "en", "1234567.89"),
        ("1'234.50 CHF", None, "1234.50"),
        ("12,5", "fr", "12.5"),
        ("1,234", None, "1234"),  # ambiguous, no locale: thousands
        ("1,234", "fr", "1.234"),  # a French decimal comma
        ("1.234", "de-DE", "1234"),
        ("1.234", "en_GB", "1.234"),
        ("-12,50", None, "-12.50"),
        ("12,50-", None, "-12.50"),
        ("(0.02)", None, "-0.02"),
        ("−3,00 €", "fr", "-3.00"),  # U+2212 minus
        ("-RM 0.02", None, "-0.02"),
        ("RM9.00", None, "9.00"),
        ("$8.20", None, "8.20"),
        ("0", None, "0"),
    ],
)
def test_parse_amount(text: str, locale: str | None, expected: str) -> None:
    assert parse_amount(text, locale=locale) == Decimal(expected)


@pytest.mark.parametrize(
    "text", ["", None, "abc", "12 50", "1.234.56", "12%", "1-2", "12.50 13.00", "1,23,4"]
)
def test_parse_amount_refuses_what_is_not_one_amount(text: str | None) -> None:
    assert parse_amount(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("TOTAL RM 14.10", ["14.10"]),
        ("TOTAL 1,007.50", ["1007.50"]),
        ("TOTAL 1.007,50", ["1007.50"]),
        ("REMISE 1,20-", ["-1.20"]),
        ("ROUNDING (0.02)", ["-0.02"]),
        ("ROUNDING -RM0.02", ["-0.02"]),
        ("2 x 0,99   1,98", ["0.99", "1.98"]),
        ("5.20S", ["5.20"]),
        ("DATE 25.12.18 GST 6.00% 2.570 KG 9.000", []),  # dates, rates, weights, unit prices
        ("Beaufort  € 12,36", ["12.36"]),  # the euro sign before
        ("A PAYER  12,44 EUR", ["12.44"]),  # or the code after
        ("Summe  EUR 9,85", ["9.85"]),
        ("Arrondi  -0,01", ["-0.01"]),
        ("REMISE FIDELITE  -€1,00", ["-1.00"]),
        ("A=  19,0%  2,30  0,44  2,74", ["2.30", "0.44", "2.74"]),  # a VAT table row
        ("38,52 L X 1,789 EUR/L  68,91", ["38.52", "68.91"]),  # litres, price per litre
        ("", []),
    ],
)
def test_find_amounts(text: str, expected: list[str]) -> None:
    assert [str(a.value) for a in find_amounts(text)] == expected


def test_space_grouped_thousands_only_where_the_locale_groups_so() -> None:
    # given: a French invoice total; a till line "quantity price" reads the same without locale
    text = "TOTAL TTC 1 234,56 €"
    # then
    assert [a.value for a in find_amounts(text, locale="fr")] == [Decimal("1234.56")]
    assert [a.value for a in find_amounts(text)] == [Decimal("234.56")]
    assert [a.value for a in find_amounts("TOTAL 1\u00a0234,56")] == [Decimal("1234.56")]


def test_amount_spans_and_last_amount() -> None:
    text = "Total Saving 0.00  Total 77.20"
    amounts = find_amounts(text)
    assert [(text[a.start : a.end], a.value) for a in amounts] == [
        ("0.00", Decimal("0.00")),
        ("77.20", Decimal("77.20")),
    ]
    assert last_amount(text) == Decimal("77.20")
    assert last_amount("no amount") is None


def test_rates_and_decimal_comma_locales() -> None:
    assert find_rates("TVA 5,5 % 20.00% GST 6%") == [Decimal("5.5"), Decimal("20.00"), Decimal(6)]
    assert (decimal_comma("fr_FR"), decimal_comma("en-US"), decimal_comma(None)) == (
        True,
        False,
        None,
    )
