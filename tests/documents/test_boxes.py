"""Box union and overlaps."""

from __future__ import annotations

from server.documents.boxes import horizontal_overlap, union_box, vertical_overlap


def test_union_box_of_several_boxes() -> None:
    boxes = [(10, 20, 30, 40), (5, 25, 50, 35), (12, 0, 14, 60)]
    assert union_box(boxes) == (5, 0, 50, 60)


def test_union_box_takes_a_generator_and_nothing() -> None:
    assert union_box(b for b in [(1, 2, 3, 4)]) == (1, 2, 3, 4)
    assert union_box([]) == (0, 0, 0, 0)


def test_overlaps_are_shares_of_the_smaller_box() -> None:
    assert vertical_overlap((0, 0, 10, 10), (0, 5, 10, 25)) == 0.5
    assert vertical_overlap((0, 0, 10, 10), (0, 20, 10, 30)) == 0.0
    assert horizontal_overlap((0, 0, 10, 10), (8, 0, 28, 10)) == 0.2
    assert horizontal_overlap((0, 0, 0, 10), (0, 0, 10, 10)) == 0.0  # zero width
