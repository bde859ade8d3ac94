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

A photographed receipt is rarely square to the camera: tilted by a few degrees, the right end of
a printed line sits a whole line lower (or higher) than its left end, and an amount far right of
its label overlaps the next (or previous) line's label more than its own. So the page's slope is
measured first, from the words of each run (the words of one run lie on one printed line: their
centres follow its baseline), as the median over the runs long enough to show it, and runs are
grouped in sheared coordinates where those lines are level again (``y - slope * x``, their
heights less what the tilt added to their boxes). Under :data:`SKEW_MIN_DEGREES` the slope is
taken as 0 and boxes are used as they are: upright scans and text layers are grouped as before.
"""

from __future__ import annotations

import math
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
# A page slope below this is scanning noise: boxes are then grouped exactly as they are.
SKEW_MIN_DEGREES = 0.5
# A run shows its line's slope when its first and last words' centres lie at least this many
# word heights apart: closer, a pixel of box noise is already a degree.
SLOPE_MIN_SPAN = 4.0
# The page slope is the median of at least this many runs' slopes (fewer: too little to go by).
SLOPE_MIN_RUNS = 3


class Boxed(Protocol):
    @property
    def box(self) -> Box: ...


T = TypeVar("T", bound=Boxed)


def _x_centre(box: Box) -> float:
    return (box[0] + box[2]) / 2


def _y_centre(box: Box) -> float:
    return (box[1] + box[3]) / 2


def _fit(row: list[Box], box: Box) -> float:
    """How well a run continues ``row``: vertical overlap with its nearest run in x, 0 if none.

    The nearest run rather than the whole row, so that a slightly skewed scan still chains
    runs across the page (a column header sloping by half a line stays one row).
    """
    if any(horizontal_overlap(other, box) > COLLISION for other in row):
        return 0.0
    nearest = min(row, key=lambda other: abs(_x_centre(other) - _x_centre(box)))
    return vertical_overlap(nearest, box)


def _run_slope(item: object) -> float | None:
    """The slope (dy/dx) of the printed line a run's words lie on, None when they cannot tell.

    Least squares through the words' centres, for runs whose words span enough width.
    """
    words: Sequence[OcrWord] = getattr(item, "words", None) or ()
    if len(words) < 2:
        return None
    xs = [_x_centre(w.box) for w in words]
    ys = [_y_centre(w.box) for w in words]
    height = statistics.median(w.box[3] - w.box[1] for w in words)
    if max(xs) - min(xs) < SLOPE_MIN_SPAN * max(height, 1):
        return None
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread


def page_slope(items: Sequence[object]) -> float:
    """The page's tilt as dy/dx (positive: lines go down to the right), 0 when upright or unknown.

    The median of the runs' own slopes, so a few misread words or a stamp at an angle do not
    tilt the page; 0 under :data:`SKEW_MIN_DEGREES` or with fewer than :data:`SLOPE_MIN_RUNS`
    runs showing a slope.
    """
    slopes = [s for s in map(_run_slope, items) if s is not None]
    if len(slopes) < SLOPE_MIN_RUNS:
        return 0.0
    slope = statistics.median(slopes)
    if abs(math.degrees(math.atan(slope))) < SKEW_MIN_DEGREES:
        return 0.0
    return slope


def _levelled(box: Box, slope: float) -> Box:
    """``box`` in coordinates where lines of this slope are level: the centre sheared up by
    ``slope * x``, the height less the rise the tilt adds across the box's width."""
    if not slope:
        return box
    x0, y0, x1, y1 = box
    rise = abs(slope) * (x1 - x0)
    height = max((y1 - y0) - rise, (y1 - y0) / 4, 1.0)
    centre = (y0 + y1) / 2 - slope * (x0 + x1) / 2
    return (x0, round(centre - height / 2), x1, round(centre + height / 2))


def group_rows(items: Sequence[T]) -> list[list[T]]:
    """Cluster boxed items into rows, top to bottom, each row left to right.

    On a tilted page (:func:`page_slope`) rows are found, and ordered, in levelled coordinates.
    """
    slope = page_slope(items)
    boxes = [_levelled(item.box, slope) for item in items]
    rows: list[list[int]] = []
    for i in sorted(range(len(items)), key=lambda i: _y_centre(boxes[i])):
        best, best_fit = None, ROW_OVERLAP
        for row in rows[-ROW_LOOKBACK:]:
            fit = _fit([boxes[j] for j in row], boxes[i])
            if fit >= best_fit:
                best, best_fit = row, fit
        if best is None:
            rows.append([i])
        else:
            best.append(i)
    for row in rows:
        row.sort(key=lambda i: items[i].box[0])
    rows.sort(key=lambda row: statistics.median(_y_centre(boxes[i]) for i in row))
    return [[items[i] for i in row] for row in rows]


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
