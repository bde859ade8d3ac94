"""Learning the header's word list from labelled receipts, and the bench trainer that uses it.

OCR glues words ("SANYUSTATIONERYSHOP", "JALANAIR"); :mod:`server.documents.segment` re-spaces
them with English word counts, which lack the Malay, French or German words of shop names and
addresses ("SEKSYEN", "TAMAN", "EPICERIE"). The printed names and addresses of labelled
receipts (their keys) supply them. ``train`` is a ``bench.receipts --trainer``: it learns the
words of the training folds only, so the held-out fold is measured on words it has not seen::

    python -m bench.receipts --data DIR --folds 5 --trainer server.receipts.train_lines:train

``python -m server.receipts.train_lines --data DIR [DIR...]`` writes the shipped list
(``server/receipts/header_words.txt``, read by :mod:`server.receipts.header`) from every key.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from server.documents.segment import Segmenter, vocabulary
from server.documents.types import OcrResult
from server.receipts.extractor import ReceiptExtractor, TrainingReceipt
from server.receipts.header import HEADER_WORDS_FILE, using_segmenter
from server.receipts.pipeline import ReceiptExtraction, extract_receipt

KEY_FIELDS = ("company", "address")


def header_words(keys: Iterable[Mapping[str, str]]) -> list[str]:
    """The words (three letters or more, lower case, sorted) of the keys' names and addresses."""
    texts = (str(key.get(name) or "") for key in keys for name in KEY_FIELDS)
    return sorted(vocabulary(texts))


class HeaderWordsExtractor:
    """The rules, with headers re-spaced using a learnt word list."""

    def __init__(self, words: Sequence[str]) -> None:
        self.segmenter = Segmenter(local=words)

    def extract(self, ocr: OcrResult) -> ReceiptExtraction:
        with using_segmenter(self.segmenter):
            return extract_receipt(ocr)


def train(examples: Sequence[TrainingReceipt]) -> ReceiptExtractor:
    """A ``bench.receipts`` trainer: the header words of ``examples`` only."""
    return HeaderWordsExtractor(header_words(e.key for e in examples))


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
    words = header_words(keys)
    args.out.write_text("\n".join(words) + "\n", encoding="utf-8")
    print(f"{len(words)} words from {len(keys)} receipts -> {args.out}")


if __name__ == "__main__":
    main()
