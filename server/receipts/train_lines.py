"""Learning the header's word list from labelled receipts, and the bench trainer that uses it.

OCR glues words ("SANYUSTATIONERYSHOP", "JALANAIR"); :mod:`server.documents.segment` re-spaces
them with English word counts, which lack the Malay, French or German words of shop names and
addresses ("SEKSYEN", "TAMAN", "EPICERIE"). The printed names and addresses of labelled
receipts (their keys) supply them, each with the number of sellers that print it: OCR slips
are only corrected toward words of several sellers (``server.receipts.header.MIN_SELLERS``),
never toward one shop's own name. ``train`` is a ``bench.receipts --trainer``: it learns the
words of the training folds only, so the held-out fold is measured on words it has not seen::

    python -m bench.receipts --data DIR --folds 5 --trainer server.receipts.train_lines:train

``python -m server.receipts.train_lines --data DIR [DIR...]`` writes the shipped list
(``server/receipts/header_words.txt``: "word sellers" a line, read by
:mod:`server.receipts.header`) from every key.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from server.documents.legal_forms import name_key
from server.documents.segment import Segmenter, vocabulary
from server.documents.types import OcrResult
from server.receipts.extractor import ReceiptExtractor, TrainingReceipt
from server.receipts.header import HEADER_WORDS_FILE, header_segmenter, using_segmenter
from server.receipts.pipeline import ReceiptExtraction, extract_receipt

KEY_FIELDS = ("company", "address")
# Shorter company names (after the legal form is cut) are not told apart by prefix.
MIN_SELLER_NAME = 4


def header_words(keys: Iterable[Mapping[str, str]]) -> list[str]:
    """The words (three letters or more, lower case, sorted) of the keys' names and addresses."""
    texts = (str(key.get(name) or "") for key in keys for name in KEY_FIELDS)
    return sorted(vocabulary(texts))


def _sellers(keys: Sequence[Mapping[str, str]]) -> list[str]:
    """Who sold each receipt: its company name without legal form, spaces and punctuation; a
    name that opens with another receipt's name is that seller's branch ("DOMINO'S PIZZA TAMAN
    UNIVERSITI" is "DOMINO'S PIZZA")."""
    names = [re.sub(r"[\W_]", "", name_key(str(k.get("company") or ""))) for k in keys]
    shortest = sorted({n for n in names if len(n) >= MIN_SELLER_NAME}, key=len)
    return [
        next((s for s in shortest if name.startswith(s)), name)
        if len(name) >= MIN_SELLER_NAME
        else f"#{number}"
        for number, name in enumerate(names)
    ]


def header_word_sellers(keys: Iterable[Mapping[str, str]]) -> dict[str, int]:
    """The keys' header words (as `header_words`), each with the number of sellers that print
    it (in their name or address)."""
    keys = list(keys)
    sellers: dict[str, set[str]] = {}
    for key, seller in zip(keys, _sellers(keys), strict=True):
        for word in header_words([key]):
            sellers.setdefault(word, set()).add(seller)
    return {word: len(names) for word, names in sorted(sellers.items())}


class HeaderWordsExtractor:
    """The rules, with headers re-spaced (and slips corrected) using learnt header words."""

    def __init__(self, sellers: Mapping[str, int]) -> None:
        self.segmenter: Segmenter = header_segmenter(sellers)

    def extract(self, ocr: OcrResult) -> ReceiptExtraction:
        with using_segmenter(self.segmenter):
            return extract_receipt(ocr)


def train(examples: Sequence[TrainingReceipt]) -> ReceiptExtractor:
    """A ``bench.receipts`` trainer: the header words of ``examples`` only."""
    return HeaderWordsExtractor(header_word_sellers(e.key for e in examples))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write the header word list from keys.")
    parser.add_argument("--data", type=Path, nargs="+", required=True, help="folders with key/")
    parser.add_argument("--out", type=Path, default=HEADER_WORDS_FILE)
    args = parser.parse_args(argv)
    keys = [
        json.loads(path.read_text(encoding="utf-8"))
        for folder in args.data
        for path in sorted((folder / "key").glob("*.json"))
    ]
    words = header_word_sellers(keys)
    lines = [f"{word} {sellers}" for word, sellers in words.items()]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(words)} words from {len(keys)} receipts -> {args.out}")


if __name__ == "__main__":
    main()
