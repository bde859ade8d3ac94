"""Box arithmetic: the one union, and the overlaps row grouping is decided by."""

from __future__ import annotations

from collections.abc import Iterable

from server.documents.types import Box

EMPTY_BOX: Box = (0, 0, 0, 0)


def union_box(boxes: Iterable[Box]) -> Box:
    """Smallest box containing all the given boxes; ``(0, 0, 0, 0)`` for none."""
    boxes = list(boxes)
    if not boxes:
        return EMPTY_BOX
    x0s, y0s, x1s, y1s = zip(*boxes, strict=True)
    return (min(x0s), min(y0s), max(x1s), max(y1s))


def vertical_overlap(a: Box, b: Box) -> float:
    """Overlap of the two boxes' y-spans as a share of the shorter span (0 when apart)."""
    shorter = min(a[3] - a[1], b[3] - b[1])
    if shorter <= 0:
        return 0.0
    return max(min(a[3], b[3]) - max(a[1], b[1]), 0) / shorter


def horizontal_overlap(a: Box, b: Box) -> float:
    """Overlap of the two boxes' x-spans as a share of the narrower span (0 when apart)."""
    narrower = min(a[2] - a[0], b[2] - b[0])
    if narrower <= 0:
        return 0.0
    return max(min(a[2], b[2]) - max(a[0], b[0]), 0) / narrower
