"""Decide a file's type by its content (magic bytes and trailer), never by its name or header.

The trailer check catches truncated uploads cheaply, without decoding: a JPEG must end with its
EOI marker, a PNG with its IEND chunk, a PDF with `%%EOF` near the end.
"""

from __future__ import annotations

JPEG, PNG, WEBP, TIFF, PDF = (
    "image/jpeg",
    "image/png",
    "image/webp",
    "image/tiff",
    "application/pdf",
)
IMAGE_TYPES = frozenset({JPEG, PNG, WEBP, TIFF})
ALL_TYPES = IMAGE_TYPES | {PDF}
EXTENSIONS = {JPEG: "jpg", PNG: "png", WEBP: "webp", TIFF: "tiff", PDF: "pdf"}


def sniff(head: bytes) -> str | None:
    """The content type that the first bytes announce, or None for anything unsupported."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return TIFF
    if head.lstrip(b"\xef\xbb\xbf\r\n\t ")[:5] == b"%PDF-":
        return PDF
    return None


def trailer_ok(content_type: str, tail: bytes) -> bool:
    """Whether the last bytes of the file look complete for its type."""
    stripped = tail.rstrip(b"\x00\r\n\t ")
    if content_type == JPEG:
        return stripped.endswith(b"\xff\xd9")
    if content_type == PNG:
        return stripped.endswith(b"IEND\xaeB`\x82")
    if content_type == PDF:
        return b"%%EOF" in tail[-2048:]
    return True  # WebP and TIFF carry their sizes in headers; the decoder checks them
