"""The one row grouping, on the shapes OCR engines give."""

from __future__ import annotations

from server.documents.layout import Row, build_lines, build_rows, group_rows
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
