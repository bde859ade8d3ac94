"""Receipt extraction accuracy on a folder in SROIE layout.

    python -m bench.receipts --data DIR [--json OUT] [--engine rapidocr] [--limit N]
                             [--cache] [--truth] [--split first|second|all] [--verbose]

``DIR`` holds ``img/NNN.jpg`` and ``key/NNN.json`` (``box/NNN.csv`` too for ``--truth``). For
each receipt the bench runs OCR then :func:`server.receipts.pipeline.extract_receipt` (no HTTP,
no database) and scores the four SROIE key fields the way the SROIE task 3 does: company and
address upper-cased, whitespace collapsed, exact string match; the total compared as a number;
the date compared as a parsed date (keys print dates in many formats).

Timing is OCR + extraction per receipt, the engine already loaded. OCR results are only reused
with ``--cache`` (kept under ``var/cache/receipts-ocr/<engine>/``, keyed by image hash; delete
the folder after changing the OCR engine), so the default timing is honest. ``--truth``
replaces OCR by the ground-truth line transcripts of ``box/*.csv`` to tell OCR errors from rule
errors (its timing is extraction only).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from server.documents.dates import parse_date
from server.documents.types import OcrLine, OcrPage, OcrResult, OcrWord
from server.ocr import recognise_document
from server.receipts.pipeline import ReceiptExtraction, extract_receipt

FIELDS = ("company", "date", "address", "total")
CACHE_DIR = Path(__file__).resolve().parents[1] / "var" / "cache" / "receipts-ocr"


# --------------------------------------------------------------------------------------- OCR


def recognise(data: bytes, *, engine: str) -> OcrResult:
    """OCR one receipt image with the shared engine (the same call the service makes)."""
    return recognise_document(data, content_type="image/jpeg", engine=engine)


def ocr_to_json(result: OcrResult) -> dict:
    return dataclasses.asdict(result)


def ocr_from_json(raw: dict) -> OcrResult:
    pages = []
    for p in raw["pages"]:
        lines = [
            OcrLine(
                text=ln["text"],
                box=tuple(ln["box"]),
                confidence=ln["confidence"],
                words=[
                    OcrWord(text=w["text"], box=tuple(w["box"]), confidence=w["confidence"])
                    for w in ln.get("words", [])
                ],
            )
            for ln in p["lines"]
        ]
        pages.append(
            OcrPage(
                index=p["index"],
                width=p["width"],
                height=p["height"],
                lines=lines,
                source=p["source"],
            )
        )
    return OcrResult(engine=raw["engine"], pages=pages)


def cached_recognise(data: bytes, *, engine: str) -> OcrResult:
    """OCR with a content-addressed cache, to iterate on the rules without re-running OCR."""
    folder = CACHE_DIR / engine
    path = folder / f"{hashlib.sha256(data).hexdigest()}.json"
    if path.exists():
        return ocr_from_json(json.loads(path.read_text(encoding="utf-8")))
    result = recognise(data, engine=engine)
    folder.mkdir(parents=True, exist_ok=True)  # under var/, which git ignores
    path.write_text(json.dumps(ocr_to_json(result)), encoding="utf-8")
    return result


def truth_ocr(csv_path: Path) -> OcrResult:
    """An OcrResult built from a SROIE ``box/*.csv`` transcript (confidence 1)."""
    lines = []
    width = height = 0
    for row in csv_path.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = row.strip("\r\n").split(",", 8)
        if len(parts) < 9 or not parts[8].strip():
            continue
        coords = [int(float(v)) for v in parts[:8]]
        xs, ys = coords[0::2], coords[1::2]
        box = (min(xs), min(ys), max(xs), max(ys))
        width, height = max(width, box[2]), max(height, box[3])
        lines.append(OcrLine(text=parts[8].strip(), box=box, confidence=1.0))
    page = OcrPage(index=0, width=width, height=height, lines=lines, source="truth")
    return OcrResult(engine="truth", pages=[page])


# ----------------------------------------------------------------------------------- scoring


def normalise_text(value: str | None) -> str:
    """SROIE comparison of company and address: upper case, whitespace collapsed."""
    return " ".join((value or "").upper().split())


def parse_amount(value: str | None) -> Decimal | None:
    """Key totals are strings like ``9.00``, ``$8.20`` or ``RM 1,234.50``."""
    if not value:
        return None
    digits = re.sub(r"[^0-9.\-]", "", value.replace(",", ""))
    try:
        return Decimal(digits)
    except InvalidOperation:
        return None


def field_correct(name: str, key: str, found: ReceiptExtraction) -> bool:
    if name == "company":
        got = found.merchant.value if found.merchant else None
        return normalise_text(got) == normalise_text(key) and bool(got)
    if name == "address":
        got = found.address.value if found.address else None
        return normalise_text(got) == normalise_text(key) and bool(got)
    if name == "total":
        expected = parse_amount(key)
        return found.total is not None and expected is not None and found.total.value == expected
    if name == "date":
        expected = parse_date(key)
        return found.date is not None and expected is not None and found.date.value == expected
    raise ValueError(name)


def field_value(name: str, found: ReceiptExtraction) -> str:
    attr = {"company": found.merchant, "address": found.address}.get(name)
    if name in ("company", "address"):
        return attr.value if attr else ""
    got = getattr(found, name)
    return "" if got is None else str(got.value)


@dataclass
class ReceiptScore:
    name: str
    correct: dict[str, bool]
    seconds: float


def receipt_ids(data: Path, split: str, limit: int | None) -> list[str]:
    ids = sorted(
        p.stem for p in (data / "key").glob("*.json") if (data / "img" / f"{p.stem}.jpg").exists()
    )
    half = len(ids) // 2
    if split == "first":
        ids = ids[:half]
    elif split == "second":
        ids = ids[half:]
    return ids[:limit] if limit else ids


def run(
    data: Path, ids: list[str], *, ocr: Callable[[str], OcrResult], verbose: bool
) -> list[ReceiptScore]:
    scores = []
    for name in ids:
        key = json.loads((data / "key" / f"{name}.json").read_text(encoding="utf-8"))
        started = time.perf_counter()
        extraction = extract_receipt(ocr(name))
        seconds = time.perf_counter() - started
        correct = {f: field_correct(f, key.get(f, ""), extraction) for f in FIELDS}
        scores.append(ReceiptScore(name=name, correct=correct, seconds=seconds))
        if verbose:
            for f in FIELDS:
                if not correct[f]:
                    print(
                        f"  {name} {f:8} want {key.get(f)!r}\n  {'':12} got  {field_value(f, extraction)!r}"
                    )
    return scores


def summarise(scores: list[ReceiptScore]) -> dict:
    n = len(scores)
    accuracy = {f: sum(s.correct[f] for s in scores) / n if n else 0.0 for f in FIELDS}
    accuracy["all"] = sum(all(s.correct.values()) for s in scores) / n if n else 0.0
    median = statistics.median(s.seconds for s in scores) if scores else 0.0
    return {"n": n, "accuracy": accuracy, "median_seconds": round(median, 4)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.receipts", description=(__doc__ or "").partition("\n")[0]
    )
    parser.add_argument("--data", type=Path, required=True, help="folder with img/ and key/")
    parser.add_argument("--json", type=Path, help="write the summary as JSON here")
    parser.add_argument("--engine", default="rapidocr")
    parser.add_argument("--limit", type=int)
    parser.add_argument(
        "--split",
        choices=("all", "first", "second"),
        default="all",
        help="first or second half of the sorted receipts (develop on one, check the other)",
    )
    parser.add_argument(
        "--cache", action="store_true", help="reuse cached OCR (timing then meaningless)"
    )
    parser.add_argument(
        "--truth", action="store_true", help="use box/*.csv transcripts instead of OCR"
    )
    parser.add_argument("--verbose", "-v", action="store_true", help="print every wrong field")
    args = parser.parse_args(argv)

    ids = receipt_ids(args.data, args.split, args.limit)
    if args.truth:

        def ocr(name: str) -> OcrResult:
            return truth_ocr(args.data / "box" / f"{name}.csv")
    else:
        recognise_fn = cached_recognise if args.cache else recognise
        if not args.cache and ids:  # load the models outside the timed loop
            recognise((args.data / "img" / f"{ids[0]}.jpg").read_bytes(), engine=args.engine)

        def ocr(name: str) -> OcrResult:
            return recognise_fn(
                (args.data / "img" / f"{name}.jpg").read_bytes(), engine=args.engine
            )

    scores = run(args.data, ids, ocr=ocr, verbose=args.verbose)
    summary = summarise(scores)
    source = "truth transcripts" if args.truth else f"OCR {args.engine}"
    print(f"receipts: {summary['n']}  source: {source}  split: {args.split}")
    for f in (*FIELDS, "all"):
        print(f"  {f:8} {summary['accuracy'][f]:6.1%}")
    print(
        f"  median seconds per receipt: {summary['median_seconds']:.3f}"
        + ("  (OCR cached: not a timing)" if args.cache and not args.truth else "")
    )
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
