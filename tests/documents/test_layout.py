"""The one row grouping, on the shapes OCR engines give."""

from __future__ import annotations

import math

import pytest

from server.documents.layout import (
    SKEW_MIN_DEGREES,
    SLOPE_MIN_RUNS,
    Row,
    build_lines,
    build_rows,
    group_rows,
    page_slope,
)
from server.documents.types import OcrLine, OcrPage, OcrResult, OcrWord


def run(text: str, box: tuple[int, int, int, int], confidence: float = 1.0) -> OcrLine:
    return OcrLine(text, box, confidence)


def texts(rows: list[list[OcrLine]]) -> list[str]:
    return [" ".join(r.text for r in row) for row in rows]


def test_label_and_amount_far_apart_share_a_row() -> None:
    runs = [run("12.50", (500, 104, 560, 124)), run("TOTAL", (10, 100, 80, 120))]
    assert texts(group_rows(runs)) == ["TOTAL 12.50"]


def test_a_sloping_column_header_stays_one_row() -> None:
    # given: SROIE receipt 100: the header slopes up by a whole line height across the page,
    # and the item row below starts at the header's left end height
    runs = [
        run("ITEM", (78, 736, 136, 760)),
        run("QTY", (323, 731, 371, 753)),
        run("S/PRICE", (424, 724, 518, 747)),
        run("AMOUNT", (554, 719, 665, 742)),
        run("TAX", (695, 712, 748, 732)),
        run("1", (339, 758, 359, 776)),
        run("7.42", (448, 754, 504, 771)),
        run("7.42", (609, 743, 670, 766)),
        run("SR", (707, 740, 748, 762)),
    ]
    # when
    rows = group_rows(runs)
    # then
    assert texts(rows) == ["ITEM QTY S/PRICE AMOUNT TAX", "1 7.42 7.42 SR"]


def test_stacked_boxes_are_two_rows() -> None:
    runs = [run("A", (10, 10, 60, 40)), run("B", (12, 30, 62, 60))]
    assert texts(group_rows(runs)) == ["A", "B"]


def test_consecutive_printed_lines_stay_apart() -> None:
    runs = [run("ONE", (10, 10, 100, 30)), run("TWO", (200, 22, 300, 42))]  # 8 of 20 px
    assert texts(group_rows(runs)) == ["ONE", "TWO"]


def test_grouping_is_idempotent_and_handles_nothing() -> None:
    runs = [
        run("TOTAL", (10, 100, 80, 120), 0.5),
        run("12.50", (500, 104, 560, 124), 1.0),
        run("MERCI", (10, 200, 120, 220)),
    ]
    lines = build_lines(runs)
    assert [line.text for line in build_lines(lines)] == ["TOTAL 12.50", "MERCI"]
    assert group_rows([]) == [] and build_lines([]) == []


def test_build_lines_joins_runs_weights_confidence_and_keeps_words() -> None:
    # given: one run with word boxes, one without
    words = [OcrWord("TOTAL", (10, 100, 80, 120), 0.5)]
    runs = [
        OcrLine("TOTAL", (10, 100, 80, 120), 0.5, words),
        run("12.50 EUR", (500, 104, 640, 124)),
    ]
    # when
    (line,) = build_lines(runs)
    # then: a length-weighted confidence (5 chars at 0.5, 9 at 1.0), words estimated for the run
    assert line.text == "TOTAL 12.50 EUR"
    assert line.box == (10, 100, 640, 124)
    assert round(line.confidence, 3) == round((5 * 0.5 + 9 * 1.0) / 14, 3)
    assert [w.text for w in line.words] == ["TOTAL", "12.50", "EUR"]
    assert line.words[1].box[0] == 500 and line.words[2].box[2] == 640


def test_build_rows_numbers_rows_across_pages() -> None:
    page = OcrPage(0, 800, 300, [run("B", (10, 50, 40, 70)), run("A", (10, 10, 40, 30))], "x")
    blank = OcrPage(1, 800, 300, [], "blank")
    last = OcrPage(2, 800, 300, [run(" ", (0, 0, 5, 5)), run("C", (10, 10, 40, 30))], "x")
    rows = build_rows(OcrResult("x", [page, blank, last]))
    assert [(r.index, r.text) for r in rows] == [(0, "A"), (1, "B"), (2, "C")]


def test_row_folds_text_and_unions_boxes() -> None:
    row = Row(0, [run("Crème", (0, 0, 50, 20), 0.8), run("3,50 €", (100, 2, 160, 24), 0.6)])
    assert row.text == "Crème 3,50 €"
    assert row.folded == "CREME 3,50 €"
    assert row.box == (0, 0, 160, 24) and row.height == 24
    assert round(row.confidence, 3) == round((5 * 0.8 + 6 * 0.6) / 11, 3)


# A receipt as printed: (x of the run's first character, run text) per printed line.
RECEIPT = [
    [(150, "MAISON DE LA PRESSE")],
    [(140, "2 PLACE DE LA MAIRIE")],
    [(20, "LE MONDE"), (500, "3,20")],
    [(20, "TIMBRES X10"), (488, "12,90")],
    [(20, "STYLO BILLE"), (500, "1,50")],
    [(20, "TOTAL"), (440, "17,60 EUR")],
    [(20, "ESPECES"), (440, "20,00 EUR")],
    [(20, "Carte fidelite valable jusqu'au 31/12/2027")],
    [(20, "Le 04/12/2026"), (300, "09:05")],
]
CHAR, HEIGHT, PITCH = 12, 24, 20  # RapidOCR's boxes are taller than the line pitch


def tilted(degrees: float) -> list[OcrLine]:
    """The receipt's runs photographed turned by ``degrees`` (clockwise: right ends lower),
    each box the axis-aligned hull of the turned text, as RapidOCR gives runs and words."""
    turn = math.radians(degrees)

    def hull(x0: float, y0: float, x1: float, y1: float) -> tuple[int, int, int, int]:
        corners = [(x, y) for x in (x0, x1) for y in (y0, y1)]
        xs = [300 + (x - 300) * math.cos(turn) - (y - 300) * math.sin(turn) for x, y in corners]
        ys = [300 + (x - 300) * math.sin(turn) + (y - 300) * math.cos(turn) for x, y in corners]
        return (round(min(xs)), round(min(ys)), round(max(xs)), round(max(ys)))

    runs = []
    for i, line in enumerate(RECEIPT):
        top = 100 + i * PITCH
        for x, text in line:
            words, cursor = [], 0
            for word in text.split():
                start = text.index(word, cursor)
                cursor = start + len(word)
                box = hull(x + start * CHAR, top, x + cursor * CHAR, top + HEIGHT)
                words.append(OcrWord(word, box, 1.0))
            runs.append(OcrLine(text, hull(x, top, x + len(text) * CHAR, top + HEIGHT), 1.0, words))
    return runs


UPRIGHT = [" ".join(text for _, text in line) for line in RECEIPT]


@pytest.mark.parametrize("degrees", [0, 2, 4, -3, 1, -1.5])
def test_a_tilted_photo_keeps_amounts_on_their_labels_rows(degrees: float) -> None:
    # given: the receipt turned by a few degrees: at 4 degrees the right end of a line sits
    # almost two lines lower than its left end
    runs = tilted(degrees)
    # when
    rows = group_rows(runs)
    # then: the rows of the upright receipt, in order
    assert texts(rows) == UPRIGHT
    assert [line.text for line in build_lines(runs)] == UPRIGHT
    assert [row.text for row in build_rows(OcrResult("x", [OcrPage(0, 600, 400, runs, "x")]))] == (
        UPRIGHT
    )


def test_without_the_slope_a_tilted_photo_mixes_rows() -> None:
    # the case the slope fixes: boxes grouped as they are put the amount on the next label's row
    runs = [OcrLine(r.text, r.box, r.confidence) for r in tilted(4)]  # no words: no slope
    assert page_slope(runs) == 0.0
    assert texts(group_rows(runs)) != UPRIGHT


def test_page_slope_is_the_runs_median_and_zero_when_upright_or_unknown() -> None:
    assert page_slope(tilted(0)) == 0.0
    assert page_slope(tilted(0.3)) == 0.0  # under SKEW_MIN_DEGREES: boxes used as they are
    # measured from integer word boxes: to a tenth of a degree or two
    assert abs(math.degrees(math.atan(page_slope(tilted(3)))) - 3.0) <= 0.2
    assert abs(math.degrees(math.atan(page_slope(tilted(-2)))) + 2.0) <= 0.2
    # one word at an angle (a stamp) does not tilt the page
    stamp = OcrLine(
        "PAYE LE",
        (100, 300, 300, 400),
        1.0,
        [OcrWord("PAYE", (100, 300, 180, 320), 1.0), OcrWord("LE", (280, 380, 300, 400), 1.0)],
    )
    assert page_slope([*tilted(0), stamp]) == 0.0
    # runs of one word, or words too close together, cannot tell
    assert page_slope([run("TOTAL", (10, 100, 80, 120)), run("12.50", (500, 110, 560, 130))]) == 0.0
    assert SLOPE_MIN_RUNS == 3 and SKEW_MIN_DEGREES == 0.5
