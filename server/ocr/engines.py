"""The recognisers: one interface, ``recognise_image(image, languages) -> OcrPage``.

- ``rapidocr``: PP-OCR models run by onnxruntime, bundled in the ``rapidocr`` wheel (nothing is
  downloaded at run time). About 4% character error on SROIE receipts against 15-20% for
  tesseract (see ``bench/ocr.py``), so it is the default. It boxes text *runs*, not lines, so
  rows are rebuilt by ``server.documents.layout``. The model is multilingual (Latin scripts, Chinese,
  Japanese): ``languages`` does not change it.
- ``tesseract``: the system binary through pytesseract, ``--psm 6`` (one uniform block; measured
  slightly better than psm 4 on receipts). No thresholding: it did not lower the error here.

Both take 8-bit RGB PIL images (see ``server.ocr.images``) and return boxes in that image's pixels.

``OCR_ONNX_THREADS`` (setting) is onnxruntime's threads per session; 0 (the default) gives each
of the ``JOB_CONCURRENCY`` receipts in flight its share of the cores (2 cores, 2 jobs: one thread
each). More threads than that only spin waiting for each other on the same cores. The test suite
sets it to 1: its workers already keep every core busy.
"""

from __future__ import annotations

import importlib.metadata
import os
import threading
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from PIL import Image

from server.documents.boxes import union_box
from server.documents.layout import build_lines
from server.documents.types import Box, OcrLine, OcrPage, OcrWord
from server.ocr.errors import OcrError
from server.ocr.preprocess import prepare_for_rapidocr, prepare_for_tesseract
from server.settings import get_settings

DEFAULT_LANGUAGES: tuple[str, ...] = ("fra", "eng")

# Tesseract names languages with ISO 639-2 codes; accept the common 639-1 spelling too.
_TESSERACT_ALIASES = {"fr": "fra", "en": "eng", "de": "deu", "es": "spa", "it": "ita", "nl": "nld"}
TESSERACT_CONFIG = "--psm 6"
TESSERACT_TIMEOUT_SECONDS = 120


class Recogniser(Protocol):
    """What every engine offers; ``version()`` is None when it cannot run here."""

    name: str

    def version(self) -> str | None: ...

    def recognise_image(self, image: Image.Image, languages: Sequence[str]) -> OcrPage: ...


def _scale_box(box: Box, factor: float) -> Box:
    """Map a box found on a resized image back to the caller's image."""
    if factor == 1.0:
        return box
    return (
        round(box[0] / factor),
        round(box[1] / factor),
        round(box[2] / factor),
        round(box[3] / factor),
    )


class TesseractEngine:
    """Tesseract 5 via pytesseract; a subprocess per page, so it never holds the GIL."""

    name = "tesseract"

    def version(self) -> str | None:
        return _tesseract_version()

    def languages(self) -> frozenset[str]:
        return _tesseract_languages()

    def _language_arg(self, languages: Sequence[str]) -> str:
        wanted = [_TESSERACT_ALIASES.get(lang, lang) for lang in languages] or ["eng"]
        missing = [lang for lang in wanted if lang not in self.languages()]
        if missing:
            raise OcrError(
                "UNSUPPORTED_LANGUAGE",
                f"tesseract has no model for {', '.join(missing)} "
                f"(installed: {', '.join(sorted(self.languages())) or 'none'})",
            )
        return "+".join(dict.fromkeys(wanted))

    def recognise_image(self, image: Image.Image, languages: Sequence[str]) -> OcrPage:
        """OCR one page; words are grouped into lines by tesseract's block/paragraph/line ids."""
        import pytesseract

        if self.version() is None:
            raise OcrError("ENGINE_UNAVAILABLE", "the tesseract binary is not installed")
        lang = self._language_arg(languages)
        prepared, factor = prepare_for_tesseract(image)
        try:
            data = pytesseract.image_to_data(
                prepared,
                lang=lang,
                config=TESSERACT_CONFIG,
                output_type=pytesseract.Output.DICT,
                timeout=TESSERACT_TIMEOUT_SECONDS,
            )
        except (pytesseract.TesseractError, RuntimeError, OSError) as exc:
            raise OcrError("ENGINE_FAILED", f"tesseract failed: {exc}") from exc
        return OcrPage(
            index=0,
            width=image.width,
            height=image.height,
            lines=_tesseract_lines(data, factor),
            source=self.name,
        )


def _tesseract_lines(data: dict[str, list[Any]], factor: float) -> list[OcrLine]:
    grouped: dict[tuple[int, int, int], list[OcrWord]] = {}
    for i, raw_text in enumerate(data["text"]):
        text = str(raw_text).strip()
        confidence = float(data["conf"][i])
        if not text or confidence < 0:  # -1 marks page/block/line rows, not words
            continue
        left, top = int(data["left"][i]), int(data["top"][i])
        box = (left, top, left + int(data["width"][i]), top + int(data["height"][i]))
        key = (int(data["block_num"][i]), int(data["par_num"][i]), int(data["line_num"][i]))
        grouped.setdefault(key, []).append(
            OcrWord(text, _scale_box(box, factor), min(max(confidence / 100.0, 0.0), 1.0))
        )
    lines = []
    for words in grouped.values():
        lines.append(
            OcrLine(
                text=" ".join(word.text for word in words),
                box=union_box(word.box for word in words),
                confidence=sum(word.confidence for word in words) / len(words),
                words=words,
            )
        )
    return lines


@lru_cache(maxsize=1)
def _tesseract_version() -> str | None:
    try:
        import pytesseract

        return str(pytesseract.get_tesseract_version())
    except Exception:  # not installed, not on PATH, or not runnable: all mean "unavailable"
        return None


@lru_cache(maxsize=1)
def _tesseract_languages() -> frozenset[str]:
    try:
        import pytesseract

        return frozenset(pytesseract.get_languages(config=""))
    except Exception:
        return frozenset()


class RapidOcrEngine:
    """RapidOCR 3 (PP-OCR det + cls + rec on onnxruntime), one shared instance per process.

    Building it loads three ONNX sessions (~hundreds of ms), so it is built once, under a lock.
    The instance is always called without per-call options, which would mutate its shared
    configuration; onnxruntime sessions are safe to run from several threads and release the GIL.

    ``upright_pages`` / ``classified_pages`` count the pages whose sample of lines said "upright"
    (recognised without the angle classifier) and those the classifier turned line by line.
    """

    name = "rapidocr"

    def __init__(self) -> None:
        self._engine: Any = None
        self._lock = threading.Lock()
        self._count_lock = threading.Lock()
        self.upright_pages = 0
        self.classified_pages = 0

    def _count_page(self, upright: bool) -> None:
        with self._count_lock:
            if upright:
                self.upright_pages += 1
            else:
                self.classified_pages += 1

    def version(self) -> str | None:
        return _rapidocr_version()

    def _instance(self) -> Any:
        if self._engine is None:
            with self._lock:
                if self._engine is None:
                    if self.version() is None:
                        raise OcrError(
                            "ENGINE_UNAVAILABLE", "rapidocr, onnxruntime or its models are missing"
                        )
                    self._engine = _upright_first_rapidocr()(
                        params=_rapidocr_params(), on_page=self._count_page
                    )
        return self._engine

    def recognise_image(self, image: Image.Image, languages: Sequence[str]) -> OcrPage:
        """OCR one page and rebuild its rows; ``languages`` is ignored (multilingual model)."""
        engine = self._instance()
        prepared, factor = prepare_for_rapidocr(image)
        import numpy as np

        # RapidOCR works on OpenCV's BGR channel order.
        pixels = np.ascontiguousarray(np.asarray(prepared.convert("RGB"))[:, :, ::-1])
        try:
            output = engine(pixels)
        except Exception as exc:  # onnxruntime and OpenCV raise assorted types
            raise OcrError("ENGINE_FAILED", f"rapidocr failed: {exc}") from exc
        runs = _rapidocr_runs(output, factor)
        return OcrPage(
            index=0,
            width=image.width,
            height=image.height,
            lines=build_lines(runs),
            source=self.name,
        )


# Measured in CPU seconds per receipt with one onnxruntime thread (what a receipt costs on a core
# of its own: 2 cores, 2 receipts in flight), detection/classifier/recognition apart:
# - the detector gets the page with its longer side at most 1280 px instead of its shorter side
#   stretched to at least 736 px (RapidOCR's default, which enlarges a 623x1255 receipt photo to
#   736x1472 and a 600x357 ticket to 1237x736): SROIE detection ~1.05 -> ~0.45 s. Lines are
#   still cropped from the full-size page for recognition.
# - each line is recognised at its own width (batches of one, no 320 px minimum): RapidOCR pads
#   every line of a batch to the widest one and to at least 320 px, and most receipt runs are
#   short (prices, quantities, "RM"): recognition 1.8 -> 1.0 s on a 45-run receipt (batches of 6
#   without the minimum 1.26 s, of 16 2.06 s).
# - the angle classifier stays (~0.07 s: it turns upside-down lines), but only for pages that
#   need it: see ``_upright_first_rapidocr``.
# Together, 10 SROIE + 8 French receipts: median 3.08 -> 1.87 / 1.28 -> 0.86 s (before the
# batches of one); all 60 SROIE: median 1.82, p90 2.64; French 16: 0.67 / 0.80. Character error
# (bench/ocr.py's CER) on SROIE 3.67% -> 3.91%, on the French texts 23.5% -> 21.5% (their
# transcripts are column-spaced, hence the level); bench.receipts all-four 63.3 -> 65.0 (SROIE),
# 93.8 -> 100 (French).
RAPIDOCR_DET_MAX_SIDE = 1280
RAPIDOCR_REC_MIN_WIDTH = 48
RAPIDOCR_REC_BATCH = 1

# The angle classifier's page test: the widest detected lines (the most text each) are
# classified first; when at most RAPIDOCR_UPRIGHT_MAX_TURNED of them would be turned (label
# "180" above RapidOCR's cls_thresh), the page is upright and every line is recognised as
# cropped. Otherwise the classifier runs on every line, as RapidOCR does by default.
# Every SROIE and French page is judged upright: SROIE 60 CPU median 1.82 -> 1.68-1.76, p90
# 2.63 -> 2.39-2.64 (two runs), all-four 65.0 -> 66.7 (cv min 58.3 both); French 16 unchanged
# (0.71 -> 0.72, few lines: the sample is the whole page), all-four 100.
RAPIDOCR_UPRIGHT_SAMPLE = 6
RAPIDOCR_UPRIGHT_MAX_TURNED = 1


def _rapidocr_params() -> dict[str, Any]:
    params: dict[str, Any] = {
        "Global.log_level": "warning",
        # Per-word boxes from the recogniser's own character positions.
        "Global.return_word_box": True,
        "Det.limit_type": "max",
        "Det.limit_side_len": RAPIDOCR_DET_MAX_SIDE,
        "Rec.rec_img_shape": [3, 48, RAPIDOCR_REC_MIN_WIDTH],
        "Rec.rec_batch_num": RAPIDOCR_REC_BATCH,
    }
    params["EngineConfig.onnxruntime.intra_op_num_threads"] = onnx_threads()
    params["EngineConfig.onnxruntime.inter_op_num_threads"] = 1
    return params


def onnx_threads() -> int:
    """onnxruntime threads per session: ``OCR_ONNX_THREADS``, or 0 for the cores per job in flight."""
    settings = get_settings()
    if settings.ocr_onnx_threads > 0:
        return settings.ocr_onnx_threads
    return max(1, (os.cpu_count() or 1) // max(1, settings.job_concurrency))


def _quad_box(points: Any, factor: float) -> Box:
    import numpy as np

    quad = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    box = (
        int(np.floor(quad[:, 0].min())),
        int(np.floor(quad[:, 1].min())),
        int(np.ceil(quad[:, 0].max())),
        int(np.ceil(quad[:, 1].max())),
    )
    return _scale_box(box, factor)


def _rapidocr_runs(output: Any, factor: float) -> list[OcrLine]:
    """Turn RapidOCR's parallel tuples into runs; empty output means no text found."""
    boxes = getattr(output, "boxes", None)
    texts = getattr(output, "txts", None)
    scores = getattr(output, "scores", None)
    if boxes is None or texts is None or scores is None:
        return []
    word_results = getattr(output, "word_results", None) or ()
    # RapidOCR drops empty word lists when filtering, which can misalign the tuples:
    # only trust per-word boxes when there is exactly one list per run.
    aligned = len(word_results) == len(texts)
    runs = []
    for i, (quad, text, score) in enumerate(zip(boxes, texts, scores, strict=True)):
        words: list[OcrWord] = []
        if aligned:
            words = [
                OcrWord(str(w_text), _quad_box(w_box, factor), float(w_score))
                for w_text, w_score, w_box in word_results[i]
                if str(w_text).strip()
            ]
            # Keep them only when they spell the run (the box maths can lose a word).
            if "".join(w.text for w in words) != "".join(str(text).split()):
                words = []
        runs.append(OcrLine(str(text), _quad_box(quad, factor), float(score), words))
    return runs


def upright_sample(widths: Sequence[int], size: int = RAPIDOCR_UPRIGHT_SAMPLE) -> list[int]:
    """Indices of the ``size`` widest lines, widest first (ties keep detection order)."""
    order = sorted(range(len(widths)), key=lambda i: -widths[i])
    return order[:size]


def looks_upright(
    labels: Sequence[tuple[str, float]],
    threshold: float,
    max_turned: int = RAPIDOCR_UPRIGHT_MAX_TURNED,
) -> bool:
    """Whether a sample's (label, score) pairs say the page is upright.

    A line counts as turned when the classifier would turn it (``"180"`` above ``threshold``).
    A small sample (fewer than four lines) must have none turned: one vote is half of two.
    """
    if not labels:
        return True
    turned = sum(1 for label, score in labels if "180" in label and score > threshold)
    allowed = max_turned if len(labels) >= 4 else 0
    return turned <= allowed


@lru_cache(maxsize=1)
def _upright_first_rapidocr() -> Any:
    """RapidOCR whose angle classifier first looks at a few lines, and at all only when needed.

    Measured with C1's sizing (one onnxruntime thread), the classifier on every line costs
    ~0.07 s per SROIE receipt and turns some upright lines upside down: without it, CER 3.91 ->
    3.26% and bench.receipts all-four 65.0 -> 66.7, but upside-down photos are then misread.
    ``cls_and_rotate`` is RapidOCR's own step (called once per page with the cropped lines), so
    the override changes no shared state and stays safe across threads.
    """
    from rapidocr import RapidOCR
    from rapidocr.ch_ppocr_cls import TextClsOutput

    class UprightFirstRapidOCR(RapidOCR):
        def __init__(self, params: dict[str, Any], on_page: Callable[[bool], None]) -> None:
            super().__init__(params=params)
            self._on_page = on_page

        def cls_and_rotate(self, img: list[Any]) -> tuple[list[Any], Any]:
            classifier = self._load_cls_model()
            sample = upright_sample([int(crop.shape[1]) for crop in img])
            checked = classifier([img[i] for i in sample])
            if looks_upright(checked.cls_res or [], float(classifier.cls_thresh)):
                self._on_page(True)
                return img, TextClsOutput(img_list=img, cls_res=None, elapse=checked.elapse)
            self._on_page(False)
            return super().cls_and_rotate(img)

    return UprightFirstRapidOCR


@lru_cache(maxsize=1)
def _rapidocr_version() -> str | None:
    try:
        import onnxruntime  # noqa: F401
        import rapidocr

        models = Path(rapidocr.__file__).parent / "models"
        if not any(models.glob("*.onnx")):
            return None
        return importlib.metadata.version("rapidocr")
    except Exception:
        return None


ENGINES: dict[str, Recogniser] = {
    "rapidocr": RapidOcrEngine(),
    "tesseract": TesseractEngine(),
}


def get_engine(name: str) -> Recogniser:
    """The recogniser called ``name``; raises OcrError UNKNOWN_ENGINE."""
    try:
        return ENGINES[name]
    except KeyError:
        raise OcrError(
            "UNKNOWN_ENGINE", f"unknown OCR engine {name!r}; choose one of {', '.join(ENGINES)}"
        ) from None
