"""Header rules (issue 12) on made-up rows: re-spacing glued words, legal forms, merchant rows."""

from __future__ import annotations

import uuid

import pytest

from bench.receipts import text_ocr
from server.documents.legal_forms import has_legal_form, name_key
from server.documents.segment import Segmenter, vocabulary
from server.receipts.brands import BrandEntry, BrandMatcher
from server.receipts.pipeline import extract_receipt
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


# ------------------------------------------------------------------ merchant and address rows


def header(text: str) -> tuple[str | None, str | None]:
    """Merchant and address the rules read from a made-up receipt (rows on a monospace grid)."""
    found = extract_receipt(text_ocr(text))
    return (
        found.merchant.value if found.merchant else None,
        found.address.value if found.address else None,
    )


ITEMS = """
--------------------------------
PAIN                        1,20
--------------------------------
TOTAL                       1,20
"""


def test_card_slip_headers_are_not_the_merchant() -> None:
    merchant, address = header(
        "     CARTE BANCAIRE\n        CB\n    SANS CONTACT\n   FROMAGERIE DU PONT\n"
        "    3 RUE HAUTE\n    33000 BORDEAUX\n" + ITEMS
    )
    assert merchant == "FROMAGERIE DU PONT"
    assert address == "3 RUE HAUTE 33000 BORDEAUX"


def test_lower_case_tagline_is_skipped() -> None:
    merchant, _ = header(
        "   Toujours plus frais\n   PRIMEUR MARTIN\n   5 RUE NEUVE\n   59000 LILLE\n" + ITEMS
    )
    assert merchant == "PRIMEUR MARTIN"


def test_operator_row_under_the_brand_is_not_the_name() -> None:
    merchant, address = header(
        "     SUPER FRAIS\n  SARL DUPONT ET FILS\n  12 AVENUE FOCH\n  67000 STRASBOURG\n" + ITEMS
    )
    assert merchant == "SUPER FRAIS"
    assert address == "12 AVENUE FOCH 67000 STRASBOURG"


def test_bare_legal_form_row_still_continues_the_name() -> None:
    merchant, _ = header(
        "  KEDAI RUNCIT MAJU\n   (M) SDN BHD\n  12 JALAN MAWAR\n  50000 KUALA LUMPUR\n" + ITEMS
    )
    assert merchant == "KEDAI RUNCIT MAJU (M) SDN BHD"


def test_name_wrapped_with_a_linking_word_is_joined() -> None:
    merchant, _ = header(
        "  LA PETITE CAVE\n  DES CHARTREUX\n  8 RUE LONGUE\n  69001 LYON\n" + ITEMS
    )
    assert merchant == "LA PETITE CAVE DES CHARTREUX"


def test_capital_and_tax_id_rows_end_the_address() -> None:
    for stop in ("SARL AU CAPITAL DE 5 000 EUR", "NIF B-12345678", "UID Nr.: ATU12345678"):
        _, address = header(f"  CAVE ROUGE\n  4 RUE BASSE\n  13001 MARSEILLE\n  {stop}\n" + ITEMS)
        assert address == "4 RUE BASSE 13001 MARSEILLE", stop


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ("BAECKEREI KORN\nLINDENSTRASSE 7\n10115 BERLIN", "LINDENSTRASSE 7 10115 BERLIN"),
        (
            "EPICERIE MOLIERE\nCHAUSSEE DE GAND 40\n1080 BRUXELLES",
            "CHAUSSEE DE GAND 40 1080 BRUXELLES",
        ),
        ("RELAIS DU COL\nRN 20 LIEU-DIT LE PLAN\n09000 FOIX", "RN 20 LIEU-DIT LE PLAN 09000 FOIX"),
        (
            "KEDAI MAJU\nLOT 12345, JALAN BESAR\n43000 KAJANG\nSELANGOR",
            "LOT 12345, JALAN BESAR 43000 KAJANG SELANGOR",
        ),
    ],
)
def test_european_streets_postcodes_and_lot_numbers(rows: str, expected: str) -> None:
    _, address = header(rows + "\n" + ITEMS)
    assert address == expected


# ------------------------------------------------------------------------ legal forms, brands


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("MR. D.I.Y. (M) SDN BHD", "MR D I Y"),
        ("AEON CO. (M) BHD", "AEON"),
        ("99 SPEED MART S/B", "99 SPEED MART"),
        ("SAS NICE FOOD", "NICE FOOD"),
        ("Farmacia Garcia Lopez S.L.", "FARMACIA GARCIA LOPEZ"),
        ("Backstube Müller GmbH", "BACKSTUBE MULLER"),
        ("SWC ENTERPRISE SDN. BHD.", "SWC ENTERPRISE"),
        ("SA", "SA"),  # a name that is only a legal form keeps it
    ],
)
def test_name_key_cuts_legal_forms(name: str, key: str) -> None:
    assert name_key(name) == key
    assert has_legal_form(name) == (key != "SA")


def test_merchant_matches_a_brand_without_its_legal_form() -> None:
    carrefour = BrandEntry(uuid.uuid4(), "Carrefour", ["Carrefour Market"], None)
    speedmart = BrandEntry(uuid.uuid4(), "99 Speedmart", ["99 Speed Mart"], None)
    matcher = BrandMatcher([carrefour, speedmart])
    found = matcher.match_merchant("CARREFOUR MARKET S.A.")
    assert found is not None and found.brand is carrefour and found.score == 100
    found = matcher.match_merchant("99 SPEED MART S/B")
    assert found is not None and found.brand is speedmart
    found = matcher.match_merchant("99 SPEED MARI S/B")  # one OCR slip
    assert found is not None and found.brand is speedmart and 90 <= found.score < 100
    assert matcher.match_merchant("CARREFOUR CITY") is None


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # OCR read the O's of a street name as zeros
        ("CAFE ROYAL\nCHAUSSEE DE WATERL00 5\n1410 BRAINE", "CHAUSSEE DE WATERLOO 5 1410 BRAINE"),
        # a pump line after the town (no separator once OCR'd) is not a coded branch row
        (
            "STATION DU LAC\n2 ROUTE DU LAC\n74000 ANNECY\nPOMPE 04 GAZOLE",
            "2 ROUTE DU LAC 74000 ANNECY",
        ),
        # a card expiry after the town ends the address
        ("PHARMACIE CENTRALE\n1 RUE DU PORT\n29200 BREST\nEXP 03/28", "1 RUE DU PORT 29200 BREST"),
        # country rows are kept
        (
            "BAECKEREI KORN\nLINDENSTRASSE 7\n10115 BERLIN\nDEUTSCHLAND",
            "LINDENSTRASSE 7 10115 BERLIN DEUTSCHLAND",
        ),
    ],
)
def test_address_ends_at_the_first_non_address_row(rows: str, expected: str) -> None:
    _, address = header(rows + "\n" + ITEMS)
    assert address == expected
