"""Which way up RapidOCR reads a page: the upright test, pages turned 180 degrees, and lines the
angle classifier turned.

RapidOCR's angle classifier turns each cropped line it finds upside down before recognising it,
but it places the line's words (``return_word_box``) as if the crop had not been turned: the word
read first is put at the left of the line's box as it lies in the photo, where the *last* word
is printed. So the words of a turned line come mirrored inside its box (point reflection through
its centre): in reading order, but each one where another is. :func:`unmirror_words` puts them
back. On a page whose lines were nearly all turned (:func:`turned_page`), :func:`turn_upright`
then maps every box to the page turned upright, so rows come top to bottom and words left to
right where they are printed.

A page is printed one way up, so on a turned page every line is read turned
(:func:`lines_read_turned`), not only those the classifier was sure of: on the 60 SROIE photos
turned 180 degrees it left 566 of 3,141 lines as they lie (label "0", or "180" at most
``cls_thresh``), read upside down as garbage (``RM 0.00`` as ``OO0 O``). No line is kept upright
on its classifier's say: its "upright" score reached 0.99 on 7 of those upside-down lines and
1.0 on 2 (``DOMINO'S PIZZA PERMAS JAYA``), while on the upright pages only 53% of upright lines
score above 0.999. Nor is the recogniser's score a judge: it was higher on the crop as it lies
for 53 of the 566, short or symmetric runs mostly read worse so (``%9`` for ``@ 6%``, ``00 9``
for ``6.00``).
Those 60 turned photos through ``bench.receipts``: all four right 45.0 -> 71.7% (cv min 33.3 ->
66.7), as the upright ones (71.7%), OCR CPU seconds within the noise (+1%). One of them (SROIE
440) still passes the upright test, its widest lines' classifier unsure, and is read upside down.

Point reflection keeps a line's slope, so the page's tilt (``server.documents.layout``) reads the
same either way; it is the words' places and order along their line that it corrects.
"""

from __future__ import annotations

from collections.abc import Sequence

from server.documents.types import Box, OcrLine, OcrWord

# The angle classifier's page test: the widest detected lines (the most text each) are
# classified first; when at most RAPIDOCR_UPRIGHT_MAX_TURNED of them would be turned (label
# "180" above RapidOCR's cls_thresh), the page is upright and every line is recognised as
# cropped. Otherwise the classifier runs on every line, as RapidOCR does by default.
# Every SROIE and French page is judged upright: SROIE 60 CPU median 1.82 -> 1.68-1.76, p90
# 2.63 -> 2.39-2.64 (two runs), all-four 65.0 -> 66.7 (cv min 58.3 both); French 16 unchanged
# (0.71 -> 0.72, few lines: the sample is the whole page), all-four 100.
RAPIDOCR_UPRIGHT_SAMPLE = 6
RAPIDOCR_UPRIGHT_MAX_TURNED = 1


def upright_sample(widths: Sequence[int], size: int = RAPIDOCR_UPRIGHT_SAMPLE) -> list[int]:
    """Indices of the ``size`` widest lines, widest first (ties keep detection order)."""
    order = sorted(range(len(widths)), key=lambda i: -widths[i])
    return order[:size]


def looks_upright(
    labels: Sequence[tuple[str, float]],
    threshold: float,
    max_turned: int = RAPIDOCR_UPRIGHT_MAX_TURNED,
) -> bool:
    """Whether a sample's (label, score) pairs say the page is upright.

    A line counts as turned when the classifier would turn it (``"180"`` above ``threshold``).
    A small sample (fewer than four lines) must have none turned: one vote is half of two.
    """
    if not labels:
        return True
    turned = sum(1 for label, score in labels if "180" in label and score > threshold)
    allowed = max_turned if len(labels) >= 4 else 0
    return turned <= allowed


def turned_page(labels: Sequence[tuple[str, float]], threshold: float) -> bool:
    """Whether the classifier turned most of a page's lines (``"180"`` above ``threshold``)."""
    turned = sum(1 for label, score in labels if "180" in label and score > threshold)
    return turned * 2 > len(labels)


def line_turned(label: str, score: float, threshold: float) -> bool:
    """Whether RapidOCR's classifier turned this line's crop before recognising it."""
    return "180" in label and float(score) > threshold


def lines_read_turned(labels: Sequence[tuple[str, float]], threshold: float) -> list[bool]:
    """For each line, whether its crop is read turned: every line of a turned page
    (:func:`turned_page`), else those the classifier turned (:func:`line_turned`)."""
    if turned_page(labels, threshold):
        return [True] * len(labels)
    return [line_turned(label, score, threshold) for label, score in labels]


def _mirror_box(box: Box, within: Box) -> Box:
    cx2, cy2 = within[0] + within[2], within[1] + within[3]
    return (cx2 - box[2], cy2 - box[3], cx2 - box[0], cy2 - box[1])


def unmirror_words(run: OcrLine) -> OcrLine:
    """A run whose crop the classifier turned, its words' boxes mirrored back inside its box
    (their order, already the reading order, kept)."""
    words = [OcrWord(w.text, _mirror_box(w.box, run.box), w.confidence) for w in run.words]
    return OcrLine(run.text, run.box, run.confidence, words)


def _turn_box(box: Box, width: int, height: int) -> Box:
    return (width - box[2], height - box[3], width - box[0], height - box[1])


def turn_upright(runs: Sequence[OcrLine], width: int, height: int) -> list[OcrLine]:
    """Runs of a ``width`` x ``height`` page turned 180 degrees, their boxes and their words'
    mapped to the page turned upright (words keep their order).

    Apply :func:`unmirror_words` first to the runs the classifier turned: their words then read
    left to right on the upright page.
    """
    return [
        OcrLine(
            run.text,
            _turn_box(run.box, width, height),
            run.confidence,
            [
                OcrWord(word.text, _turn_box(word.box, width, height), word.confidence)
                for word in run.words
            ],
        )
        for run in runs
    ]
