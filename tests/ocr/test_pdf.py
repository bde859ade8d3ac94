"""PDFs: the text layer when there is one, OCR of the raster when there is not."""

from __future__ import annotations

import io
import time

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image

from server.ocr import OcrError, PdfError, recognise_document
from server.ocr.pdf import DEFAULT_DPI, iter_pages
from tests.ocr.conftest import dataset, digital_pdf, encrypted_pdf, render_rows

LINES = [(50.0, 700.0, "CRÈMERIE DU MARCHÉ"), (50.0, 650.0, "TOTAL"), (400.0, 650.0, "12.50 €")]


def _render(data: bytes) -> Image.Image:
    document = pdfium.PdfDocument(data)
    try:
        page = document[0]
        # pypdfium2 annotates `scale` as int, but documents and takes any float
        bitmap = page.render(scale=DEFAULT_DPI / 72, rev_byteorder=True)  # pyright: ignore[reportArgumentType]
        image = bitmap.to_pil().convert("L")
        page.close()
        return image
    finally:
        document.close()


def _ink(image: Image.Image, box: tuple[int, int, int, int]) -> float:
    return float((np.asarray(image.crop(box)) < 128).mean())


def test_digital_pdf_uses_the_text_layer() -> None:
    # given: a generated PDF with real text objects
    data = digital_pdf(LINES)

    # when
    started = time.perf_counter()
    result = recognise_document(data, content_type="application/pdf")
    elapsed = time.perf_counter() - started

    # then: exact text, confidence 1, boxes in 200 DPI pixels, and no OCR time spent
    page = result.pages[0]
    assert page.source == "text-layer"
    assert (page.width, page.height) == (1653, 2339)  # A4 at 200 DPI
    assert [line.text for line in page.lines] == ["CRÈMERIE DU MARCHÉ", "TOTAL 12.50 €"]
    assert all(line.confidence == 1.0 for line in page.lines)
    total = page.lines[1]
    assert [word.text for word in total.words] == ["TOTAL", "12.50", "€"]
    assert total.words[0].box[0] == pytest.approx(50 * DEFAULT_DPI / 72, abs=3)
    assert total.words[1].box[0] == pytest.approx(400 * DEFAULT_DPI / 72, abs=3)
    assert elapsed < 1.0


@pytest.mark.parametrize("rotation", [0, 90])
def test_text_layer_boxes_cover_the_rendered_glyphs(rotation: int) -> None:
    # given: the same page, displayed upright or rotated by /Rotate
    data = digital_pdf(LINES, rotation=rotation)
    raster = _render(data)

    # when
    page = next(iter_pages(data))

    # then: the page size is the raster's, and every word box holds ink
    assert (page.width, page.height) == raster.size
    assert page.lines is not None
    for line in page.lines:
        for word in line.words:
            assert _ink(raster, word.box) > 0.05, word
    blank_corner = (0, 0, 100, 100)
    assert _ink(raster, blank_corner) == 0.0


def test_real_invoice_pdf_reads_from_the_text_layer() -> None:
    # given: a French software-made invoice from the shared dataset
    data = (dataset("invoices-invoice2data") / "NetpresseInvoice.pdf").read_bytes()

    # when
    result = recognise_document(data, content_type="application/pdf")

    # then
    assert [page.source for page in result.pages] == ["text-layer"]
    assert "Facture n° 2022089083" in result.text
    assert "Date : 28/11/2022" in [line.text for line in result.lines]


@pytest.mark.slow
def test_scanned_pdf_is_rasterised_and_recognised() -> None:
    # given: an image-only PDF (what a scanner produces), at 100 DPI
    scan = render_rows([((40, 40), "TOTAL"), ((400, 40), "12.50")], size=(827, 300))
    buffer = io.BytesIO()
    scan.save(buffer, format="PDF", resolution=100)
    progress: list[tuple[float, str]] = []

    # when
    result = recognise_document(
        buffer.getvalue(),
        content_type="application/pdf",
        on_progress=lambda fraction, stage: progress.append((fraction, stage)),
    )

    # then: rendered at 200 DPI (twice the scan), read by the engine
    page = result.pages[0]
    assert page.source == "rapidocr"
    assert page.width == pytest.approx(1654, abs=1)  # pdfium rounds the raster size up
    assert page.height == pytest.approx(600, abs=1)
    line = next(line for line in page.lines if "TOTAL" in line.text.upper())
    assert "12.50" in line.text
    assert line.box[0] == pytest.approx(80, abs=20)
    assert progress == [(0.0, "started"), (1.0, "page 1/1")]


def test_blank_pdf_is_an_empty_document() -> None:
    # given: a white page with neither text nor drawing
    buffer = io.BytesIO()
    Image.new("RGB", (600, 800), "white").save(buffer, format="PDF")

    # when / then
    with pytest.raises(OcrError) as error:
        recognise_document(buffer.getvalue(), content_type="application/pdf")
    assert error.value.code == "EMPTY_DOCUMENT"


def test_blank_page_among_pages_is_kept_empty() -> None:
    # given: a text page followed by an empty one
    document = pdfium.PdfDocument(digital_pdf(LINES))
    document.new_page(595, 842).close()
    buffer = io.BytesIO()
    document.save(buffer)
    document.close()

    # when
    result = recognise_document(buffer.getvalue(), content_type="application/pdf")

    # then
    assert [page.source for page in result.pages] == ["text-layer", "blank"]
    assert result.pages[1].lines == []


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"%PDF-1.4\nnot really", "UNREADABLE_PDF"),
        (b"", "UNREADABLE_PDF"),
        (encrypted_pdf(), "ENCRYPTED_PDF"),
    ],
    ids=["garbage", "empty", "encrypted"],
)
def test_unusable_pdfs_are_typed_errors(data: bytes, code: str) -> None:
    with pytest.raises(PdfError) as error:
        recognise_document(data, content_type="application/pdf")
    assert error.value.code == code


def test_too_many_pages() -> None:
    with pytest.raises(PdfError) as error:
        recognise_document(digital_pdf(LINES, pages=3), content_type="application/pdf", max_pages=2)
    assert error.value.code == "TOO_MANY_PAGES"
