"""Header rules (issue 12) on made-up rows: re-spacing glued words, legal forms, merchant rows."""

from __future__ import annotations

import pytest

from server.documents.segment import Segmenter, vocabulary
from server.receipts.train_lines import header_words

LOCAL = ["jalan", "taman", "kedai", "makanan", "seksyen"]


@pytest.fixture(scope="module")
def segmenter() -> Segmenter:
    return Segmenter(local=LOCAL)


@pytest.mark.parametrize(
    ("glued", "spaced"),
    [
        ("SANYUSTATIONERYSHOP", "SANYU STATIONERY SHOP"),  # unknown name + common words
        ("JALANAIR PANAS", "JALAN AIR PANAS"),  # a local word + a common word
        ("KEDAIMAKANAN", "KEDAI MAKANAN"),
        ("SimpangOff Batu", "Simpang Off Batu"),  # a capital after small letters
        ("NO.12,JALANAIR", "NO.12,JALAN AIR"),
    ],
)
def test_glued_words_are_respaced(segmenter: Segmenter, glued: str, spaced: str) -> None:
    assert segmenter.respace(glued) == spaced


@pytest.mark.parametrize(
    "word",
    [
        "MONOPRIX",  # two English words make one brand
        "TOTALENERGIES",
        "BACKSTUBE",
        "EPICERIE",
        "SEKSYEN",  # a local word is never cut ("SEKS YEN")
        "KITCHENETTE",  # an English word
        "RESTORAN",
        "SHORT",
    ],
)
def test_names_stay_whole(segmenter: Segmenter, word: str) -> None:
    assert segmenter.respace(word) == word


def test_protected_words_stay_whole() -> None:
    assert Segmenter(local=LOCAL, protected=["kedaimakanan"]).respace("KEDAIMAKANAN") == (
        "KEDAIMAKANAN"
    )


def test_vocabulary_and_header_words() -> None:
    assert vocabulary(["Jalan Air, JALAN 5", "No"]) == {"jalan": 2, "air": 1}
    keys = [{"company": "KEDAI MAKANAN SDN BHD", "address": "JALAN 1", "total": "9.00"}]
    assert header_words(keys) == ["bhd", "jalan", "kedai", "makanan", "sdn"]
