"""Pages turned 180 degrees, and lines the angle classifier turned, read by RapidOCR.

RapidOCR's angle classifier turns each cropped line it finds upside down before recognising it,
but it places the line's words (``return_word_box``) as if the crop had not been turned: the word
read first is put at the left of the line's box as it lies in the photo, where the *last* word
is printed. So the words of a turned line come mirrored inside its box (point reflection through
its centre): in reading order, but each one where another is. :func:`unmirror_words` puts them
back. On a page whose lines were nearly all turned (:func:`turned_page`), :func:`turn_upright`
then maps every box to the page turned upright, so rows come top to bottom and words left to
right where they are printed.

Point reflection keeps a line's slope, so the page's tilt (``server.documents.layout``) reads the
same either way; it is the words' places and order along their line that it corrects.
"""

from __future__ import annotations

from collections.abc import Sequence

from server.documents.types import Box, OcrLine, OcrWord


def turned_page(labels: Sequence[tuple[str, float]], threshold: float) -> bool:
    """Whether the classifier turned most of a page's lines (``"180"`` above ``threshold``)."""
    turned = sum(1 for label, score in labels if "180" in label and score > threshold)
    return turned * 2 > len(labels)


def line_turned(label: str, score: float, threshold: float) -> bool:
    """Whether RapidOCR's classifier turned this line's crop before recognising it."""
    return "180" in label and float(score) > threshold


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
