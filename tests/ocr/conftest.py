"""Builders for OCR test inputs: rendered text images, crafted PNG bombs, PDFs made with pdfium.

Everything is generated in memory except the SROIE receipts, read from the shared dataset
folder next to the repo (tests skip, saying so, when it is absent).
"""

from __future__ import annotations

import ctypes
import io
import struct
import zlib
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from PIL import Image, ImageDraw, ImageFont

REPO_ROOT = Path(__file__).resolve().parents[2]
DATASETS = REPO_ROOT.parent / "shared" / "datasets"
FONT_PATH = "DejaVuSans.ttf"

# A small French receipt: accents, the euro sign, and an amount far from its label.
RECEIPT_ROWS: list[tuple[tuple[int, int], str]] = [
    ((40, 30), "CRÈMERIE DU MARCHÉ"),
    ((40, 110), "Comté affiné"),
    ((560, 110), "8,40 €"),
    ((40, 190), "TOTAL"),
    ((560, 190), "12.50 €"),
]


def dataset(name: str) -> Path:
    """A folder of ``<repo>/../shared/datasets``, or a skip that says it is absent."""
    path = DATASETS / name
    if not path.is_dir():
        pytest.skip(f"dataset {name!r} not found at <repo>/../shared/datasets: skipped")
    return path


def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.truetype(FONT_PATH, size)
    except OSError:
        pytest.skip("DejaVuSans.ttf is not installed (fonts-dejavu-core): cannot render text")


def render_rows(
    rows: list[tuple[tuple[int, int], str]], size: tuple[int, int] = (800, 270), points: int = 40
) -> Image.Image:
    """Black text on white at the given positions."""
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    face = font(points)
    for position, text in rows:
        draw.text(position, text, fill="black", font=face)
    return image


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def png_bomb(width: int, height: int) -> bytes:
    """A valid 1-bit PNG of the given size, all black, compressed to a tiny file.

    Built by hand (zeros streamed through zlib) so making it never allocates the image.
    """

    def chunk(kind: bytes, payload: bytes) -> bytes:
        body = kind + payload
        return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))

    row = bytes(1 + (width + 7) // 8)  # filter byte 0 + packed bits
    compressor = zlib.compressobj(9)
    rows_per_block = max(1, 4_000_000 // len(row))
    block = row * rows_per_block
    parts = []
    remaining = height
    while remaining:
        count = min(rows_per_block, remaining)
        parts.append(compressor.compress(block if count == rows_per_block else row * count))
        remaining -= count
    parts.append(compressor.flush())
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", b"".join(parts))
        + chunk(b"IEND", b"")
    )


def digital_pdf(
    lines: list[tuple[float, float, str]],
    *,
    size: tuple[float, float] = (595, 842),
    rotation: int = 0,
    pages: int = 1,
) -> bytes:
    """A PDF with a real text layer (Helvetica), text placed at (x, y) points from bottom-left."""
    document = pdfium.PdfDocument.new()
    try:
        for _ in range(pages):
            page = document.new_page(*size)
            for x, y, text in lines:
                obj = pdfium_c.FPDFPageObj_NewTextObj(document, b"Helvetica", ctypes.c_float(14))
                wide = ctypes.create_string_buffer((text + "\0").encode("utf-16-le"))
                pdfium_c.FPDFText_SetText(obj, ctypes.cast(wide, ctypes.POINTER(ctypes.c_ushort)))
                pdfium_c.FPDFPageObj_Transform(obj, 1, 0, 0, 1, x, y)
                pdfium_c.FPDFPage_InsertObject(page, obj)
            assert pdfium_c.FPDFPage_GenerateContent(page)
            if rotation:
                page.set_rotation(rotation)
            page.close()
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()
    finally:
        document.close()


def encrypted_pdf() -> bytes:
    """A PDF whose Standard security handler rejects the empty password (arbitrary O/U keys)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
        b"<< /Filter /Standard /V 1 /R 2 /P -4 /O <"
        + b"11" * 32
        + b"> /U <"
        + b"22" * 32
        + b"> >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R /Encrypt 4 0 R /ID [<%s> <%s>] >>\n"
        % (len(objects) + 1, b"ab" * 16, b"ab" * 16)
    )
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


@pytest.fixture(scope="session")
def receipt_image() -> Image.Image:
    return render_rows(RECEIPT_ROWS)


@pytest.fixture(scope="session")
def sroie_dir() -> Path:
    return dataset("receipts-sroie")
