"""Header rules (issue 12) on made-up rows: re-spacing glued words, legal forms, merchant rows,
OCR slips and branch headings."""

from __future__ import annotations

import uuid

import pytest

from bench.receipts import text_ocr
from server.documents.legal_forms import has_legal_form, name_key
from server.documents.segment import Segmenter, vocabulary
from server.receipts.address import clean_address_line
from server.receipts.brands import BrandEntry, BrandMatcher
from server.receipts.header import header_segmenter, using_segmenter
from server.receipts.merchant import clean_merchant
from server.receipts.pipeline import extract_receipt
from server.receipts.train_lines import header_words

LOCAL = ["jalan", "taman", "kedai", "makanan", "seksyen", "kuala", "lumpur"]


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
        # two local words, even ones common in the English table, were printed apart
        ("50450 KUALALUMPUR", "50450 KUALA LUMPUR"),
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


# ------------------------------------------------------------------------- OCR slips, branches


@pytest.mark.parametrize(
    ("printed", "name"),
    [
        # a bracket glued to the word before it is spaced as names are printed
        ("KEDAI BESI MAJU(SERI KEMBANGAN) SDN BHD", "KEDAI BESI MAJU (SERI KEMBANGAN) SDN BHD"),
        ("HOME FIX.(M) SDN BHD", "HOME FIX. (M) SDN BHD"),
        # a legal form with an OCR slip at the name's end is spelt right, periods kept
        ("TEKUN JAYA SDN BND", "TEKUN JAYA SDN BHD"),
        ("TEKUN JAYA SDN. BHO.", "TEKUN JAYA SDN. BHD."),
        ("77 MINI MART S/D", "77 MINI MART S/B"),
        ("77 MINI MART S/8", "77 MINI MART S/B"),
        # a legal form glued to the name, or its two words glued together
        ("SRI ROTI DELIGHTSSDN. BHD.", "SRI ROTI DELIGHTS SDN. BHD."),
        ("TEKUN JAYA SDNBHD", "TEKUN JAYA SDN BHD"),
        # elsewhere the same letters stay as printed
        ("S/D AUTO PARTS", "S/D AUTO PARTS"),
        ("BND TRADING", "BND TRADING"),
    ],
)
def test_merchant_brackets_and_legal_form_slips(printed: str, name: str) -> None:
    assert clean_merchant(printed) == name


def test_merchant_row_with_a_glued_bracket_reads_spaced() -> None:
    merchant, _ = header("  KEDAI BESI MAJU(SERI KEMBANGAN) SDN BHD\n  12 JALAN MAWAR\n" + ITEMS)
    assert merchant == "KEDAI BESI MAJU (SERI KEMBANGAN) SDN BHD"


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # the brand printed again with its branch, above the street number
        (
            "KOPI HOUSE\nGST REF NO : 001122334455\nKOPI HOUSE BANDAR SUNWAY\n"
            "22, JALAN PJS 11/7\n46150 PETALING JAYA",
            "22, JALAN PJS 11/7 46150 PETALING JAYA",
        ),
        # the same with one OCR slip in the repeated name
        (
            "KOPI HOUSE\nKOPI HOVSE BANDAR SUNWAY\n22, JALAN PJS 11/7\n46150 PETALING JAYA",
            "22, JALAN PJS 11/7 46150 PETALING JAYA",
        ),
        # the town heading the address and printed again at its end
        (
            "FARMASI SEHAT SDN BHD\nTAMAN MELATI\nNO 8 JALAN MELATI 3\nTAMAN MELATI",
            "NO 8 JALAN MELATI 3 TAMAN MELATI",
        ),
        # a building row that is neither stays the address's first row
        (
            "KEDAI RUNCIT MAJU\nWISMA MUTIARA\n12 JALAN BESAR\n50000 KUALA LUMPUR",
            "WISMA MUTIARA 12 JALAN BESAR 50000 KUALA LUMPUR",
        ),
    ],
)
def test_branch_heading_above_the_street_is_not_the_address(rows: str, expected: str) -> None:
    _, address = header(rows + "\n" + ITEMS)
    assert address == expected


@pytest.mark.parametrize(
    ("read", "corrected"),
    [
        ("Jaian Besar", "Jalan Besar"),  # I for L, case kept
        ("SHAH ALAM, SCLANGOR", "SHAH ALAM, SELANGOR"),  # C for E
        ("BANDAR BARU KAWANG", "BANDAR BARU RAWANG"),  # K for R
        ("JALAN BATAI", "JALAN BATAI"),  # no local word one slip away
        ("HOUSE", "HOUSE"),  # an English word stays
        ("JLN", "JLN"),  # too short to tell
        ("CANTIK", "CANTIK"),  # two local words one slip away: ambiguous
        ("SWC ENTERORISE", "SWC ENTERPRISE"),  # 8+ letters: any one wrong letter
        ("PERMATANG", "PERMATANG"),  # 8+ letters, no local word one letter away
        ("MUTIARA", "MUTIARA"),  # under 8 letters only look-alikes count (MUTIARI is local)
    ],
)
def test_ocr_slips_are_corrected_to_local_words(read: str, corrected: str) -> None:
    local = ["jalan", "selangor", "rawang", "eantik", "gantik", "alam", "bandar", "baru"]
    local += ["enterprise", "mutiari"]
    assert Segmenter(local=local, targets=local).correct(read) == corrected


def test_address_words_read_with_a_slip_are_corrected() -> None:
    with using_segmenter(header_segmenter({"jalan": 2, "selangor": 2})):
        _, address = header("KEDAI MAJU\n12 JAIAN MAWAR\n40000 SHAH ALAM, SCLANGOR\n" + ITEMS)
    assert address == "12 JALAN MAWAR 40000 SHAH ALAM, SELANGOR"


@pytest.mark.parametrize(
    ("read", "address"),
    [
        ("LOT G1O, Sunway Ma11", "LOT G10, Sunway Mall"),  # O ending a number, 1s after a, l
        ("LOT G11, JALAN 11", "LOT G11, JALAN 11"),  # digits after capitals stay digits
        ("NO 1O JALAN OTO", "NO 10 JALAN OTO"),
        # a street abbreviation glued to the name after it
        ("NO 3 JLNBESAR, TMNSRI MAJU", "NO 3 JLN BESAR, TMN SRI MAJU"),
        ("Lot 2 Jlnmawar", "Lot 2 Jln mawar"),
        ("JLN 1/50", "JLN 1/50"),
        ("TAMANMALURI CHERAS", "TAMAN MALURI CHERAS"),  # a street word, 4+ letters after it
        ("DEWAN BANDARAYA", "DEWAN BANDARAYA"),  # a word of its own ("city")
    ],
)
def test_digit_letter_slips_in_addresses(read: str, address: str) -> None:
    assert clean_address_line(read) == address
