"""Currency detection from printed marks."""

from __future__ import annotations

import pytest

from server.documents.currency import currency_votes, detect_currency


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("TOTAL 12,50 €", "EUR"),
        ("Montant 12,50 eur", "EUR"),
        ("TOTAL RM 14.10", "MYR"),
        ("total rm9.00 rounding rm0.02 £1", "MYR"),  # most marks win
        ("£4.50", "GBP"),
        ("US$ 3.00", "USD"),
        ("CHF 12.00", "CHF"),
        ("$8.20", "USD"),  # a bare dollar only decides when nothing else does
        ("$8.20 RM 8.20", "MYR"),
        ("TOTAL 12.50", None),
        ("", None),
    ],
)
def test_detect_currency(text: str, expected: str | None) -> None:
    assert detect_currency(text) == expected


def test_bare_dollar_can_mean_another_currency() -> None:
    assert detect_currency("TOTAL $12.00", dollar="SGD") == "SGD"
    assert detect_currency("TOTAL $12.00", dollar=None) is None


def test_votes_count_each_mark() -> None:
    votes = currency_votes("RM 1.00 RM 2.00 € $3.00")
    assert (votes["MYR"], votes["EUR"], votes["$"], votes["GBP"]) == (2, 1, 1, 0)
