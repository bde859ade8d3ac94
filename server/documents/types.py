"""Plain result types shared by every recogniser and every document pipeline.

Boxes are axis-aligned pixel rectangles ``(x0, y0, x1, y1)`` in the page image's own
coordinates (for a PDF text layer: points scaled to the rasterisation DPI the page would have).
Confidences are fractions in [0, 1] so engines can be compared.

There is one word type and one line type: an engine's text run (RapidOCR boxes runs, not
lines), a rebuilt line and a PDF text run are all :class:`OcrLine`. ``Word`` and ``Line`` are
the short names. Nothing here imports the rest of the server (``server.ocr`` builds on it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

Box = tuple[int, int, int, int]


@dataclass(slots=True)
class OcrWord:
    text: str
    box: Box
    confidence: float


@dataclass(slots=True)
class OcrLine:
    """A run of text on one line: a whole printed line, or a part of it (an engine's run)."""

    text: str
    box: Box
    confidence: float
    words: list[OcrWord] = field(default_factory=list)


Word = OcrWord
Line = OcrLine


@dataclass(slots=True)
class OcrPage:
    index: int
    width: int
    height: int
    lines: list[OcrLine]
    # engine name ("rapidocr", "tesseract"), "text-layer" for digital PDF pages, or "blank" for
    # pages with nothing on them (not OCRed)
    source: str

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    @property
    def mean_confidence(self) -> float:
        if not self.lines:
            return 0.0
        return sum(line.confidence for line in self.lines) / len(self.lines)

    @property
    def words(self) -> list[OcrWord]:
        return [word for line in self.lines for word in line.words]


@dataclass(slots=True)
class OcrResult:
    engine: str
    pages: list[OcrPage]

    @property
    def text(self) -> str:
        return "\n\n".join(page.text for page in self.pages)

    @property
    def lines(self) -> list[OcrLine]:
        return [line for page in self.pages for line in page.lines]

    @property
    def words(self) -> list[OcrWord]:
        return [word for page in self.pages for word in page.words]
