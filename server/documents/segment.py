"""Re-spacing words that OCR glued together ("SANYUSTATIONERYSHOP" -> "SANYU STATIONERY SHOP").

Thermal prints set letters close together and OCR engines often drop the space between two
words of a shop name or a street. :class:`Segmenter` splits such a token with a word-frequency
model (``wordsegment``'s English unigram counts, from the Google web corpus) overlaid with an
optional local vocabulary (words read on receipts, e.g. Malay or French address words that the
English table does not know, so that "SEKSYEN" is not cut into "SEKS YEN").

A split is only made when it is clearly more probable than the token, because a wrong split
costs as much as a missed one:

- tokens shorter than ``MIN_LENGTH`` letters, known words (English count of at least
  ``KNOWN_COUNT``, or in the local vocabulary) and protected words (brand names) stay whole;
- every part has at least three letters and is a common word (``PART_COUNT``, three-letter
  parts ``SHORT_PART_COUNT``), except at most one part of four letters or more;
- a split in two needs one part that only the local vocabulary knows ("JALAN" + "AIR"; local
  words of three letters or English ones do not vouch), or two local words of four letters or
  more ("KUALA" + "LUMPUR": receipts print them apart): a brand is often
  two English words written as one ("MONOPRIX", "TOTALENERGIES") (a shop's own name glued to
  common words: "SANYU" + "STATIONERY" + "SHOP");
- the split scores at least ``MARGIN`` (log10) above the whole token.

:meth:`Segmenter.correct` spells an unknown word read with one OCR slip between look-alike
letters ("JAIAN", "SCLANGOR"), or with any one wrong letter when it is ``MIN_ANY_SLIP`` letters
long ("ENTERORISE"), as the one target word it can be ("JALAN", "SELANGOR", "ENTERPRISE").
Targets are the caller's general words (words read on receipts of several sellers, not one
shop's name: correcting toward a single shop's words spells another shop's name as it); a
real word is never corrected: a local word, any word of the English table (it holds many
foreign words: "INTERNASIONAL", "KADIN") or of the common Malay words (``COMMON_WORDS_FILE``).

Letter runs longer than ``MAX_GLUED`` (re-spacing) or ``MAX_CORRECT`` (correction) letters
are not glued words: they are left as read.

Case is kept per part. Pure, synchronous; the English table (~330k words) is read once per
process, on first use.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from functools import cache, lru_cache
from pathlib import Path

MIN_LENGTH = 8
KNOWN_COUNT = 100_000.0
# A part must be a common word (a rare one is more likely a fragment of an unknown name), and a
# three-letter part a very common one ("AIR", "OFF", "BAR").
PART_COUNT = 1_000_000.0
SHORT_PART_COUNT = 10_000_000.0
MARGIN = 2.0
MIN_PART = 3
MIN_UNKNOWN_PART = 4
# Local words count as common words: about as frequent as "market" in the English table.
LOCAL_COUNT = 50_000_000.0
MAX_WORD = 24
# A glued run this long is not a few words printed together (a barcode, a banner): left as read.
MAX_GLUED = 60
# Letters that thermal-print OCR takes for one another ("JAIAN" for JALAN, "SCLANGOR" for
# SELANGOR, "KAWANG" for RAWANG). `Segmenter.correct` undoes one such slip per word.
CONFUSIONS = ("il", "ij", "ce", "cg", "ef", "od", "oq", "hn", "mn", "uv", "kr")
MIN_CORRECT = 5
# From this length, any one wrong letter is undone (two long words one letter apart are rare).
MIN_ANY_SLIP = 8
# English words this common are targets of `Segmenter.correct` when ``english_targets``.
TARGET_COUNT = PART_COUNT
# No word is this long: longer runs are not corrected.
MAX_CORRECT = 30
# Common Malay words of shop names and addresses (general language, not any one shop's name):
# real words that are never corrected, and words a slip may be corrected toward.
COMMON_WORDS_FILE = Path(__file__).with_name("malay_words.txt")
_SWAPS = {
    letter: "".join(b if a == letter else a for a, b in CONFUSIONS if letter in (a, b))
    for letter in set("".join(CONFUSIONS))
}

_TOKEN = re.compile(r"[A-Za-z]+")
_CAMEL = re.compile(r"(?<=[a-z]{3})(?=[A-Z][a-z]{2})")


@cache
def _english() -> tuple[dict[str, float], float]:
    """wordsegment's unigram table (word -> count) and its corpus size, read once."""
    import wordsegment

    table = wordsegment.Segmenter.parse(wordsegment.Segmenter.UNIGRAMS_FILENAME)
    return table, wordsegment.Segmenter.TOTAL


@cache
def common_words() -> frozenset[str]:
    """The common Malay words (``COMMON_WORDS_FILE``, one a line, ``#`` comments), read once."""
    lines = COMMON_WORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(w for line in lines if (w := line.split("#")[0].strip().lower()))


class Segmenter:
    """Splits glued words, knowing the English table plus ``local`` words (any case), and
    corrects OCR slips toward ``targets`` (general words; none by default)."""

    def __init__(
        self,
        local: Iterable[str] = (),
        protected: Iterable[str] = (),
        targets: Iterable[str] = (),
        *,
        english_targets: bool = False,
    ) -> None:
        self.local = frozenset(w.lower() for w in local if w)
        self.protected = frozenset(w.lower() for w in protected if w)
        self.targets = frozenset(w.lower() for w in targets if w)
        self.english_targets = english_targets
        self._target_lengths = frozenset(len(w) for w in self.targets)
        self.split = lru_cache(maxsize=4096)(self._split)

    def count(self, word: str) -> float:
        english, _total = _english()
        count = english.get(word, 0.0)
        return max(count, LOCAL_COUNT) if word in self.local else count

    def known(self, word: str) -> bool:
        return word in self.local or self.count(word) >= KNOWN_COUNT

    def is_real_word(self, word: str) -> bool:
        """A word spelt right as it is: local, in the English table at all, or common Malay."""
        return word in self.local or word in _english()[0] or word in common_words()

    def is_common(self, word: str) -> bool:
        """A common English word (``PART_COUNT``) or a local one (lower case)."""
        return word in self.local or _english()[0].get(word, 0.0) >= PART_COUNT

    def _english_common(self, part: str) -> bool:
        threshold = SHORT_PART_COUNT if len(part) <= MIN_PART else PART_COUNT
        return _english()[0].get(part, 0.0) >= threshold

    def _local_only(self, part: str) -> bool:
        """A receipt word the English table hardly knows ("JALAN", "TAMAN", "KEDAI")."""
        return len(part) > MIN_PART and part in self.local and not self._english_common(part)

    def _common(self, part: str) -> bool:
        return self._english_common(part) or self._local_only(part)

    def _log_score(self, word: str) -> float:
        count = self.count(word)
        _english_table, total = _english()
        if count:
            return math.log10(count / total)
        return math.log10(10.0 / total) - len(word)  # wordsegment's unknown-word penalty

    def _best(self, text: str) -> tuple[float, tuple[str, ...]]:
        memo: dict[str, tuple[float, tuple[str, ...]]] = {"": (0.0, ())}

        def search(rest: str) -> tuple[float, tuple[str, ...]]:
            if rest in memo:
                return memo[rest]
            best: tuple[float, tuple[str, ...]] | None = None
            for end in range(1, min(len(rest), MAX_WORD) + 1):
                score, words = search(rest[end:])
                candidate = (self._log_score(rest[:end]) + score, (rest[:end], *words))
                if best is None or candidate[0] > best[0]:
                    best = candidate
            assert best is not None
            memo[rest] = best
            return best

        return search(text)

    def _split(self, token: str) -> tuple[str, ...]:
        word = token.lower()
        if len(word) < MIN_LENGTH or len(word) > MAX_GLUED:
            return (token,)
        if word in self.protected or self.known(word):
            return (token,)
        score, parts = self._best(word)
        if len(parts) < 2 or score - self._log_score(word) < MARGIN:
            return (token,)
        if any(len(p) < MIN_PART for p in parts):
            return (token,)
        unknown = [p for p in parts if not self._common(p)]
        if len(unknown) > 1 or any(len(p) < MIN_UNKNOWN_PART for p in unknown):
            return (token,)
        if (
            len(parts) == 2
            and not any(self._local_only(p) for p in parts)
            and not all(len(p) > MIN_PART and p in self.local for p in parts)
        ):
            return (token,)  # "MONOPRIX", "TOTALENERGIES": compound names are common
        pieces, start = [], 0
        for part in parts:
            pieces.append(token[start : start + len(part)])
            start += len(part)
        return tuple(pieces)

    def _corrected(self, token: str) -> str:
        word = token.lower()
        if len(word) < MIN_CORRECT or len(word) > MAX_CORRECT:
            return token
        if len(word) not in self._target_lengths and not self.english_targets:
            return token  # one letter read wrong keeps the length
        if word in self.protected or self.is_real_word(word):
            return token
        letters = "abcdefghijklmnopqrstuvwxyz" if len(word) >= MIN_ANY_SLIP else None
        found = {
            candidate
            for i, ch in enumerate(word)
            for other in (letters or _SWAPS.get(ch, ""))
            if other != ch
            and self._is_target(candidate := word[:i] + other + word[i + 1 :], i == len(word) - 1)
        }
        if len(found) != 1:
            return token
        (fixed,) = found
        return "".join(f.upper() if t.isupper() else f for t, f in zip(token, fixed, strict=True))

    def _is_target(self, word: str, last_letter: bool) -> bool:
        """A word a slip may be corrected toward. An English one only when the slip is not the
        last letter: other languages' words differ from their English kin at the end
        ("FIDELITE" is not "FIDELITY", "MENTAI" not "MENTAL")."""
        if word in self.targets:
            return True
        english = self.english_targets and not last_letter
        return english and _english()[0].get(word, 0.0) >= TARGET_COUNT

    def correct(self, text: str) -> str:
        """``text`` with each unknown word of ``MIN_CORRECT`` to ``MAX_CORRECT`` letters that is
        one OCR slip (``CONFUSIONS``; any letter from ``MIN_ANY_SLIP`` letters) away from
        exactly one target word spelt as that word ("Jaian" -> "Jalan"); real words
        (`is_real_word`), protected and short words, and ambiguous slips, stay as read."""
        return _TOKEN.sub(lambda m: self._corrected(m.group(0)), text)

    def respace(self, text: str) -> str:
        """``text`` with each glued letter run split into words (everything else unchanged).

        In mixed-case text a capital after a small letter starts a word ("SimpangOff"). Runs
        longer than ``MAX_GLUED`` letters stay whole.
        """
        text = _CAMEL.sub(" ", text)
        return _TOKEN.sub(lambda m: " ".join(self.split(m.group(0))), text)


def vocabulary(texts: Iterable[str], *, min_length: int = 3) -> Mapping[str, int]:
    """Word counts of some texts (letters only, lower case), e.g. receipts' printed names."""
    counts: dict[str, int] = {}
    for text in texts:
        for word in _TOKEN.findall(text or ""):
            if len(word) >= min_length:
                counts[word.lower()] = counts.get(word.lower(), 0) + 1
    return counts
