"""bench.receipts' fold split and cross-validation JSON, on six made-up receipts (no OCR)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from bench import receipts as bench
from server.documents.types import OcrResult
from server.receipts.extractor import ReceiptExtractor, RulesExtractor, TrainingReceipt
from server.receipts.pipeline import ReceiptExtraction

TEXT = """\
          KEDAI BUKU MAJU SDN BHD
        NO 12 JALAN MERDEKA 3
         81100 JOHOR BAHRU
DATE: {day:02d}/05/2019
ITEM A                              {amount}
TOTAL                               {amount}
"""
IDS = [f"{i:03d}" for i in range(6)]


def write_folder(root: Path) -> Path:
    for i, name in enumerate(IDS):
        amount = f"{10 + i}.50"
        (root / "text").mkdir(parents=True, exist_ok=True)
        (root / "key").mkdir(parents=True, exist_ok=True)
        (root / "text" / f"{name}.txt").write_text(TEXT.format(day=i + 1, amount=amount))
        key = {
            "company": "KEDAI BUKU MAJU SDN BHD",
            "date": f"{i + 1:02d}/05/2019",
            "address": "NO 12 JALAN MERDEKA 3 81100 JOHOR BAHRU",
            # Receipts 004 and 005 have a wrong key total: every fold is not alike.
            "total": amount if i < 4 else "99.99",
        }
        (root / "key" / f"{name}.json").write_text(json.dumps(key))
    return root


def test_folds_are_disjoint_deterministic_and_balanced() -> None:
    folds = bench.make_folds(IDS, 3, seed=12)
    assert sorted(n for f in folds for n in f) == IDS
    assert [len(f) for f in folds] == [2, 2, 2]
    assert bench.make_folds(list(reversed(IDS)), 3, seed=12) == folds
    with pytest.raises(ValueError):
        bench.make_folds(IDS, 7)
    with pytest.raises(ValueError):
        bench.make_folds(IDS, 1)


def test_truth_run_writes_whole_and_fold_figures(tmp_path: Path) -> None:
    data = write_folder(tmp_path / "data")
    out = tmp_path / "out.json"
    assert bench.main(["--data", str(data), "--truth", "--folds", "3", "--json", str(out)]) == 0
    summary = json.loads(out.read_text())
    assert summary["n"] == 6
    assert summary["accuracy"] == {
        "company": 1.0,
        "date": 1.0,
        "address": 1.0,
        "total": 4 / 6,
        "all": 4 / 6,
    }
    folds = summary["folds"]
    assert folds["k"] == 3 and folds["seed"] == bench.DEFAULT_SEED
    assert sorted(n for p in folds["per_fold"] for n in p["ids"]) == IDS
    per_fold_total = [p["accuracy"]["total"] for p in folds["per_fold"]]
    assert folds["mean"]["total"] == pytest.approx(sum(per_fold_total) / 3)
    assert folds["min"]["total"] == min(per_fold_total)
    assert folds["mean"]["company"] == 1.0
    assert "ocr_seconds" not in summary  # no OCR was run


def test_trainer_sees_only_the_other_folds(tmp_path: Path) -> None:
    data = write_folder(tmp_path / "data")
    ids = bench.receipt_ids(data, "all", None, truth=True)
    ocrs = {n: bench.truth_for(data, n) for n in ids}
    keys = bench.load_keys(data, ids)
    folds = bench.make_folds(ids, 3)
    seen: list[list[str]] = []

    class Memorising:
        def __init__(self, examples: Sequence[TrainingReceipt]) -> None:
            self.known = {e.id for e in examples}

        def extract(self, ocr: OcrResult) -> ReceiptExtraction:
            return RulesExtractor().extract(ocr)

    def trainer(examples: Sequence[TrainingReceipt]) -> ReceiptExtractor:
        seen.append(sorted(e.id for e in examples))
        return Memorising(examples)

    result = bench.cross_validate(folds, ocrs=ocrs, keys=keys, trainer=trainer)
    assert seen == [sorted(set(ids) - set(f)) for f in folds]
    assert [p["ids"] for p in result["per_fold"]] == folds
    assert list(result["mean"]) == ["company", "date", "address", "total", "all"]


def test_percentile_is_nearest_rank() -> None:
    assert bench.percentile([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0], 90) == 9.0
    assert bench.percentile([3.0], 90) == 3.0
