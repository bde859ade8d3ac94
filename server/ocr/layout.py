"""Rebuild text lines (rows) from loose word or text-run boxes.

RapidOCR and a PDF text layer both give boxes without a notion of line: on a receipt the label
``TOTAL`` and the amount ``12.50`` are separate boxes far apart on the same row. Domain parsers
want rows, so boxes are clustered by vertical overlap, then read left to right.

Two boxes share a row when their vertical extents overlap by at least half of the smaller
height, compared against the row's *average* band (not the union, which would let a slightly
skewed receipt chain every row into one). A box that overlaps a member of the row horizontally
starts another row instead: two things cannot sit side by side in the same place.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from server.ocr.types import Box, OcrLine, OcrWord

# Minimum vertical overlap, as a fraction of the smaller height, to share a row.
ROW_OVERLAP = 0.5
# Rows are searched among the most recent ones only: items arrive sorted by vertical centre.
_ROW_LOOKBACK = 8


@dataclass(slots=True)
class Run:
    """A box of text from an engine (one word or several), with its words if known."""

    text: str
    box: Box
    confidence: float
    words: list[OcrWord] = field(default_factory=list)


@dataclass(slots=True)
class _Row:
    runs: list[Run]
    top: float
    bottom: float

    def add(self, run: Run) -> None:
        self.runs.append(run)
        count = len(self.runs)
        self.top += (run.box[1] - self.top) / count
        self.bottom += (run.box[3] - self.bottom) / count


def union_box(boxes: Iterable[Box]) -> Box:
    """Smallest box containing all the given boxes."""
    x0s, y0s, x1s, y1s = zip(*boxes, strict=True)
    return (min(x0s), min(y0s), max(x1s), max(y1s))


def split_run(text: str, box: Box, confidence: float) -> list[OcrWord]:
    """Split a multi-word run into words, sharing its width in proportion to character counts.

    An estimate for engines that only box whole runs; exact enough to crop an amount.
    """
    tokens = text.split()
    if len(tokens) <= 1:
        return [OcrWord(text.strip(), box, confidence)] if tokens else []
    x0, y0, x1, y1 = box
    per_char = (x1 - x0) / max(len(text), 1)
    words: list[OcrWord] = []
    cursor = 0
    for token in tokens:
        start = text.index(token, cursor)
        cursor = start + len(token)
        wx0 = x0 + round(start * per_char)
        wx1 = max(wx0 + 1, x0 + round(cursor * per_char))
        words.append(OcrWord(token, (wx0, y0, min(wx1, x1), y1), confidence))
    return words


def _vertical_overlap(run: Run, row: _Row) -> float:
    top, bottom = run.box[1], run.box[3]
    overlap = min(bottom, row.bottom) - max(top, row.top)
    smaller = min(bottom - top, row.bottom - row.top)
    return overlap / smaller if smaller > 0 else 0.0


def _collides(run: Run, row: _Row) -> bool:
    """True when the run overlaps a row member horizontally by more than a sliver."""
    x0, x1 = run.box[0], run.box[2]
    for other in row.runs:
        overlap = min(x1, other.box[2]) - max(x0, other.box[0])
        if overlap > 0.3 * min(x1 - x0, other.box[2] - other.box[0]):
            return True
    return False


def group_rows(runs: Sequence[Run]) -> list[list[Run]]:
    """Cluster runs into rows, top to bottom, each row left to right."""
    rows: list[_Row] = []
    for run in sorted(runs, key=lambda r: ((r.box[1] + r.box[3]) / 2, r.box[0])):
        best: _Row | None = None
        best_overlap = ROW_OVERLAP
        for row in rows[-_ROW_LOOKBACK:]:
            overlap = _vertical_overlap(run, row)
            if overlap >= best_overlap and not _collides(run, row):
                best, best_overlap = row, overlap
        if best is None:
            rows.append(_Row([run], float(run.box[1]), float(run.box[3])))
        else:
            best.add(run)
    rows.sort(key=lambda row: (row.top + row.bottom) / 2)
    return [sorted(row.runs, key=lambda r: r.box[0]) for row in rows]


def build_lines(runs: Sequence[Run]) -> list[OcrLine]:
    """Rows of runs as OcrLines: runs joined with one space, words kept separate.

    The line confidence is the mean of its runs weighted by their length, so one unsure
    character does not weigh as much as a whole unsure word.
    """
    lines: list[OcrLine] = []
    for row in group_rows([run for run in runs if run.text.strip()]):
        text = " ".join(run.text.strip() for run in row)
        weights = [max(len(run.text.strip()), 1) for run in row]
        confidence = sum(r.confidence * w for r, w in zip(row, weights, strict=True)) / sum(weights)
        words = [
            word
            for run in row
            for word in (run.words or split_run(run.text, run.box, run.confidence))
        ]
        lines.append(
            OcrLine(
                text=text,
                box=union_box(run.box for run in row),
                confidence=confidence,
                words=words,
            )
        )
    return lines
