"""Linking line items to brands: fuzzy matching of an item's printed name against brand names
and aliases (rapidfuzz), tolerant of till abbreviations and OCR slips.

An alias matches when:
- every one of its words appears as a word of the item name ("COCA COLA" in "COCA COLA ZERO
  1.5L"; "Coca-Cola" folds to the same words): score 100;
- otherwise, for aliases of at least ``MIN_FUZZY_LENGTH`` characters, some run of as many
  consecutive words as the alias has is close enough (``fuzz.ratio`` >= ``THRESHOLD``): "NUTELA
  400G" still names Nutella, "CHANNEL N5" Chanel, "CARTE NOlRE" Carte Noire. Shorter aliases
  ("U", "LU") only match as whole words, or they would match everywhere. Words are compared
  whole, never as substrings, so "PATES" does not name "Pat"; a plural can still pass for its
  brand ("APPLES" vs Apple scores 91): that is the price of tolerating OCR slips.

The best score wins; on a tie, the longer alias (the more specific brand). Pure and synchronous.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial

from rapidfuzz import fuzz

from server.documents.fuzzy import phrase_scores
from server.documents.legal_forms import name_key
from server.documents.text import fold as fold_text

THRESHOLD = 88.0
MIN_FUZZY_LENGTH = 5
# A merchant names a brand when their keys (legal forms cut) are this close: a whole name, not
# one word of an item, so a stricter bar than items (one slip in ten letters scores 90).
MERCHANT_THRESHOLD = 90.0

# Brand names and aliases are compared, and stored (``Brand.key``), as words: upper case, no
# accents, punctuation as spaces ("Côte d'Or" -> "COTE D OR").
fold = partial(fold_text, words=True)


@dataclass(frozen=True, slots=True)
class BrandEntry:
    id: uuid.UUID
    name: str
    aliases: Sequence[str]
    category: str | None


@dataclass(frozen=True, slots=True)
class BrandMatch:
    brand: BrandEntry
    score: float
    alias: str


class BrandMatcher:
    """Built once per job or validation from every brand, then asked for each item name."""

    def __init__(self, brands: Iterable[BrandEntry]) -> None:
        self._aliases: list[str] = []
        self._owners: list[BrandEntry] = []
        for brand in brands:
            for alias in dict.fromkeys(fold(a) for a in (brand.name, *brand.aliases)):
                if alias:
                    self._aliases.append(alias)
                    self._owners.append(brand)
        self._fuzzy = [i for i, alias in enumerate(self._aliases) if len(alias) >= MIN_FUZZY_LENGTH]
        self._fuzzy_aliases = [self._aliases[i] for i in self._fuzzy]

    def __bool__(self) -> bool:
        return bool(self._aliases)

    def match_merchant(self, merchant: str) -> BrandMatch | None:
        """The brand a printed merchant name is, compared without legal forms or punctuation
        ("CARREFOUR S.A." is Carrefour; "MR. D.I.Y. (M) SDN BHD" is "MR DIY" written with dots
        only if an alias says so). Exact keys score 100, else ``fuzz.ratio`` must reach
        ``MERCHANT_THRESHOLD``; the best score wins, then the longer alias."""
        key = name_key(merchant)
        if not key or not self._aliases:
            return None
        best: tuple[float, int, int] | None = None
        for index, alias in enumerate(self._aliases):
            score = 100.0 if name_key(alias) == key else fuzz.ratio(key, name_key(alias))
            if score >= MERCHANT_THRESHOLD:
                candidate = (score, len(alias), index)
                best = candidate if best is None or candidate > best else best
        if best is None:
            return None
        score, _length, index = best
        return BrandMatch(
            brand=self._owners[index], score=round(score, 1), alias=self._aliases[index]
        )

    def match(self, item_name: str) -> BrandMatch | None:
        """The brand this item name most likely names, or None."""
        name = fold(item_name)
        if not name or not self._aliases:
            return None
        words = set(name.split())
        best: tuple[float, int, int] | None = None  # (score, alias length, index)
        for index, alias in enumerate(self._aliases):
            if words.issuperset(alias.split()):
                candidate = (100.0, len(alias), index)
                best = candidate if best is None or candidate > best else best
        if best is None and self._fuzzy:
            scores = phrase_scores(self._fuzzy_aliases, name.split())
            for index, score in zip(self._fuzzy, scores, strict=True):
                if score >= THRESHOLD:
                    candidate = (score, len(self._aliases[index]), index)
                    best = candidate if best is None or candidate > best else best
        if best is None:
            return None
        score, _length, index = best
        return BrandMatch(
            brand=self._owners[index], score=round(score, 1), alias=self._aliases[index]
        )
