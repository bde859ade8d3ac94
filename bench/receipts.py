"""Receipt extraction accuracy on a folder in SROIE layout, whole-set and cross-validated.

    python -m bench.receipts --data DIR [--json OUT] [--engine rapidocr] [--lang fra,eng]
                             [--limit N] [--cache] [--truth] [--split first|second|all]
                             [--folds K] [--seed S] [--trainer MODULE:NAME]
                             [--concurrency N] [--cache-dir DIR] [--verbose]

``DIR`` holds ``img/NNN.jpg`` (or ``.png``) and ``key/NNN.json`` with at least ``company``,
``date``, ``address`` and ``total``. ``--truth`` replaces OCR by ground-truth transcripts: SROIE
``box/NNN.csv`` or, failing that, ``text/NNN.txt`` (one printed line per line, columns separated
by two spaces or more, as in ``tests/data/receipts-fr``). For each receipt the bench runs OCR then
the extractor (no HTTP, no database) and scores the four SROIE key fields the way SROIE task 3
does: company and address upper-cased, whitespace collapsed, exact string match; the total
compared as a number; the date compared as a parsed date (keys print dates in many formats).

OCR runs first for every receipt, ``--concurrency`` receipts in flight (default 2, as a worker
with two jobs), the engine already loaded; its seconds per receipt (median, p90) are printed
when OCR was really run, and its CPU seconds per receipt: the median/p90 of the CPU time of the
thread that OCRed each receipt (the receipt's whole cost when onnxruntime runs one thread,
``OCR_ONNX_THREADS=1``, as it does by default with two jobs on two cores) and the process's CPU
time over the run divided by the receipts (every thread). On a busy machine wall seconds grow
with the load; CPU seconds do not, and a receipt's CPU seconds are its wall seconds on a core of
its own. OCR results are only reused across runs with ``--cache`` (kept under
``var/cache/receipts-ocr/<engine>[-<langs>]/``, or ``--cache-dir``, keyed by the SHA-256 of the
image bytes only: delete the folder, or give another ``--cache-dir``, after changing the engine,
its settings, its preprocessing or its models); within one run every receipt is OCRed once
whatever the number of folds.

``--folds K`` splits the receipts into K folds (ids sorted, shuffled with a fixed seed, dealt
round-robin) and, for each fold, calls the trainer (``--trainer``, default
:func:`server.receipts.extractor.train_rules`, which learns nothing) with the other folds, then
scores the returned extractor on the held-out fold. The JSON then gains
``"folds": {"k", "seed", "per_fold": [...], "mean": {...}, "min": {...}}`` next to the
whole-set figures (trained on every receipt: a training-set figure for a learned extractor).

When ``DIR/multi/`` holds photos of several receipts (``multi/img/MNN.jpg``, ``multi/key/MNN.json``
with ``{"receipts": [key, ...]}``), OCR runs (not ``--truth``) also score them as the service
reads them: the photo split into papers (``server.documents.papers``), each crop OCRed and
extracted, then each expected receipt matched to an extracted one (the pairing with the most
right fields; an expected receipt left without a paper scores nothing). The JSON gains
``"multi": {"photos", "receipts", "papers_right", "accuracy"}`` (``papers_right``: the share of
photos split into as many papers as they hold).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import importlib
import itertools
import json
import math
import random
import re
import statistics
import sys
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from server.documents.dates import parse_date
from server.documents.papers import split_papers
from server.documents.types import OcrLine, OcrPage, OcrResult, OcrWord
from server.ocr import DEFAULT_LANGUAGES, recognise_document
from server.ocr.engines import onnx_threads
from server.receipts.extractor import ReceiptExtractor, Trainer, TrainingReceipt, train_rules
from server.receipts.pipeline import ReceiptExtraction

FIELDS = ("company", "date", "address", "total")
CACHE_DIR = Path(__file__).resolve().parents[1] / "var" / "cache" / "receipts-ocr"
IMAGE_SUFFIXES = (".jpg", ".png")
DEFAULT_SEED = 12
# Key of the whole OCR run's process CPU seconds in ``run_ocr``'s ``cpu_seconds``.
PROCESS_CPU = "*process*"
# Geometry of the boxes made up for ``text/*.txt`` transcripts (a monospace page).
CHAR_WIDTH, LINE_HEIGHT = 10, 20


# --------------------------------------------------------------------------------------- OCR


def content_type(path: Path) -> str:
    return "image/png" if path.suffix == ".png" else "image/jpeg"


def recognise(
    data: bytes,
    *,
    engine: str,
    languages: Sequence[str] = DEFAULT_LANGUAGES,
    content_type: str = "image/jpeg",
) -> OcrResult:
    """OCR one receipt image with the shared engine (the same call the service makes)."""
    return recognise_document(
        data, content_type=content_type, engine=engine, languages=tuple(languages)
    )


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


def cache_folder(engine: str, languages: Sequence[str]) -> Path:
    """One folder per engine, and per language list when it differs from the default."""
    if tuple(languages) == tuple(DEFAULT_LANGUAGES):
        return CACHE_DIR / engine
    return CACHE_DIR / f"{engine}-{'+'.join(languages)}"


def cached_ocr(data: bytes, *, engine: str, languages: Sequence[str]) -> OcrResult | None:
    path = cache_folder(engine, languages) / f"{hashlib.sha256(data).hexdigest()}.json"
    if not path.exists():
        return None
    return ocr_from_json(json.loads(path.read_text(encoding="utf-8")))


def store_ocr(data: bytes, result: OcrResult, *, engine: str, languages: Sequence[str]) -> None:
    folder = cache_folder(engine, languages)
    folder.mkdir(parents=True, exist_ok=True)  # under var/, which git ignores
    path = folder / f"{hashlib.sha256(data).hexdigest()}.json"
    path.write_text(json.dumps(ocr_to_json(result)), encoding="utf-8")


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


def text_ocr(text: str) -> OcrResult:
    """An OcrResult from a plain transcript: each run of text between 2+ spaces is one box,
    placed on a monospace grid (what a line-level OCR engine would return, confidence 1)."""
    lines = []
    rows = text.splitlines()
    for y, row in enumerate(rows):
        for match in re.finditer(r"\S+(?: \S+)*", row):
            box = (
                match.start() * CHAR_WIDTH,
                y * LINE_HEIGHT,
                match.end() * CHAR_WIDTH,
                y * LINE_HEIGHT + LINE_HEIGHT - 4,
            )
            lines.append(OcrLine(text=match.group(), box=box, confidence=1.0))
    width = max((len(r) for r in rows), default=0) * CHAR_WIDTH
    page = OcrPage(
        index=0, width=width, height=len(rows) * LINE_HEIGHT, lines=lines, source="truth"
    )
    return OcrResult(engine="truth", pages=[page])


def truth_for(data: Path, name: str) -> OcrResult:
    csv_path = data / "box" / f"{name}.csv"
    if csv_path.exists():
        return truth_ocr(csv_path)
    return text_ocr((data / "text" / f"{name}.txt").read_text(encoding="utf-8"))


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
    seconds: float  # OCR (0 when cached or from transcripts) + extraction


def image_path(data: Path, name: str) -> Path | None:
    for suffix in IMAGE_SUFFIXES:
        path = data / "img" / f"{name}{suffix}"
        if path.exists():
            return path
    return None


def receipt_ids(data: Path, split: str, limit: int | None, *, truth: bool = False) -> list[str]:
    """Ids with a key and an image (a transcript with ``truth``), sorted; ``split`` halves them."""

    def usable(name: str) -> bool:
        if truth:
            return (data / "box" / f"{name}.csv").exists() or (
                data / "text" / f"{name}.txt"
            ).exists()
        return image_path(data, name) is not None

    ids = sorted(p.stem for p in (data / "key").glob("*.json") if usable(p.stem))
    half = len(ids) // 2
    if split == "first":
        ids = ids[:half]
    elif split == "second":
        ids = ids[half:]
    return ids[:limit] if limit else ids


def make_folds(ids: Sequence[str], k: int, seed: int = DEFAULT_SEED) -> list[list[str]]:
    """K disjoint folds covering ``ids``: sorted, shuffled with ``seed``, dealt round-robin.

    Deterministic for a given set of ids, seed and K; fold sizes differ by at most one.
    """
    if k < 2:
        raise ValueError("--folds needs K >= 2")
    if k > len(ids):
        raise ValueError(f"--folds {k} with only {len(ids)} receipts")
    order = sorted(ids)
    random.Random(seed).shuffle(order)
    return [sorted(order[i::k]) for i in range(k)]


def load_keys(data: Path, ids: Sequence[str]) -> dict[str, dict[str, str]]:
    keys = {}
    for name in ids:
        raw = json.loads((data / "key" / f"{name}.json").read_text(encoding="utf-8"))
        if "receipts" in raw:
            raise SystemExit(
                f"key/{name}.json holds several receipts: multi-receipt photos are not scored yet"
            )
        keys[name] = {k: v for k, v in raw.items() if isinstance(v, str)}
    return keys


def score(
    ids: Sequence[str],
    *,
    ocrs: Mapping[str, OcrResult],
    keys: Mapping[str, Mapping[str, str]],
    extractor: ReceiptExtractor,
    ocr_seconds: Mapping[str, float] | None = None,
    verbose: bool = False,
) -> list[ReceiptScore]:
    scores = []
    for name in ids:
        key = keys[name]
        started = time.perf_counter()
        extraction = extractor.extract(ocrs[name])
        seconds = time.perf_counter() - started + (ocr_seconds or {}).get(name, 0.0)
        correct = {f: field_correct(f, key.get(f, ""), extraction) for f in FIELDS}
        scores.append(ReceiptScore(name=name, correct=correct, seconds=seconds))
        if verbose:
            for f in FIELDS:
                if not correct[f]:
                    print(
                        f"  {name} {f:8} want {key.get(f)!r}\n  {'':12} got  {field_value(f, extraction)!r}"
                    )
    return scores


def accuracy(scores: Sequence[ReceiptScore]) -> dict[str, float]:
    n = len(scores)
    result = {f: sum(s.correct[f] for s in scores) / n if n else 0.0 for f in FIELDS}
    result["all"] = sum(all(s.correct.values()) for s in scores) / n if n else 0.0
    return result


def summarise(scores: list[ReceiptScore]) -> dict:
    median = statistics.median(s.seconds for s in scores) if scores else 0.0
    return {"n": len(scores), "accuracy": accuracy(scores), "median_seconds": round(median, 4)}


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in [0, 100]) of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]


def cross_validate(
    folds: Sequence[Sequence[str]],
    *,
    ocrs: Mapping[str, OcrResult],
    keys: Mapping[str, Mapping[str, str]],
    trainer: Trainer,
    seed: int = DEFAULT_SEED,
    verbose: bool = False,
) -> dict:
    """Train on every fold but one, score the held-out one; per-fold, mean and min accuracy."""
    per_fold = []
    for index, held_out in enumerate(folds):
        held = set(held_out)
        training = [
            TrainingReceipt(id=name, ocr=ocrs[name], key=keys[name])
            for fold in folds
            for name in fold
            if name not in held
        ]
        extractor = trainer(training)
        if verbose:
            print(f" fold {index + 1}/{len(folds)}")
        scores = score(held_out, ocrs=ocrs, keys=keys, extractor=extractor, verbose=verbose)
        per_fold.append(
            {"fold": index, "n": len(scores), "ids": list(held_out), "accuracy": accuracy(scores)}
        )
    names = (*FIELDS, "all")
    return {
        "k": len(folds),
        "seed": seed,
        "per_fold": per_fold,
        "mean": {f: statistics.fmean(p["accuracy"][f] for p in per_fold) for f in names},
        "min": {f: min(p["accuracy"][f] for p in per_fold) for f in names},
    }


def load_trainer(spec: str | None) -> Trainer:
    """``module:name`` of a :data:`~server.receipts.extractor.Trainer`; the rules by default."""
    if not spec:
        return train_rules
    module, _, attr = spec.partition(":")
    return getattr(importlib.import_module(module), attr or "train")


def run_ocr(
    data: Path,
    ids: Sequence[str],
    *,
    engine: str,
    languages: Sequence[str],
    use_cache: bool,
    concurrency: int,
    cpu_seconds: dict[str, float] | None = None,
) -> tuple[dict[str, OcrResult], dict[str, float]]:
    """Every receipt's OCR, ``concurrency`` at a time; seconds only for the ones really run.

    ``cpu_seconds``, when given, receives each receipt's CPU seconds (the CPU time of the thread
    that OCRed it: all of the receipt's work when onnxruntime runs on the calling thread, i.e.
    with one onnxruntime thread) and, under ``PROCESS_CPU``, the whole process's CPU seconds
    over the OCR run (every thread, onnxruntime's own included).
    """
    if cpu_seconds is None:
        cpu_seconds = {}
    ocrs: dict[str, OcrResult] = {}
    to_run: list[tuple[str, Path, bytes]] = []
    for name in ids:
        path = image_path(data, name)
        assert path is not None
        raw = path.read_bytes()
        cached = cached_ocr(raw, engine=engine, languages=languages) if use_cache else None
        if cached is not None:
            ocrs[name] = cached
        else:
            to_run.append((name, path, raw))
    seconds: dict[str, float] = {}
    if not to_run:
        return ocrs, seconds
    # Warm-up outside the timed part: a worker loads its engine once.
    _, first_path, first_raw = to_run[0]
    recognise(first_raw, engine=engine, languages=languages, content_type=content_type(first_path))

    def one(item: tuple[str, Path, bytes]) -> tuple[str, OcrResult, float, float]:
        name, path, raw = item
        started, cpu_started = time.perf_counter(), time.thread_time()
        result = recognise(raw, engine=engine, languages=languages, content_type=content_type(path))
        return name, result, time.perf_counter() - started, time.thread_time() - cpu_started

    process_started = time.process_time()
    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        for name, result, took, cpu in pool.map(one, to_run):
            ocrs[name] = result
            seconds[name] = took
            cpu_seconds[name] = cpu
            if use_cache:
                raw = next(r for n, _, r in to_run if n == name)
                store_ocr(raw, result, engine=engine, languages=languages)
    cpu_seconds[PROCESS_CPU] = time.process_time() - process_started
    return ocrs, seconds


def cached_recognise(
    data: bytes, *, engine: str, languages: Sequence[str], use_cache: bool
) -> OcrResult:
    cached = cached_ocr(data, engine=engine, languages=languages) if use_cache else None
    if cached is not None:
        return cached
    result = recognise(data, engine=engine, languages=languages)
    if use_cache:
        store_ocr(data, result, engine=engine, languages=languages)
    return result


def score_multi(
    folder: Path,
    *,
    extractor: ReceiptExtractor,
    engine: str,
    languages: Sequence[str],
    use_cache: bool,
    verbose: bool = False,
) -> dict:
    """Photos of several receipts (``folder/img``, ``folder/key``): split, OCR each paper,
    extract, and match every expected receipt to an extracted one (see the module docstring)."""
    photos = sorted(p.stem for p in (folder / "key").glob("*.json") if image_path(folder, p.stem))
    right_split = 0
    scores: list[ReceiptScore] = []
    for name in photos:
        path = image_path(folder, name)
        assert path is not None
        wanted = json.loads((folder / "key" / f"{name}.json").read_text(encoding="utf-8"))
        keys = [{k: v for k, v in r.items() if isinstance(v, str)} for r in wanted["receipts"]]
        raw = path.read_bytes()
        crops = [c.jpeg for c in split_papers(raw)] or [raw]
        right_split += len(crops) == len(keys)
        found = [
            extractor.extract(
                cached_recognise(c, engine=engine, languages=languages, use_cache=use_cache)
            )
            for c in crops
        ]
        # every pairing of expected receipts with papers (None: no paper left for it)
        slots: list[int | None] = [*range(len(found)), *([None] * len(keys))]
        best: list[dict[str, bool]] = []
        for pairing in itertools.permutations(slots, len(keys)):
            marks = [
                {f: p is not None and field_correct(f, key.get(f, ""), found[p]) for f in FIELDS}
                for key, p in zip(keys, pairing, strict=True)
            ]
            if sum(sum(m.values()) for m in marks) > sum(sum(m.values()) for m in best):
                best = marks
        best = best or [dict.fromkeys(FIELDS, False) for _ in keys]
        for k, marks in enumerate(best):
            scores.append(ReceiptScore(name=f"{name}/{k}", correct=marks, seconds=0.0))
        if verbose:
            print(f"  {name}: {len(crops)} paper(s) for {len(keys)} receipts")
    return {
        "photos": len(photos),
        "receipts": len(scores),
        "papers_right": right_split / len(photos) if photos else 0.0,
        "accuracy": accuracy(scores),
    }


def main(argv: list[str] | None = None) -> int:
    global CACHE_DIR
    parser = argparse.ArgumentParser(
        prog="python -m bench.receipts", description=(__doc__ or "").partition("\n")[0]
    )
    parser.add_argument("--data", type=Path, required=True, help="folder with img/ and key/")
    parser.add_argument("--json", type=Path, help="write the summary as JSON here")
    parser.add_argument("--engine", default="rapidocr")
    parser.add_argument(
        "--lang",
        default=",".join(DEFAULT_LANGUAGES),
        help="OCR languages, comma-separated (tesseract only; rapidocr is multilingual)",
    )
    parser.add_argument("--limit", type=int)
    parser.add_argument(
        "--split",
        choices=("all", "first", "second"),
        default="all",
        help="first or second half of the sorted receipts (develop on one, check the other)",
    )
    parser.add_argument("--folds", type=int, help="also report K-fold cross-validated figures")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed of the fold split")
    parser.add_argument(
        "--trainer", help="MODULE:NAME of a Trainer (server.receipts.extractor); rules by default"
    )
    parser.add_argument(
        "--concurrency", type=int, default=2, help="receipts OCRed at the same time (default 2)"
    )
    parser.add_argument(
        "--cache", action="store_true", help="reuse cached OCR (timing then only for misses)"
    )
    parser.add_argument(
        "--cache-dir",
        type=Path,
        help="folder of the OCR cache (default var/cache/receipts-ocr)",
    )
    parser.add_argument(
        "--truth",
        action="store_true",
        help="use box/*.csv or text/*.txt transcripts instead of OCR",
    )
    parser.add_argument("--verbose", "-v", action="store_true", help="print every wrong field")
    args = parser.parse_args(argv)
    if args.cache_dir is not None:
        CACHE_DIR = args.cache_dir

    ids = receipt_ids(args.data, args.split, args.limit, truth=args.truth)
    if not ids:
        print(f"no receipts under {args.data} (img/ or transcripts with key/*.json)")
        return 1
    keys = load_keys(args.data, ids)
    languages = [lang.strip() for lang in args.lang.split(",") if lang.strip()]
    ocr_seconds: dict[str, float] = {}
    ocr_cpu: dict[str, float] = {}
    if args.truth:
        ocrs = {name: truth_for(args.data, name) for name in ids}
    else:
        ocrs, ocr_seconds = run_ocr(
            args.data,
            ids,
            engine=args.engine,
            languages=languages,
            use_cache=args.cache,
            concurrency=args.concurrency,
            cpu_seconds=ocr_cpu,
        )

    trainer = load_trainer(args.trainer)
    training = [TrainingReceipt(id=n, ocr=ocrs[n], key=keys[n]) for n in ids]
    scores = score(
        ids,
        ocrs=ocrs,
        keys=keys,
        extractor=trainer(training),
        ocr_seconds=ocr_seconds,
        verbose=args.verbose,
    )
    summary = summarise(scores)
    extraction = [s.seconds - ocr_seconds.get(s.name, 0.0) for s in scores]
    summary["extraction_median_seconds"] = round(statistics.median(extraction), 4)
    if ocr_seconds:
        values = list(ocr_seconds.values())
        summary["ocr_seconds"] = {
            "n": len(values),
            "concurrency": args.concurrency,
            "median": round(statistics.median(values), 3),
            "p90": round(percentile(values, 90), 3),
        }
        cpu = [v for k, v in ocr_cpu.items() if k != PROCESS_CPU]
        summary["ocr_cpu_seconds"] = {
            "n": len(cpu),
            "onnx_threads": onnx_threads(),
            "median": round(statistics.median(cpu), 3),
            "p90": round(percentile(cpu, 90), 3),
            "process_mean": round(ocr_cpu.get(PROCESS_CPU, 0.0) / len(cpu), 3),
        }
    if args.folds:
        summary["folds"] = cross_validate(
            make_folds(ids, args.folds, args.seed),
            ocrs=ocrs,
            keys=keys,
            trainer=trainer,
            seed=args.seed,
            verbose=args.verbose,
        )

    multi = args.data / "multi"
    if not args.truth and (multi / "key").is_dir():
        summary["multi"] = score_multi(
            multi,
            extractor=trainer(training),
            engine=args.engine,
            languages=languages,
            use_cache=args.cache,
            verbose=args.verbose,
        )

    source = "truth transcripts" if args.truth else f"OCR {args.engine} ({'+'.join(languages)})"
    print(f"receipts: {summary['n']}  source: {source}  split: {args.split}")
    header = f"  {'':8} {'whole':>7}"
    if args.folds:
        header += f" {'cv mean':>8} {'cv min':>7}"
    print(header)
    for f in (*FIELDS, "all"):
        line = f"  {f:8} {summary['accuracy'][f]:7.1%}"
        if args.folds:
            line += f" {summary['folds']['mean'][f]:8.1%} {summary['folds']['min'][f]:7.1%}"
        print(line)
    if args.folds:
        print(
            f"  folds: {args.folds} (seed {args.seed}), 'all' per fold: "
            + " ".join(f"{p['accuracy']['all']:.0%}" for p in summary["folds"]["per_fold"])
        )
    if "ocr_seconds" in summary:
        o = summary["ocr_seconds"]
        print(
            f"  OCR seconds per receipt ({o['n']} run, {o['concurrency']} in flight): "
            f"median {o['median']:.2f}, p90 {o['p90']:.2f}"
        )
        c = summary["ocr_cpu_seconds"]
        print(
            f"  OCR CPU seconds per receipt ({c['onnx_threads']} onnxruntime thread(s)): "
            f"median {c['median']:.2f}, p90 {c['p90']:.2f} (receipt's thread); "
            f"process mean {c['process_mean']:.2f} (every thread)"
        )
    elif not args.truth:
        print("  OCR all cached: no OCR timing")
    print(f"  extraction median seconds: {summary['extraction_median_seconds']:.4f}")
    if "multi" in summary:
        m = summary["multi"]
        print(
            f"  multi/: {m['photos']} photos, {m['receipts']} receipts, split right "
            f"{m['papers_right']:.0%}; "
            + " ".join(f"{f} {m['accuracy'][f]:.1%}" for f in (*FIELDS, "all"))
        )
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
