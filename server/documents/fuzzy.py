"""Fuzzy matching for OCR'd text, on ``rapidfuzz.process`` (C loops, not Python ones).

- :func:`best_match`: the closest of some choices to one string ("JAIAN" -> "JALAN");
- :class:`Vocabulary`: snaps OCR-mangled words back to a known word list, cached;
- :func:`phrase_scores`: how well each phrase appears, as whole consecutive words, in a text
  ("NUTELA 400G" contains "NUTELLA" at 93): every window of as many words as the phrase has
  is compared at once with ``process.cdist``.

Scores are rapidfuzz's 0-100. Inputs are expected folded (:func:`server.documents.text.fold`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process

Scorer = Callable[..., float]


@dataclass(slots=True, frozen=True)
class Match:
    choice: str
    score: float
    index: int


def best_match(
    query: str, choices: Sequence[str], *, cutoff: float, scorer: Scorer = fuzz.ratio
) -> Match | None:
    """The choice closest to ``query`` scoring at least ``cutoff``, or None (first on a tie)."""
    if not query or not choices:
        return None
    found = process.extractOne(query, choices, scorer=scorer, score_cutoff=cutoff)
    if found is None:
        return None
    choice, score, index = found
    return Match(choice, float(score), int(index))


class Vocabulary:
    """A word list that OCR-mangled words are snapped back to ("TOTAI" -> "TOTAL").

    Words shorter than ``min_length`` are left alone: at four letters one slip already makes
    another word. Snaps are cached (documents repeat their labels).
    """

    def __init__(self, words: Sequence[str], *, cutoff: float, min_length: int) -> None:
        self.words = tuple(words)
        self._known = frozenset(self.words)
        self.cutoff = cutoff
        self.min_length = min_length
        self.snap = lru_cache(maxsize=4096)(self._snap)

    def _snap(self, word: str) -> str:
        if len(word) < self.min_length or word in self._known:
            return word
        match = best_match(word, self.words, cutoff=self.cutoff)
        return match.choice if match else word


def phrase_scores(
    phrases: Sequence[str], tokens: Sequence[str], *, scorer: Scorer = fuzz.ratio
) -> list[float]:
    """For each phrase, its best score against any run of as many consecutive ``tokens``.

    A phrase with more words than the text scores 0. Words are compared whole, never as
    substrings, so "PATES" does not contain "PAT".
    """
    scores = [0.0] * len(phrases)
    by_size: dict[int, list[int]] = {}
    for index, phrase in enumerate(phrases):
        by_size.setdefault(phrase.count(" ") + 1, []).append(index)
    for size, indexes in by_size.items():
        windows = [" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)]
        if not windows:
            continue
        matrix: Any = process.cdist(
            windows, [phrases[i] for i in indexes], scorer=scorer, dtype=np.float64
        )
        for index, score in zip(indexes, np.max(matrix, axis=0), strict=True):
            scores[index] = float(score)
    return scores
