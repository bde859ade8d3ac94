"""Printed lines (rows) rebuilt from loose text runs: the one grouping every document uses.

RapidOCR and a PDF text layer give boxes without a notion of line: on a receipt the label
``TOTAL`` and the amount ``12.50`` are separate runs far apart on the same row. Documents are
read row by row, so runs are clustered by vertical overlap, then read left to right.

A run joins the row whose run nearest to it in x overlaps it vertically by at least half of
the shorter height: comparing with the nearest run, not the row's union (which would let a
slightly skewed receipt chain every row into one) nor its average band (which splits a sloping
column header), follows a skewed line across the page. A run that overlaps a member of the row
horizontally starts another row instead: two things cannot sit side by side in the same place.
Grouping is idempotent: lines that are already whole rows stay as they are, so an engine's lines
can be grouped again by a domain pipeline.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from server.documents.boxes import horizontal_overlap, union_box, vertical_overlap
from server.documents.text import fold
from server.documents.types import Box, OcrLine, OcrResult, OcrWord

# Two runs share a row when their vertical overlap covers at least this share of the shorter
# one: enough to absorb a slight skew, not enough to merge consecutive printed lines.
ROW_OVERLAP = 0.5
# Runs overlapping a row member horizontally by more than this share are stacked, not beside it.
COLLISION = 0.3
# Only the most recent rows can still receive a run (runs arrive sorted by vertical centre):
# looking back a few rows bounds the cost.
ROW_LOOKBACK = 4


class Boxed(Protocol):
    @property
    def box(self) -> Box: ...


T = TypeVar("T", bound=Boxed)


def _x_centre(box: Box) -> float:
    return (box[0] + box[2]) / 2


def _y_centre(box: Box) -> float:
    return (box[1] + box[3]) / 2


def _fit(row: list[T], box: Box) -> float:
    """How well a run continues ``row``: vertical overlap with its nearest run in x, 0 if none.

    The nearest run rather than the whole row, so that a slightly skewed scan still chains
    runs across the page (a column header sloping by half a line stays one row).
    """
    if any(horizontal_overlap(other.box, box) > COLLISION for other in row):
        return 0.0
    nearest = min(row, key=lambda other: abs(_x_centre(other.box) - _x_centre(box)))
    return vertical_overlap(nearest.box, box)


def group_rows(items: Sequence[T]) -> list[list[T]]:
    """Cluster boxed items into rows, top to bottom, each row left to right."""
    rows: list[list[T]] = []
    for item in sorted(items, key=lambda i: _y_centre(i.box)):
        best, best_fit = None, ROW_OVERLAP
        for row in rows[-ROW_LOOKBACK:]:
            fit = _fit(row, item.box)
            if fit >= best_fit:
                best, best_fit = row, fit
        if best is None:
            rows.append([item])
        else:
            best.append(item)
    for row in rows:
        row.sort(key=lambda i: i.box[0])
    rows.sort(key=lambda row: statistics.median(_y_centre(i.box) for i in row))
    return rows


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


def weighted_confidence(runs: Sequence[OcrLine]) -> float:
    """Mean confidence weighted by text length: one unsure character weighs less than a word."""
    weights = [max(len(run.text.strip()), 1) for run in runs]
    total = sum(weights)
    if not total:
        return 0.0
    return sum(r.confidence * w for r, w in zip(runs, weights, strict=True)) / total


def build_lines(runs: Sequence[OcrLine]) -> list[OcrLine]:
    """Rows of runs as lines: runs joined with one space, words kept (or estimated) per run."""
    lines: list[OcrLine] = []
    for row in group_rows([run for run in runs if run.text.strip()]):
        words = [
            word
            for run in row
            for word in (run.words or split_run(run.text, run.box, run.confidence))
        ]
        lines.append(
            OcrLine(
                text=" ".join(run.text.strip() for run in row),
                box=union_box(run.box for run in row),
                confidence=weighted_confidence(row),
                words=words,
            )
        )
    return lines


@dataclass(slots=True)
class Row:
    """A printed line of a document: its runs left to right, and its position in the document."""

    index: int
    runs: list[OcrLine] = field(default_factory=list)
    text: str = field(init=False)
    folded: str = field(init=False)
    box: Box = field(init=False)
    confidence: float = field(init=False)

    def __post_init__(self) -> None:
        # Computed once: rules read these many times per row.
        self.text = " ".join(run.text.strip() for run in self.runs if run.text.strip())
        self.folded = fold(self.text)  # the form rules match against
        self.box = union_box(run.box for run in self.runs)
        self.confidence = weighted_confidence(self.runs)

    @property
    def height(self) -> int:
        return self.box[3] - self.box[1]


def build_rows(ocr: OcrResult) -> list[Row]:
    """All rows of all pages, in reading order, numbered from 0."""
    rows: list[Row] = []
    for page in ocr.pages:
        for group in group_rows([line for line in page.lines if line.text.strip()]):
            runs = [OcrLine(ln.text.strip(), ln.box, ln.confidence, ln.words) for ln in group]
            rows.append(Row(index=len(rows), runs=runs))
    return rows
