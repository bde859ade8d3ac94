"""The OCR runners give words with boxes and confidences, in reading order, for both engines."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw, ImageFont

from server.documents.ocr import ENGINES, read_words
from server.documents.types import OcrLine, OcrPage, OcrResult, OcrWord


def _image() -> Image.Image:
    try:
        face = ImageFont.truetype("DejaVuSans.ttf", 40)
    except OSError:
        pytest.skip("DejaVuSans.ttf is not installed (fonts-dejavu-core)")
    image = Image.new("RGB", (700, 200), "white")
    draw = ImageDraw.Draw(image)
    draw.text((30, 30), "MERCI", fill="black", font=face)
    draw.text((30, 120), "TOTAL", fill="black", font=face)
    draw.text((480, 120), "12,50", fill="black", font=face)
    return image


@pytest.mark.slow
@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_words_with_boxes_and_confidences(engine: str) -> None:
    if ENGINES[engine].version() is None:
        pytest.skip(f"{engine} is not installed here")
    # when
    words = read_words(_image(), engine=engine)
    # then: rows top to bottom, left to right; each box inside the image and around its text
    assert [w.text for w in words] == ["MERCI", "TOTAL", "12,50"]
    merci, total, amount = (w.box for w in words)
    assert merci[3] < total[1] and total[2] < amount[0]
    assert 20 <= amount[0] <= 490 and amount[2] <= 700 and amount[3] <= 200
    assert all(0.5 < w.confidence <= 1.0 for w in words)


def test_words_of_a_result_already_read() -> None:
    word = OcrWord("TOTAL", (0, 0, 10, 10), 0.9)

    page = OcrPage(0, 10, 10, [OcrLine("TOTAL", (0, 0, 10, 10), 0.9, [word])], "x")
    assert read_words(OcrResult("x", [page, OcrPage(1, 10, 10, [], "blank")])) == [word]
    assert read_words(page) == [word]
