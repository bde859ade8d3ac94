"""Experiment: a learned header-line classifier (MERCHANT / ADDRESS / OTHER) against the rules.

Issue 12 suggested a small model over layout and text features where it beats the rules. Each
of a receipt's first rows gets features (relative position and size, centring, width,
character classes, the header rules' keyword cues, where it sits relative to the first amount
row, its neighbours' cues, and whether the rules picked it) and a label from the receipt's key
(the consecutive rows whose joined text best spells the key's company are MERCHANT, then the
best span of the other rows for its address ADDRESS; fuzzy, to survive OCR slips). A
scikit-learn logistic regression (``*_hgb``: gradient-boosted trees) is fitted on the training
folds only, through the ``bench.receipts`` trainer hook, and three ways of using it are
measured on the held-out fold:

- ``train_model``: the model alone picks the merchant rows and the address rows;
- ``train_rerank``: the rules' merchant stays unless the model rejects its row and is sure of
  another one; the rules' address stays unless the rules found none;
- ``train_extend``: the rules, plus the address row right after the rules' address when the
  model calls it ADDRESS (an address block the rules cut short).

All three use the header word list learnt from the same training folds (as
``server.receipts.train_lines:train``, the rules' own trainer, does)::

    python -m bench.receipts --data DIR --folds 5 --cache \
        --trainer server.receipts.line_model:train_rerank

Results (2026-12-03, re-run on the header rules after review: OCR slips corrected toward
general words only; "whole" trains and scores on all the receipts, so it is in-sample; "cv" is
5 folds on SROIE, 4 on the French set, seed 12)::

    SROIE-60, OCR (cached)     company            address            all four
                               whole  cv    min   whole  cv    min   whole  cv    min
    rules (train_lines:train)  90.0  90.0  75.0   76.7  76.7  66.7   71.7  71.7  58.3
    model, logistic            93.3  85.0  75.0   78.3  75.0  66.7   75.0  68.3  58.3
    rerank, logistic           90.0  88.3  75.0   76.7  76.7  66.7   71.7  71.7  58.3
    extend, logistic           = rules on every fold
    model, boosted trees       93.3  88.3  75.0   78.3  75.0  66.7   75.0  71.7  58.3
    rerank, boosted trees      91.7  88.3  75.0   76.7  76.7  66.7   73.3  71.7  58.3
    extend, boosted trees      = rules on every fold

    SROIE-60, truth            company            address            all four
    rules                      91.7  91.7  66.7   88.3  88.3  75.0   80.0  80.0  66.7
    model, logistic            95.0  88.3  66.7   90.0  86.7  75.0   85.0  78.3  66.7
    rerank / extend, logistic  = rules on every fold
    model, boosted trees       95.0  90.0  66.7   90.0  86.7  75.0   85.0  80.0  66.7
    rerank, boosted trees      93.3  90.0  66.7   88.3  88.3  75.0   81.7  80.0  66.7
    extend, boosted trees      = rules on every fold

    French-16: 100% on every field, whole, cv mean and min, for the rules and every logistic
    variant, OCR and truth; boosted trees lose held-out receipts ("model": OCR company, address
    and all four cv 93.8, truth company 87.5; "rerank": truth company 93.8).

No variant beats the rules on the held-out folds' mean, so the pipeline stays on the rules and
no model is shipped. The model alone looks better in-sample and worse held out (it learns the
sample). Why there is so little to win: with rows labelled by the key spans, the rules' rows
differ from the key's on 5 of the 60 OCR'd receipts only, and two of those are key quirks (the
same chain's branch line is in the company on one receipt and in the address on another), so
a line picker can fix at most about three receipts here; the remaining header misses are
spelling (OCR errors, spacing, punctuation), which choosing other lines cannot fix. The issue's
23 wrong-line misses on unseen receipts would need more labelled receipts than these 76 to
learn from.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
from rapidfuzz import fuzz
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from server.documents.dates import find_dates
from server.documents.layout import Row, build_rows
from server.documents.money import find_amounts
from server.documents.segment import Segmenter
from server.documents.text import fold, strip_accents
from server.documents.types import OcrResult
from server.receipts import header as h
from server.receipts.address import MAX_ADDRESS_ROWS, address_text, find_address
from server.receipts.document import uses_accents
from server.receipts.extraction import ExtractedField
from server.receipts.extractor import ReceiptExtractor, Trainer, TrainingReceipt
from server.receipts.merchant import clean_merchant, find_merchant, merchant_text
from server.receipts.pipeline import ReceiptExtraction, _header_field, extract_receipt
from server.receipts.train_lines import header_word_sellers

# Rows looked at: the header is printed in the first rows.
HEADER_ROWS = 20
OTHER, MERCHANT, ADDRESS = 0, 1, 2
# Rows are labelled from the key when their joined text matches the key field at this score.
LABEL_CUTOFF = 80

_PUNCT_RE = re.compile(r"[^\w\s]")


def _compact(text: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", fold(text))


def _cues(row: Row) -> list[float]:
    """The header rules' yes/no cues about one row (the neighbours' features reuse them)."""
    text = row.folded
    return [
        float(bool(h.LEGAL_FORM_RE.search(text))),
        float(bool(h.TRADE_WORD_RE.search(text))),
        float(h.is_registration_row(row)),
        float(h.is_contact_or_tax_row(row)),
        float(h.looks_like_address(row)),
        float(h.is_street_row(row)),
        float(h.has_postcode(text)),
        float(bool(h.REGION_RE.match(text))),
        float(bool(h.DOCUMENT_TITLE_RE.search(text))),
        float(bool(h.BODY_CUE_RE.search(text))),
        float(bool(find_dates(text))),
        float(bool(find_amounts(text))),
        float(bool(h.NOT_MERCHANT_RE.match(text))),
        float(h.is_tagline_row(row)),
        float(h.is_entity_row(row)),
        float(h.is_noise_row(row)),
        float("," in text),
    ]


CUE_COUNT = 17


@dataclass(frozen=True, slots=True)
class HeaderRows:
    """A receipt's first rows, their features, and what the rules picked among them."""

    rows: list[Row]
    all_rows: list[Row]
    features: np.ndarray
    rule_merchant: h.HeaderPart | None
    rule_merchant_end: int
    rule_address: h.HeaderPart | None


def header_rows(ocr: OcrResult) -> HeaderRows:
    """Features of the first :data:`HEADER_ROWS` rows (one feature row per printed row)."""
    rows = build_rows(ocr)
    merchant, merchant_end = find_merchant(rows)
    address = find_address(rows, merchant_end) if merchant is not None else None
    merchant_ids = {r.index for r in merchant.rows} if merchant else set()
    address_ids = {r.index for r in address.rows} if address else set()
    head = rows[:HEADER_ROWS]
    if not head:
        return HeaderRows([], rows, np.zeros((0, 0)), merchant, merchant_end, address)
    heights = sorted(r.height for r in rows) or [1]
    median_height = max(heights[len(heights) // 2], 1)
    left = min(r.box[0] for r in rows)
    right = max(r.box[2] for r in rows)
    top = min(r.box[1] for r in rows)
    bottom = max(r.box[3] for r in rows)
    width = max(right - left, 1)
    height = max(bottom - top, 1)
    first_price = next((r.index for r in rows if h.is_price_row(r)), len(rows))
    cues = [_cues(r) for r in head]
    blank = [0.0] * CUE_COUNT
    matrix = []
    for position, row in enumerate(head):
        text = row.folded
        letters = sum(c.isalpha() for c in text)
        chars = max(len(text.replace(" ", "")), 1)
        centre = (row.box[0] + row.box[2]) / 2
        matrix.append(
            [
                position / HEADER_ROWS,
                (row.box[1] - top) / height,
                row.height / median_height,
                abs(centre - (left + right) / 2) / width,
                (row.box[2] - row.box[0]) / width,
                math.log1p(len(text)),
                letters / chars,
                sum(c.isdigit() for c in text) / chars,
                sum(c.isupper() for c in row.text) / max(letters, 1),
                len(_PUNCT_RE.findall(text)) / chars,
                row.confidence,
                max(min((position - first_price) / 10, 1.0), -1.0),
                float(position < first_price),
                float(row.index in merchant_ids),
                float(row.index in address_ids),
                float(bool(merchant) and row.index > merchant_end),
                *cues[position],
                *(cues[position - 1] if position > 0 else blank),
                *(cues[position + 1] if position + 1 < len(head) else blank),
            ]
        )
    return HeaderRows(head, rows, np.asarray(matrix, dtype=float), merchant, merchant_end, address)


def _best_span(
    rows: Sequence[Row], key: str, longest: int, skip: set[int], *, name: bool = False
) -> list[int]:
    """The consecutive rows (at most ``longest``) whose joined text is closest to ``key``.

    Labelling by the best span rather than row by row keeps a name printed twice (a logo
    read as text above the registered name) from being labelled twice."""
    if not key:
        return []
    compacts = [_compact(clean_merchant(r.text) if name else r.text) for r in rows]
    best: tuple[float, list[int]] = (0.0, [])
    for start in range(len(rows)):
        for end in range(start + 1, min(start + longest, len(rows)) + 1):
            span = list(range(start, end))
            if skip.intersection(span) or len(compacts[start]) < 2:
                break
            score = fuzz.ratio("".join(compacts[i] for i in span), key)
            if score > best[0]:
                best = (score, span)
    return best[1] if best[0] >= LABEL_CUTOFF else []


def row_labels(rows: Sequence[Row], company: str, address: str) -> list[int]:
    """MERCHANT / ADDRESS / OTHER per row: the rows that best spell the key's company, then
    (among the others) its address."""
    name_rows = _best_span(rows, _compact(company), 3, set(), name=True)
    address_rows = _best_span(rows, _compact(address), MAX_ADDRESS_ROWS + 1, set(name_rows))
    labels = [OTHER] * len(rows)
    for i in name_rows:
        labels[i] = MERCHANT
    for i in address_rows:
        labels[i] = ADDRESS
    return labels


def fit(examples: Sequence[TrainingReceipt], kind: str = "logreg") -> Pipeline:
    """A scaled logistic regression (or gradient-boosted trees) on the header rows."""
    xs, ys = [], []
    for example in examples:
        head = header_rows(example.ocr)
        if not head.rows:
            continue
        xs.append(head.features)
        ys.extend(
            row_labels(head.rows, example.key.get("company", ""), example.key.get("address", ""))
        )
    classifier = (
        HistGradientBoostingClassifier(max_iter=100, max_depth=3, learning_rate=0.1)
        if kind == "hgb"
        else LogisticRegression(C=1.0, max_iter=2000)
    )
    model = make_pipeline(StandardScaler(), classifier)
    model.fit(np.vstack(xs), np.asarray(ys))
    return model


def _probabilities(model: Pipeline, head: HeaderRows) -> np.ndarray:
    """Rows x (OTHER, MERCHANT, ADDRESS) probabilities, whatever classes training saw."""
    out = np.zeros((len(head.rows), 3))
    if head.rows:
        found = model.predict_proba(head.features)
        for column, label in enumerate(model.classes_):
            out[:, int(label)] = found[:, column]
    return out


def _run(probs: np.ndarray, label: int, start: int, *, limit: int) -> list[int]:
    """Consecutive rows from ``start`` the model gives ``label`` (most probable class)."""
    run = []
    for position in range(start, min(len(probs), start + limit)):
        if int(np.argmax(probs[position])) != label:
            break
        run.append(position)
    return run


class LineModelExtractor:
    """The rules for everything; the header from the model, as ``mode`` says."""

    def __init__(self, model: Pipeline, sellers: Mapping[str, int], mode: str) -> None:
        self.model = model
        self.segmenter: Segmenter = h.header_segmenter(sellers)
        self.mode = mode

    def extract(self, ocr: OcrResult) -> ReceiptExtraction:
        with h.using_segmenter(self.segmenter):
            result = extract_receipt(ocr)
            head = header_rows(ocr)
            if not head.rows:
                return result
            probs = _probabilities(self.model, head)
            merchant, address = getattr(self, f"_{self.mode}")(head, probs)
            if merchant is not head.rule_merchant:
                result.merchant = self._field(merchant, head, result)
            if address is not head.rule_address:
                result.address = self._field(address, head, result)
        return result

    @staticmethod
    def _field(
        part: h.HeaderPart | None, head: HeaderRows, result: ReceiptExtraction
    ) -> ExtractedField[str] | None:
        """As the pipeline does: accents dropped on receipts that print none."""
        found = _header_field(part)
        currency = result.currency.value if result.currency else None
        if found is not None and not uses_accents(head.all_rows, currency):
            found = replace(found, value=strip_accents(found.value))
        return found

    def _model(
        self, head: HeaderRows, probs: np.ndarray
    ) -> tuple[h.HeaderPart | None, h.HeaderPart | None]:
        best = int(np.argmax(probs[:, MERCHANT]))
        first = best
        while first > 0 and best - first < 2 and int(np.argmax(probs[first - 1])) == MERCHANT:
            first -= 1
        names = [*range(first, best + 1), *_run(probs, MERCHANT, best + 1, limit=2)]
        rows = [head.rows[i] for i in names]
        merchant = h.HeaderPart(merchant_text(rows), tuple(rows), 0.8)
        after = names[-1] + 1
        start = next(
            (i for i in range(after, min(after + 5, len(probs))) if np.argmax(probs[i]) == 2),
            None,
        )
        address = None
        if start is not None:
            rows = [head.rows[i] for i in _run(probs, ADDRESS, start, limit=MAX_ADDRESS_ROWS)]
            address = h.HeaderPart(address_text(rows), tuple(rows), 0.8)
        return merchant, address

    def _rerank(
        self, head: HeaderRows, probs: np.ndarray
    ) -> tuple[h.HeaderPart | None, h.HeaderPart | None]:
        merchant, address = head.rule_merchant, head.rule_address
        chosen = [r.index for r in merchant.rows] if merchant else []
        rule_p = max((probs[i, MERCHANT] for i in chosen if i < len(probs)), default=0.0)
        best = int(np.argmax(probs[:, MERCHANT]))
        if rule_p < 0.5 and probs[best, MERCHANT] >= 0.5 and best not in chosen:
            model_merchant, model_address = self._model(head, probs)
            merchant = model_merchant
            address = model_address or address
        elif address is None:
            address = self._model(head, probs)[1]
        return merchant, address

    def _extend(
        self, head: HeaderRows, probs: np.ndarray
    ) -> tuple[h.HeaderPart | None, h.HeaderPart | None]:
        merchant, address = head.rule_merchant, head.rule_address
        if address is None:
            return merchant, address
        rows = list(address.rows)
        while (
            len(rows) < MAX_ADDRESS_ROWS
            and rows[-1].index + 1 < len(probs)
            and int(np.argmax(probs[rows[-1].index + 1])) == ADDRESS
        ):
            rows.append(head.rows[rows[-1].index + 1])
        if len(rows) > len(address.rows):
            address = h.HeaderPart(address_text(rows), tuple(rows), address.certainty)
        return merchant, address


def _trainer(mode: str, kind: str = "logreg") -> Trainer:
    def train(examples: Sequence[TrainingReceipt]) -> ReceiptExtractor:
        sellers = header_word_sellers(e.key for e in examples)
        return LineModelExtractor(fit(examples, kind), sellers, mode)

    train.__name__ = f"train_{mode}" + ("_hgb" if kind == "hgb" else "")
    return train


train_model = _trainer("model")
train_rerank = _trainer("rerank")
train_extend = _trainer("extend")
train_model_hgb = _trainer("model", "hgb")
train_rerank_hgb = _trainer("rerank", "hgb")
train_extend_hgb = _trainer("extend", "hgb")
