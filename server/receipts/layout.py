"""Rows of a receipt rebuilt from OCR text runs.

Engines return text in runs: RapidOCR gives one box per run, so a label ("TOTAL") and its amount
("RM 14.10") often come back as two lines at the same height. Receipts are read row by row, so
every rule works on :class:`Row` objects: the runs whose boxes share a horizontal band, ordered
left to right. Grouping is idempotent: lines that are already whole rows stay as they are.
"""

from __future__ import annotations

import statistics
import unicodedata
from dataclasses import dataclass, field

from server.ocr.types import Box, OcrLine, OcrResult

# Two runs belong to the same row when their vertical overlap covers at least this share of the
# shorter one: enough to absorb a slight skew, not enough to merge consecutive printed lines.
ROW_OVERLAP = 0.5


@dataclass(slots=True)
class Cell:
    """One OCR text run inside a row."""

    text: str
    box: Box
    confidence: float


@dataclass(slots=True)
class Row:
    """A printed line of the receipt: its runs, left to right."""

    index: int
    cells: list[Cell] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(cell.text.strip() for cell in self.cells if cell.text.strip())

    @property
    def folded(self) -> str:
        """Upper case without accents, whitespace collapsed: the form rules match against."""
        return fold(self.text)

    @property
    def box(self) -> Box:
        return union_box([cell.box for cell in self.cells])

    @property
    def confidence(self) -> float:
        """Character-weighted mean confidence of the runs (long runs say more)."""
        weights = [max(len(cell.text), 1) for cell in self.cells]
        total = sum(weights)
        if not total:
            return 0.0
        return sum(c.confidence * w for c, w in zip(self.cells, weights, strict=True)) / total

    @property
    def height(self) -> int:
        return self.box[3] - self.box[1]


def strip_accents(text: str) -> str:
    """CRÈMERIE -> CREMERIE, keeping case and every other character (€, £ stay)."""
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped)


def fold(text: str) -> str:
    """Upper-case, strip accents (CRÈMERIE -> CREMERIE) and collapse whitespace."""
    stripped = strip_accents(unicodedata.normalize("NFKC", text))
    return " ".join(stripped.upper().split())


def union_box(boxes: list[Box]) -> Box:
    if not boxes:
        return (0, 0, 0, 0)
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def _vertical_overlap(a: Box, b: Box) -> float:
    """Overlap of two boxes' y-spans as a share of the shorter span."""
    top, bottom = max(a[1], b[1]), min(a[3], b[3])
    shorter = max(min(a[3] - a[1], b[3] - b[1]), 1)
    return max(bottom - top, 0) / shorter


def _horizontal_overlap(a: Box, b: Box) -> float:
    left, right = max(a[0], b[0]), min(a[2], b[2])
    narrower = max(min(a[2] - a[0], b[2] - b[0]), 1)
    return max(right - left, 0) / narrower


def _fits(row: list[OcrLine], line: OcrLine) -> float:
    """How well ``line`` continues ``row``: overlap with its nearest run, 0 when it cannot.

    The nearest run in x is used rather than the whole row so that a slightly skewed scan
    still chains runs across the page; runs that overlap horizontally are stacked lines, never
    the same row.
    """
    if any(_horizontal_overlap(other.box, line.box) > 0.3 for other in row):
        return 0.0
    nearest = min(row, key=lambda other: abs(_x_centre(other.box) - _x_centre(line.box)))
    return _vertical_overlap(nearest.box, line.box)


def _x_centre(box: Box) -> float:
    return (box[0] + box[2]) / 2


def _y_centre(box: Box) -> float:
    return (box[1] + box[3]) / 2


def group_rows(lines: list[OcrLine]) -> list[list[OcrLine]]:
    """Group text runs into rows by vertical overlap, top to bottom, each row left to right."""
    rows: list[list[OcrLine]] = []
    for line in sorted((ln for ln in lines if ln.text.strip()), key=lambda ln: _y_centre(ln.box)):
        # Only recent rows can still receive a run; looking back a few rows bounds the cost.
        best, best_fit = None, ROW_OVERLAP
        for row in rows[-4:]:
            fit = _fits(row, line)
            if fit >= best_fit:
                best, best_fit = row, fit
        if best is None:
            rows.append([line])
        else:
            best.append(line)
    for row in rows:
        row.sort(key=lambda ln: ln.box[0])
    rows.sort(key=lambda row: statistics.median(_y_centre(ln.box) for ln in row))
    return rows


def build_rows(ocr: OcrResult) -> list[Row]:
    """All rows of all pages, in reading order."""
    rows: list[Row] = []
    for page in ocr.pages:
        for group in group_rows(page.lines):
            cells = [Cell(ln.text.strip(), ln.box, ln.confidence) for ln in group]
            rows.append(Row(index=len(rows), cells=cells))
    return rows
