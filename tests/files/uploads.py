"""Helpers to send GraphQL multipart uploads and to make real and hostile files."""

from __future__ import annotations

import io
import json
import zlib
from typing import Any

import httpx
from PIL import Image, ImageDraw, ImageFont

PREFLIGHT = {"graphql-preflight": "1"}


async def upload(
    http: httpx.AsyncClient,
    query: str,
    files: dict[str, tuple[str, bytes, str]],
    variables: dict[str, Any],
    *,
    token: str | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """POST per the GraphQL multipart request spec; `files` maps a variable path to a file."""
    mapping = {str(i): [path] for i, path in enumerate(files)}
    parts = {str(i): files[path] for i, path in enumerate(files)}
    all_headers = {**PREFLIGHT, **(headers or {})}
    if token:
        all_headers["Authorization"] = f"Bearer {token}"
    return await http.post(
        "/graphql",
        data={
            "operations": json.dumps({"query": query, "variables": variables}),
            "map": json.dumps(mapping),
        },
        files=parts,
        headers=all_headers,
    )


def text_image(lines: list[str], *, size: tuple[int, int] = (900, 420), fmt: str = "PNG") -> bytes:
    """A clean document image with known text, rendered with a scalable font."""
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=40)
    for i, line in enumerate(lines):
        draw.text((40, 40 + i * 70), line, fill="black", font=font)
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


def png_bomb(width: int = 30000, height: int = 30000) -> bytes:
    """A tiny PNG that declares 900 megapixels: IHDR says so, the IDAT is a compressed zero run."""
    import struct

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(200)) + compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def pdf_with_text(text: str) -> bytes:
    """A one-page digital PDF with a real text layer (hand-written, no extra dependency)."""
    stream = f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()


def blank_pdf() -> bytes:
    """A PDF page with neither text nor image content."""
    return pdf_with_text("").replace(b"BT /F1 24 Tf 72 720 Td () Tj ET", b"")
