"""The receipt extractor as a swappable part, so a learned component can be cross-validated.

Today's extraction is rules only (:func:`server.receipts.pipeline.extract_receipt`): nothing
is trained. A learned part (for instance a line classifier over layout and text features) must
be trained on some receipts and measured on others; ``bench.receipts --folds K`` does that by
calling a :data:`Trainer` with the receipts of the other folds and scoring the extractor it
returns on the held-out fold. :func:`train_rules` is the default trainer: it ignores its
examples and returns the rules.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from server.documents.types import OcrResult
from server.receipts.pipeline import ReceiptExtraction, extract_receipt


@dataclass(frozen=True, slots=True)
class TrainingReceipt:
    """One labelled receipt: its id, its OCR (or ground-truth transcript) and its key fields."""

    id: str
    ocr: OcrResult
    key: Mapping[str, str] = field(default_factory=dict)


class ReceiptExtractor(Protocol):
    """OCR in, structured receipt out; pure and synchronous like ``extract_receipt``."""

    def extract(self, ocr: OcrResult) -> ReceiptExtraction: ...


Trainer = Callable[[Sequence[TrainingReceipt]], ReceiptExtractor]


class RulesExtractor:
    """The hand-written rules of :mod:`server.receipts.pipeline`; nothing to train."""

    def extract(self, ocr: OcrResult) -> ReceiptExtraction:
        return extract_receipt(ocr)


def train_rules(examples: Sequence[TrainingReceipt]) -> ReceiptExtractor:
    """The default :data:`Trainer`: the rules learn nothing, whatever the examples."""
    del examples
    return RulesExtractor()
