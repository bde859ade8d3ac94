"""OCR accuracy and speed on real receipts (ICDAR 2019 SROIE), per engine.

Run: ``python -m bench.ocr [--data DIR] [--limit N] [--engines rapidocr,tesseract]``
(``DIR`` defaults to ``<repo>/../shared/datasets/receipts-sroie``, with ``img/NNN.jpg`` and
``box/NNN.csv``).

Measures, one document at a time (a single worker), after one warm-up call per engine so model
loading is not counted:
- pages/second: pages divided by the summed wall time of ``recognise_document`` calls (image
  decoding included, as in production);
- median seconds per page;
- character error rate (CER), defined as follows. Both texts are *normalised*: lines joined
  with a space, upper-cased, every run of whitespace collapsed to one space, ends stripped. The
  CER of a page is the Levenshtein distance (insertions, deletions, substitutions, each 1)
  between normalised reference and hypothesis, divided by the reference length. The reference
  is the ``box/*.csv`` transcript with its boxes put in reading order (rows clustered by vertical
  overlap, then left to right; ``server.documents.layout``, the same rule RapidOCR's rows go through).
  The hypothesis is ``OcrResult.text`` as the engine returns it. The reported ``cer`` is the
  total distance over the total reference length (long receipts weigh more); ``mean_cer`` is the
  plain mean of per-page CERs.

The functions ``load_sroie_transcript``, ``normalise_text``, ``character_error_rate`` and
``run`` are reused by other benchmarks.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rapidfuzz.distance import Levenshtein

from server.documents.layout import group_rows
from server.documents.types import OcrLine
from server.ocr import DEFAULT_ENGINE, ENGINES, recognise_document

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[1].parent / "shared/datasets/receipts-sroie"


def load_sroie_transcript(path: Path | str) -> str:
    """Ground-truth text of one ``box/NNN.csv``, one line per row in reading order.

    Each row is ``x1,y1,x2,y2,x3,y3,x4,y4,text``: only the first 8 commas separate fields (the
    text may hold commas); some files have CRLF endings or a BOM.
    """
    runs: list[OcrLine] = []
    content = Path(path).read_text(encoding="utf-8-sig", errors="replace")
    for raw in content.splitlines():
        fields = raw.strip("\r\n").split(",", 8)
        if len(fields) < 9 or not fields[8].strip():
            continue
        try:
            coords = [int(float(value)) for value in fields[:8]]
        except ValueError:
            continue
        xs, ys = coords[0::2], coords[1::2]
        runs.append(OcrLine(fields[8].strip(), (min(xs), min(ys), max(xs), max(ys)), 1.0))
    return "\n".join(" ".join(run.text for run in row) for row in group_rows(runs))


def normalise_text(text: str) -> str:
    """Upper-case, every whitespace run (line breaks included) to one space, stripped."""
    return " ".join(text.upper().split())


def character_error_rate(reference: str, hypothesis: str) -> float:
    """Levenshtein distance between the normalised texts over the normalised reference length."""
    ref, hyp = normalise_text(reference), normalise_text(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    return Levenshtein.distance(ref, hyp) / len(ref)


def _receipts(data_dir: Path, limit: int | None) -> list[tuple[Path, Path]]:
    pairs = [
        (image, data_dir / "box" / f"{image.stem}.csv")
        for image in sorted((data_dir / "img").glob("*.jpg"))
        if (data_dir / "box" / f"{image.stem}.csv").exists()
    ]
    return pairs[:limit] if limit else pairs


def run(
    engines: Sequence[str] = (DEFAULT_ENGINE,),
    data_dir: Path | str = DEFAULT_DATA_DIR,
    limit: int | None = 20,
) -> dict[str, dict[str, Any]]:
    """Benchmark each engine on the first ``limit`` receipts; returns figures per engine.

    Per engine: ``pages``, ``pages_per_second``, ``median_seconds``, ``cer``, ``mean_cer``,
    ``worst`` (the receipt id with the highest CER and its CER).
    """
    receipts = _receipts(Path(data_dir), limit)
    if not receipts:
        raise FileNotFoundError(f"no img/*.jpg with box/*.csv under {data_dir}")
    references = {image.stem: load_sroie_transcript(box) for image, box in receipts}
    results: dict[str, dict[str, Any]] = {}
    for engine in engines:
        # Warm-up: builds the model sessions, which a long-running worker pays once.
        recognise_document(receipts[0][0].read_bytes(), content_type="image/jpeg", engine=engine)
        seconds: list[float] = []
        distances = 0
        reference_chars = 0
        per_page: dict[str, float] = {}
        for image, _box in receipts:
            data = image.read_bytes()
            started = time.perf_counter()
            result = recognise_document(data, content_type="image/jpeg", engine=engine)
            seconds.append(time.perf_counter() - started)
            reference = normalise_text(references[image.stem])
            hypothesis = normalise_text(result.text)
            distances += Levenshtein.distance(reference, hypothesis)
            reference_chars += len(reference)
            per_page[image.stem] = character_error_rate(reference, hypothesis)
        worst = max(per_page, key=per_page.__getitem__)
        results[engine] = {
            "pages": len(receipts),
            "pages_per_second": len(receipts) / sum(seconds),
            "median_seconds": statistics.median(seconds),
            "cer": distances / max(reference_chars, 1),
            "mean_cer": statistics.fmean(per_page.values()),
            "worst": (worst, per_page[worst]),
        }
    return results


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; prints one row per engine."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.ocr", description=(__doc__ or "").partition("\n")[0]
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR, help="SROIE folder")
    parser.add_argument("--limit", type=int, default=20, help="receipts per engine (0 = all)")
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated engine names")
    args = parser.parse_args(argv)
    engines = [name.strip() for name in args.engines.split(",") if name.strip()]
    unknown = [name for name in engines if name not in ENGINES]
    if unknown:
        parser.error(f"unknown engine(s): {', '.join(unknown)}; known: {', '.join(ENGINES)}")
    if not (args.data / "img").is_dir():
        print(f"dataset not found: {args.data} (expects img/*.jpg and box/*.csv)", file=sys.stderr)
        return 2

    results = run(engines, args.data, args.limit or None)
    print(
        f"{'engine':<10} {'pages':>5} {'pages/s':>8} {'median s/page':>14} "
        f"{'CER':>7} {'mean CER':>9}  worst"
    )
    for engine, figures in results.items():
        worst_id, worst_cer = figures["worst"]
        print(
            f"{engine:<10} {figures['pages']:>5} {figures['pages_per_second']:>8.2f} "
            f"{figures['median_seconds']:>14.2f} {figures['cer']:>7.1%} "
            f"{figures['mean_cer']:>9.1%}  {worst_id} ({worst_cer:.1%})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
