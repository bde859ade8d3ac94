"""Header rules after review (issue 12), on made-up receipt rows: branch headings, 1s read as
l's, OCR-slip correction only toward general words, the line model's header text, brackets."""

from __future__ import annotations

import pytest

from bench.receipts import text_ocr
from server.documents.layout import build_rows
from server.receipts import address, line_model, merchant
from server.receipts.address import clean_address_line
from server.receipts.header import header_segmenter, using_segmenter
from server.receipts.merchant import clean_merchant
from server.receipts.pipeline import extract_receipt
from server.receipts.train_lines import header_word_sellers

ITEMS = """
--------------------------------
KOPI O                      2,00
--------------------------------
TOTAL                       2,00
"""


def header(text: str) -> tuple[str | None, str | None]:
    found = extract_receipt(text_ocr(text + "\n" + ITEMS))
    return (
        found.merchant.value if found.merchant else None,
        found.address.value if found.address else None,
    )


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # a date under the branch row: the branch row is the address, the date is not
        ("KOPI HOUSE\nKOPI HOUSE BANDAR SUNWAY\n12/03/2018 10:22", "KOPI HOUSE BANDAR SUNWAY"),
        # a phone number under it is not the street number
        (
            "KOPI HOUSE\nKOPI HOUSE BANDAR SUNWAY\n03-5612 3456\n22, JALAN PJS 11/7",
            "KOPI HOUSE BANDAR SUNWAY",
        ),
        # nor is an item row
        ("KEDAI MAJU\nTAMAN MELATI\n1 X 2.00\nTAMAN MELATI", "TAMAN MELATI"),
    ],
)
def test_branch_heading_is_kept_unless_an_address_row_follows(rows: str, expected: str) -> None:
    _, found = header(rows)
    assert found == expected


@pytest.mark.parametrize(
    ("read", "cleaned"),
    [
        ("LOT G1, Sunway Ma11", "LOT G1, Sunway Mall"),  # "Mall" is a word
        ("sunway ma11", "sunway mall"),
        ("Hi11 Road", "Hill Road"),
        # a word and its number printed together stay so
        ("Lot1, Jalan Mawar", "Lot1, Jalan Mawar"),
        ("No11 Jalan Mawar", "No11 Jalan Mawar"),
        ("Seksyen11, Shah Alam", "Seksyen11, Shah Alam"),
        ("Unit1 Plaza", "Unit1 Plaza"),
        ("lot1 jalan mawar", "lot1 jalan mawar"),
        ("no11 jalan mawar", "no11 jalan mawar"),
        ("seksyen11 shah alam", "seksyen11 shah alam"),
        ("unit1 plaza", "unit1 plaza"),
    ],
)
def test_ones_are_read_as_ls_only_where_that_spells_a_word(read: str, cleaned: str) -> None:
    assert clean_address_line(read) == cleaned


def test_sellers_of_each_header_word() -> None:
    keys = [
        {"company": "KOPI HOUSE SDN BHD", "address": "1 JALAN MAWAR, TAMAN MELATI"},
        {"company": "KOPI HOUSE BANGSAR", "address": "2 JALAN KENARI"},  # the same seller
        {"company": "KEDAI RADIN", "address": "3 JALAN KENARI"},
        {"company": "", "address": "4 JALAN MAWAR"},  # no name: a seller of its own
    ]
    sellers = header_word_sellers(keys)
    assert sellers["jalan"] == 3
    assert sellers["kenari"] == 2
    assert sellers["mawar"] == 2
    assert sellers["kopi"] == sellers["house"] == sellers["radin"] == 1


# One seller's own words ("radin", "oring", the brand "kedaimas") next to general ones.
SELLERS = {"radin": 1, "oring": 1, "kedaimas": 1, "jalan": 5, "selangor": 4, "enterprise": 1}


@pytest.mark.parametrize(
    ("read", "corrected"),
    [
        ("JAIAN BESAR", "JALAN BESAR"),  # a general header word
        ("SHAH ALAM, SCLANGOR", "SHAH ALAM, SELANGOR"),
        ("SWC ENTERORISE", "SWC ENTERPRISE"),  # a common English word
        ("buardian Pharmacy", "guardian Pharmacy"),
        # never toward one seller's own words: another shop's name is spelt its own way
        ("KEDAI KADIN", "KEDAI KADIN"),
        ("DRING TRADING", "DRING TRADING"),
        ("KEDAIMAS", "KEDAIMAS"),
        ("KEDAINAS", "KEDAINAS"),
        # real words are never corrected: English-table words, common Malay ones
        ("SYARIKAT INTERNASIONAL", "SYARIKAT INTERNASIONAL"),
        ("TEKNOLOGI MAJU", "TEKNOLOGI MAJU"),
        ("PERNIAGAAN MAJU", "PERNIAGAAN MAJU"),
        ("PERKHIDMATAN MAJU", "PERKHIDMATAN MAJU"),
        # an English word differs from its kin in other languages at the end
        ("CARTE FIDELITE", "CARTE FIDELITE"),
        ("MENTAI BAR", "MENTAI BAR"),
    ],
)
def test_slips_are_corrected_only_toward_general_words(read: str, corrected: str) -> None:
    assert header_segmenter(SELLERS).correct(read) == corrected


def test_a_word_of_one_seller_is_not_forced_on_an_unseen_receipt() -> None:
    with using_segmenter(header_segmenter(SELLERS)):
        found, _ = header("KEDAI KADIN SDN BHD\n12 JAIAN MAWAR\n40000 SHAH ALAM\n")
    assert found == "KEDAI KADIN SDN BHD"


def test_line_model_cleans_header_text_as_the_rules_do() -> None:
    assert line_model.merchant_text is merchant.merchant_text
    assert line_model.address_text is address.address_text
    rows = build_rows(text_ocr("SRI KEDAI(KL)\n12 JAIAN MAWAR\n40000 SHAH ALAM"))
    with using_segmenter(header_segmenter(SELLERS)):
        assert merchant.merchant_text(rows[:1]) == "SRI KEDAI (KL)"
        assert address.address_text(rows[1:]) == "12 JALAN MAWAR 40000 SHAH ALAM"


@pytest.mark.parametrize(
    ("printed", "name"),
    [
        ("Café(Paris)", "Café (Paris)"),
        ("BRASSERIE DE L'ÉTÉ(NICE)", "BRASSERIE DE L'ÉTÉ (NICE)"),
        ("KEDAI MAJU(KL) SDN BHD", "KEDAI MAJU (KL) SDN BHD"),
        ("KEDAI_(KL)", "KEDAI_(KL)"),
    ],
)
def test_a_bracket_after_any_letter_is_spaced(printed: str, name: str) -> None:
    assert clean_merchant(printed) == name
