"""Which way up RapidOCR reads a page (``server.ocr.turned``): the upright test, pages turned 180
degrees read in reading order, every line of a turned page read turned."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from bench.ocr import character_error_rate, load_sroie_transcript
from server.documents.layout import page_slope
from server.documents.types import OcrLine, OcrWord
from server.ocr import ENGINES, recognise_image
from server.ocr.engines import RapidOcrEngine, looks_upright, upright_sample
from server.ocr.turned import lines_read_turned, turn_upright, turned_page, unmirror_words


def _rapidocr_counts() -> tuple[int, int]:
    engine = ENGINES["rapidocr"]
    assert isinstance(engine, RapidOcrEngine)
    return engine.upright_pages, engine.classified_pages


def test_upright_receipt_skips_the_angle_classifier(receipt_image: Image.Image) -> None:
    # given
    upright_before, classified_before = _rapidocr_counts()

    # when
    page = recognise_image(receipt_image, engine="rapidocr")

    # then: read, and counted as upright (lines recognised as cropped, no classifier pass)
    assert "TOTAL 12.50" in page.text.upper()
    assert _rapidocr_counts() == (upright_before + 1, classified_before)


def test_upside_down_receipt_is_classified_and_read(receipt_image: Image.Image) -> None:
    # given: the same receipt turned 180 degrees
    upside_down = receipt_image.rotate(180)
    upright_before, classified_before = _rapidocr_counts()

    # when
    page = recognise_image(upside_down, engine="rapidocr")

    # then: the classifier ran on every line and turned them back, and the page is returned
    # turned upright: rows top to bottom, label before amount
    assert _rapidocr_counts() == (upright_before, classified_before + 1)
    rows = [line.text.upper() for line in page.lines]
    assert len(rows) == 3
    assert "CRÈMERIE DU MARCHÉ" in rows[0]
    assert rows[1].startswith("COMT") and rows[1].endswith("8,40 €")
    assert rows[2] == "TOTAL 12.50 €"
    assert page.lines[0].box[1] < page.lines[2].box[1]


@pytest.mark.parametrize("tilt", [0, 3])
def test_words_of_an_upside_down_receipt_are_where_they_are_printed(
    receipt_image: Image.Image, tilt: int
) -> None:
    # given: the receipt (level, or tilted 3 degrees) and the same turned 180 degrees
    upright_image = receipt_image.rotate(tilt, expand=True, fillcolor="white")
    upside_down = receipt_image.rotate(180 + tilt, expand=True, fillcolor="white")

    # when
    upright = recognise_image(upright_image, engine="rapidocr")
    page = recognise_image(upside_down, engine="rapidocr")

    # then: the turned page reads as the upright one, words in reading order left to right
    assert [line.text for line in page.lines] == [line.text for line in upright.lines]
    assert [w.text for w in page.lines[2].words] == ["TOTAL", "12.50", "€"]
    for line, upright_line in zip(page.lines, upright.lines, strict=True):
        assert " ".join(w.text for w in line.words) == line.text
        lefts = [w.box[0] for w in line.words]
        assert lefts == sorted(lefts) and len(set(lefts)) == len(lefts)
        assert all(a.box[2] <= b.box[0] for a, b in itertools.pairwise(line.words))
        # each word's box where the upright page has that word (a few pixels of OCR noise)
        for word, expected in zip(line.words, upright_line.words, strict=True):
            assert word.text == expected.text
            assert max(abs(a - b) for a, b in zip(word.box, expected.box, strict=True)) <= 12
    # and the tilt reads the same (word centres along each line)
    assert page_slope(page.lines) == pytest.approx(page_slope(upright.lines), abs=0.01)


@pytest.mark.parametrize(
    ("labels", "upright"),
    [
        ([], True),
        ([("0", 0.99)] * 6, True),
        ([("0", 0.99)] * 5 + [("180", 0.95)], True),  # one misread line in six: still upright
        ([("0", 0.99)] * 4 + [("180", 0.95)] * 2, False),
        ([("0", 0.99)] * 5 + [("180", 0.6)] * 1, True),  # not confident: would not be turned
        ([("180", 0.99)] * 6, False),
        ([("0", 0.99), ("180", 0.95)], False),  # two lines: one turned is too many
    ],
)
def test_page_is_upright_when_nearly_no_sampled_line_would_be_turned(
    labels: list[tuple[str, float]], upright: bool
) -> None:
    assert looks_upright(labels, threshold=0.9) is upright


def test_the_sample_is_the_widest_lines() -> None:
    assert upright_sample([10, 300, 40, 300, 200, 5, 90, 120], size=4) == [1, 3, 4, 7]
    assert upright_sample([30, 20], size=6) == [0, 1]


@pytest.mark.parametrize(
    ("labels", "turned"),
    [
        ([], False),
        ([("180", 0.99)] * 3 + [("0", 0.99)] * 2, True),
        ([("180", 0.99)] * 2 + [("0", 0.99)] * 2, False),  # half is not most
        ([("180", 0.6)] * 5, False),  # not confident: not turned
    ],
)
def test_a_page_is_turned_when_most_lines_were(
    labels: list[tuple[str, float]], turned: bool
) -> None:
    assert turned_page(labels, threshold=0.9) is turned


def test_turned_runs_are_mapped_to_the_upright_page() -> None:
    # given: a 100 x 200 page upside down, a run near its bottom right reading "A B", as RapidOCR
    # gives it once the classifier turned its crop: words in reading order, placed as if the
    # crop had not been turned ("A" at the left, where the turned "B" is printed)
    run = OcrLine(
        "A B",
        (60, 150, 90, 170),
        0.9,
        [OcrWord("A", (60, 152, 70, 170), 0.8), OcrWord("B", (80, 150, 90, 168), 0.9)],
    )

    # when
    (turned,) = turn_upright([unmirror_words(run)], 100, 200)

    # then: near the top left of the upright page, "A" left of "B", each one's offset inside
    # the run kept (the box lower on the left stays lower on the left: the slope is kept)
    assert turned.box == (10, 30, 40, 50)
    assert [(w.text, w.box, w.confidence) for w in turned.words] == [
        ("A", (10, 32, 20, 50), 0.8),
        ("B", (30, 30, 40, 48), 0.9),
    ]
    assert (turned.text, turned.confidence) == ("A B", 0.9)


def test_words_of_a_turned_line_are_mirrored_back_inside_its_box() -> None:
    # given: on an upright page, one line printed upside down ("8,40 €": its "€" is left of
    # "8,40" in the photo), as RapidOCR gives it once the classifier turned its crop: "8,40"
    # first, placed at the left of the run's box
    run = OcrLine(
        "8,40 €",
        (100, 10, 240, 50),
        0.9,
        [OcrWord("8,40", (100, 10, 180, 50), 0.9), OcrWord("€", (200, 12, 220, 48), 0.9)],
    )

    # when
    fixed = unmirror_words(run)

    # then: each word where it is printed ("8,40" at the right), reading order and box kept
    assert (fixed.text, fixed.box, fixed.confidence) == ("8,40 €", run.box, 0.9)
    assert [(w.text, w.box) for w in fixed.words] == [
        ("8,40", (160, 10, 240, 50)),
        ("€", (120, 12, 140, 48)),
    ]


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        ([], []),
        # a turned page: every line, those the classifier was unsure of or called upright too
        (
            [("180", 0.99)] * 3 + [("180", 0.6), ("0", 0.999)],
            [True] * 5,
        ),
        # not a turned page: only the lines the classifier turned
        (
            [("180", 0.99)] * 2 + [("180", 0.6), ("0", 0.99), ("0", 0.7)],
            [True, True, False, False, False],
        ),
    ],
)
def test_every_line_of_a_turned_page_is_read_turned(
    labels: list[tuple[str, float]], expected: list[bool]
) -> None:
    assert lines_read_turned(labels, threshold=0.9) == expected


def test_a_line_the_classifier_calls_upright_is_turned_with_its_page(
    receipt_image: Image.Image, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: the receipt turned 180 degrees, and a classifier that calls its widest line (the
    # shop's name) upright with 0.999 and leaves it as it lies, as the real one does with some
    # upside-down lines (SROIE 310's "DOMINO'S PIZZA PERMAS JAYA": "0" at 1.0)
    from rapidocr.ch_ppocr_cls import TextClsOutput

    engine = ENGINES["rapidocr"]
    assert isinstance(engine, RapidOcrEngine)
    instance = engine._instance(latin=True)
    classifier = instance._load_cls_model()
    calls: list[int] = []

    class Doubting:
        cls_thresh = classifier.cls_thresh

        def __call__(self, crops: list[Any]) -> Any:
            result = classifier(crops)
            widest = max(range(len(crops)), key=lambda i: crops[i].shape[1])
            images, labels = list(result.img_list), list(result.cls_res)
            images[widest], labels[widest] = crops[widest], ("0", 0.999)
            calls.append(len(crops))
            return TextClsOutput(img_list=images, cls_res=labels, elapse=result.elapse)

    doubting = Doubting()
    monkeypatch.setattr(instance, "_load_cls_model", lambda: doubting)

    # when
    page = recognise_image(receipt_image.rotate(180), engine="rapidocr")

    # then: the classifier was asked, and the shop's name is read the right way up, in place
    assert calls
    rows = [line.text.upper() for line in page.lines]
    assert len(rows) == 3
    assert "CRÈMERIE DU MARCHÉ" in rows[0]
    assert rows[2] == "TOTAL 12.50 €"


@pytest.mark.slow
@pytest.mark.parametrize("turn", [0, 180])
def test_a_real_receipt_photo_reads_the_same_either_way_up(sroie_dir: Path, turn: int) -> None:
    # given: a real receipt photo (total 14.10 in its key), as scanned or turned 180 degrees;
    # turned, the classifier is sure of 25 of its 45 lines only
    image = Image.open(sroie_dir / "img" / "010.jpg").convert("RGB").rotate(turn, expand=True)
    reference = load_sroie_transcript(sroie_dir / "box" / "010.csv")
    upright_before, classified_before = _rapidocr_counts()

    # when
    page = recognise_image(image, engine="rapidocr")

    # then: the upright photo takes the fast path, the turned one the classifier; both read
    # within the upright bar of test_rapidocr_on_a_real_sroie_receipt (1.4% and 1.2% measured;
    # turned was 27.4% when only the lines the classifier was sure of were turned), rows in
    # reading order, amounts and words that came out upside down ("OO0 O") read right
    upright = turn == 0
    assert _rapidocr_counts() == (upright_before + upright, classified_before + (not upright))
    assert character_error_rate(reference, page.text) < 0.08
    rows = [line.text.upper() for line in page.lines]
    assert "TOTAL RM 14.10" in rows
    assert "CASH RM 20.00" in rows
    assert "CHANGE RM 5.90" in rows
    text = page.text.upper()
    assert "CYBER MIX COLOR PAPER" in text
    assert "JLN MEWAH" in text
    assert 0 <= text.find("SAM SAM TRADING") < text.find("THANK YOU FOR SHOPPING")
