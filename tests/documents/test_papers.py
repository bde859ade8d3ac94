"""Finding the paper sheets in a photo (`server.documents.papers`): two receipts side by side on
a table are two papers, cropped in reading order; every single receipt stays one, a scan whose
paper fills the frame and a receipt cut across by a dark shadow included."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from server.documents.papers import crop_paper, decode_image, find_papers, split_papers
from tests.conftest import shared_dataset

FRENCH = Path(__file__).resolve().parents[1] / "data" / "receipts-fr"
MULTI = sorted((FRENCH / "multi" / "img").glob("*.jpg"))


def _image(path: Path) -> np.ndarray:
    image = decode_image(path.read_bytes())
    assert image is not None
    return image


@pytest.mark.parametrize("path", MULTI, ids=[p.stem for p in MULTI])
def test_a_photo_of_two_receipts_gives_two_papers_left_first(path: Path) -> None:
    image = _image(path)
    found = find_papers(image)
    assert found.split
    assert [p.index for p in found.papers] == [0, 1]
    left, right = (np.array(p.corners) for p in found.papers)
    assert left[:, 0].max() < right[:, 0].min()  # side by side, not overlapping
    for paper in found.papers:
        crop = crop_paper(image, paper)
        height, width = crop.shape[:2]
        # each paper is a good part of the photo, and the crop is mostly paper (bright)
        assert 0.15 < height * width / (image.shape[0] * image.shape[1]) < 0.5
        assert float(np.median(cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY))) > 180


@pytest.mark.slow
def test_the_crops_hold_each_receipts_merchant() -> None:
    # OCR of the six crops (about 20 s): each paper's text has its own receipt's merchant only.
    from server.ocr import recognise_document

    for path in MULTI:
        keys = json.loads((FRENCH / "multi" / "key" / f"{path.stem}.json").read_text())["receipts"]
        crops = split_papers(path.read_bytes())
        assert len(crops) == len(keys) == 2
        for crop, key, other in zip(crops, keys, reversed(keys), strict=True):
            text = recognise_document(crop.jpeg, content_type="image/jpeg", engine="rapidocr").text
            words = " ".join(text.upper().split())
            assert key["company"].split()[-1] in words, (path.stem, words)
            assert other["company"] not in words


def test_every_single_french_receipt_is_one_paper() -> None:
    # at full resolution, and as the job looks (a reduced decoding)
    paths = sorted((FRENCH / "img").glob("*.jpg"))
    assert len(paths) == 16
    assert [len(find_papers(_image(p)).papers) for p in paths] == [1] * 16
    assert [split_papers(p.read_bytes()) for p in paths] == [[]] * 16


def test_every_sroie_scan_is_one_paper() -> None:
    # white paper filling the frame (scans): never split
    paths = sorted((shared_dataset("receipts-sroie") / "img").glob("*.jpg"))
    assert len(paths) >= 60
    assert {p.stem: len(split_papers(p.read_bytes())) for p in paths} == {p.stem: 0 for p in paths}


@pytest.mark.parametrize("band", [6, 12, 25])
def test_a_receipt_cut_by_a_dark_band_stays_one(band: int) -> None:
    # A fold's shadow across (or along) a receipt splits its bright area in two pieces that
    # share their edges: never two papers.
    for name in ("001", "004", "010"):
        image = _image(FRENCH / "img" / f"{name}.jpg")
        height, width = image.shape[:2]
        across, along = image.copy(), image.copy()
        across[height // 2 - band // 2 : height // 2 + band // 2, :] = 30
        along[:, width // 2 - band // 2 : width // 2 + band // 2] = 30
        assert len(find_papers(across).papers) == 1
        assert len(find_papers(along).papers) == 1


def test_what_is_not_an_image_is_not_split() -> None:
    assert split_papers(b"%PDF-1.4 not an image") == []
    blank = np.full((300, 200, 3), 255, np.uint8)
    assert not find_papers(blank).split


def _sheet(height: int, width: int) -> np.ndarray:
    sheet = np.full((height, width, 3), 235, np.uint8)
    for y in range(30, height - 30, 24):  # printed rows
        cv2.putText(sheet, "TOTAL 12,40 EUR", (20, y), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (20,) * 3)
    return sheet


def test_papers_come_in_reading_order_rows_then_left_to_right() -> None:
    # given: four sheets of different sizes on a dark table, two rows of two
    table = np.full((1000, 900, 3), 40, np.uint8)
    placed = {"top left": (40, 60, 380, 300), "top right": (80, 500, 300, 340)}
    placed |= {"bottom left": (520, 40, 430, 280), "bottom right": (560, 470, 400, 380)}
    for top, left, height, width in placed.values():
        table[top : top + height, left : left + width] = _sheet(height, width)
    # when
    found = find_papers(table)
    # then: each sheet found, in reading order, its corners where it was put
    assert len(found.papers) == 4
    for paper, (top, left, height, width) in zip(found.papers, placed.values(), strict=True):
        xs, ys = [x for x, _ in paper.corners], [y for _, y in paper.corners]
        assert abs(min(xs) - left) < 8 and abs(max(xs) - (left + width)) < 8
        assert abs(min(ys) - top) < 8 and abs(max(ys) - (top + height)) < 8
