"""The one text fold: values rules and brand keys depend on."""

from __future__ import annotations

import pytest

from server.documents.text import fold, strip_accents


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Crèmerie du Marché", "CREMERIE DU MARCHE"),
        ("  total\t:\n 12,50 € ", "TOTAL : 12,50 €"),  # punctuation and € stay
        ("ﬁlet de bœuf", "FILET DE BŒUF"),  # NFKC ligature; œ has no accent to strip
        ("１２,５０", "12,50"),  # full-width digits
        ("a\u00a0b\u202fc", "A B C"),  # no-break spaces are whitespace
        ("straße", "STRASSE"),
        ("ÇA", "CA"),
        ("", ""),
        (None, ""),
    ],
)
def test_fold(text: str | None, expected: str) -> None:
    assert fold(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Côte d'Or", "COTE D OR"),
        ("Coca-Cola  Zero 1.5L", "COCA COLA ZERO 1 5L"),
        ("L'Oréal Paris", "L OREAL PARIS"),
        ("***", ""),
        ("", ""),
    ],
)
def test_fold_words_keeps_only_letters_and_digits(text: str, expected: str) -> None:
    assert fold(text, words=True) == expected


def test_strip_accents_keeps_case_and_symbols() -> None:
    assert strip_accents("Crème brûlée 3,50 €") == "Creme brulee 3,50 €"
