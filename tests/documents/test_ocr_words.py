"""`read_words` OCRs an image itself (the fast suite's case of tests/documents/test_ocr.py, on
the cheaper engine: tesseract on a small image)."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw, ImageFont

from server.documents.ocr import ENGINES, read_words


def test_read_words_reads_an_image_with_tesseract() -> None:
    if ENGINES["tesseract"].version() is None:
        pytest.skip("tesseract is not installed here")
    try:
        face = ImageFont.truetype("DejaVuSans.ttf", 40)
    except OSError:
        pytest.skip("DejaVuSans.ttf is not installed (fonts-dejavu-core)")
    image = Image.new("RGB", (400, 100), "white")
    ImageDraw.Draw(image).text((30, 25), "TOTAL", fill="black", font=face)
    # when
    words = read_words(image, engine="tesseract")
    # then
    assert [w.text for w in words] == ["TOTAL"]
    assert 20 <= words[0].box[0] < words[0].box[2] <= 400
