"""RapidOCR: PP-OCR models run by onnxruntime, bundled in the ``rapidocr`` wheel (nothing is
downloaded at run time). About 4% character error on SROIE receipts against 15-20% for
tesseract (see ``bench/ocr.py``), so it is the default. It boxes text *runs*, not lines, so
rows are rebuilt by ``server.documents.layout``.

``OCR_ONNX_THREADS`` (setting) is onnxruntime's threads per session; 0 (the default) gives each
of the ``JOB_CONCURRENCY`` receipts in flight its share of the cores (2 cores, 2 jobs: one thread
each). More threads than that only spin waiting for each other on the same cores. The test suite
sets it to 1: its workers already keep every core busy.
"""

from __future__ import annotations

import importlib.metadata
import logging
import os
import threading
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from PIL import Image

from server.documents.layout import build_lines
from server.documents.types import Box, OcrLine, OcrPage, OcrWord
from server.ocr.errors import OcrError
from server.ocr.latin import latin_cut_errors, latin_model
from server.ocr.preprocess import prepare_for_rapidocr, scale_box
from server.ocr.turned import (
    line_turned,
    lines_read_turned,
    looks_upright,
    turn_upright,
    turned_page,
    unmirror_words,
    upright_sample,
)
from server.settings import get_settings

# Languages (tesseract's codes and ISO 639-1) for which the whole multilingual recogniser is
# loaded instead of the Latin-script one.
CJK_LANGUAGES = frozenset(
    {"chi_sim", "chi_tra", "chi_sim_vert", "chi_tra_vert", "jpn", "jpn_vert", "zh", "ja"}
)

log = logging.getLogger("scanbase.ocr")


class RapidOcrEngine:
    """RapidOCR 3 (PP-OCR det + cls + rec on onnxruntime), one shared instance per process.

    Building it loads three ONNX sessions (~hundreds of ms), so it is built once, under a lock:
    one for Latin-script languages (the recogniser of ``server.ocr.latin``, the default) and, only
    when a caller asks for Chinese or Japanese (``CJK_LANGUAGES``), one with the whole model.
    The instances are always called without per-call options, which would mutate their shared
    configuration; onnxruntime sessions are safe to run from several threads and release the GIL.

    ``upright_pages`` / ``classified_pages`` count the pages whose sample of lines said "upright"
    (recognised without the angle classifier) and those the classifier turned line by line.
    """

    name = "rapidocr"

    def __init__(self) -> None:
        self._engines: dict[bool, Any] = {}
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

    def _instance(self, latin: bool = True) -> Any:
        engine = self._engines.get(latin)
        if engine is None:
            with self._lock:
                engine = self._engines.get(latin)
                if engine is None:
                    if self.version() is None:
                        raise OcrError(
                            "ENGINE_UNAVAILABLE", "rapidocr, onnxruntime or its models are missing"
                        )
                    engine = _upright_first_rapidocr()(
                        params=_rapidocr_params(), on_page=self._count_page, latin=latin
                    )
                    self._engines[latin] = engine
        return engine

    def recognise_image(self, image: Image.Image, languages: Sequence[str]) -> OcrPage:
        """OCR one page and rebuild its rows.

        ``languages`` only chooses the recogniser: the whole multilingual model when one of them
        is in ``CJK_LANGUAGES``, else the Latin-script one. A page that the angle classifier
        finds turned (most of its lines upside down) has every line read turned, those the
        classifier was unsure of too (``server.ocr.turned.lines_read_turned``), and is returned
        as turned upright: its boxes are mapped to the page rotated 180 degrees, so rows and
        words come in reading order.
        The words of each line read turned are first put back where they are printed
        (``server.ocr.turned.unmirror_words``).
        """
        engine = self._instance(latin=not CJK_LANGUAGES.intersection(languages))
        prepared, factor = prepare_for_rapidocr(image)
        import cv2
        import numpy as np

        # RapidOCR works on OpenCV's BGR channel order (one pass, no copy of an RGB page).
        rgb = prepared if prepared.mode == "RGB" else prepared.convert("RGB")
        pixels = cv2.cvtColor(np.asarray(rgb), cv2.COLOR_RGB2BGR)
        try:
            output, turned, rotated = engine.read(pixels)
        except Exception as exc:  # onnxruntime and OpenCV raise assorted types
            raise OcrError("ENGINE_FAILED", f"rapidocr failed: {exc}") from exc
        runs = _rapidocr_runs(output, factor)
        if rotated is None or len(rotated) != len(runs):
            rotated = [turned] * len(runs)  # RapidOCR's filters not followed: the page's verdict
        runs = [
            unmirror_words(run) if flag else run for run, flag in zip(runs, rotated, strict=True)
        ]
        if turned:
            runs = turn_upright(runs, image.width, image.height)
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
# Measured and not done (Latin recogniser, 1 thread, CPU s on SROIE; recognition alone on the
# cropped lines of 30-60 receipts, "drift" = character changes against batches of one):
# - batches of lines of similar width (padded to the widest): within 10% 0.525 -> 0.523 s,
#   drift 0.27%; within 25% 0.60 s; within 50%, up to 16 lines, 0.67 s.
# - onnxruntime's memory arena on: 0.54 -> 0.57 s. Graph optimisation is already ORT_ENABLE_ALL;
#   with one intra-op and one inter-op thread the execution mode changes nothing.
# - int8: dynamic quantisation of MatMul 0.55 -> 0.58 s, of everything 0.69 s (drift 7.4%);
#   static QDQ of the convolutions (calibrated on 12 receipts' lines) 0.55 -> 0.43 s, drift
#   1.5%; whole pipeline CPU median 0.88 -> 0.82 but all four 71.7 -> 58.3%: not done.
# - input height 32 px: the model's input is fixed at 48.
# - detector at 960 / 1120 px (against 1280 on the same code and hour: CPU median 0.88, all
#   four 71.7%, cv min 58.3): CPU 0.74 / 0.79, all four 61.7 / 70.0%, cv min 58.3 / 50.0
#   (1120: company 90.0 -> 86.7): left at 1280.
# - skipping lines of dashes: 0.35% of the recognised width; no box under 12 px high.
RAPIDOCR_DET_MAX_SIDE = 1280
RAPIDOCR_REC_MIN_WIDTH = 48
RAPIDOCR_REC_BATCH = 1


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
    return scale_box(box, factor)


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


@lru_cache(maxsize=1)
def _upright_first_rapidocr() -> Any:
    """RapidOCR whose angle classifier first looks at a few lines, and at all only when needed,
    and whose recogniser is the Latin-script one (``server.ocr.latin``) unless ``latin=False``.

    Measured with C1's sizing (one onnxruntime thread), the classifier on every line costs
    ~0.07 s per SROIE receipt and turns some upright lines upside down: without it, CER 3.91 ->
    3.26% and bench.receipts all-four 65.0 -> 66.7, but upside-down photos are then misread.
    ``cls_and_rotate`` is RapidOCR's own step (called once per page with the cropped lines), so
    the override changes no shared state; whether the page was turned, and which lines, is kept
    per thread for ``read``, which runs the whole page on the calling thread (the words of a
    turned line need mirroring back: ``server.ocr.turned``).

    When the Latin-script recogniser cannot be made, the whole one is loaded instead, once, with
    a warning (an engine that fails every page would still report itself available).
    """
    import cv2
    from omegaconf import flag_override
    from onnxruntime import InferenceSession
    from rapidocr import RapidOCR
    from rapidocr.ch_ppocr_cls import TextClsOutput
    from rapidocr.ch_ppocr_rec import TextRecognizer
    from rapidocr.inference_engine.base import FileInfo
    from rapidocr.inference_engine.onnxruntime import OrtInferSession

    class UprightFirstRapidOCR(RapidOCR):
        def __init__(
            self, params: dict[str, Any], on_page: Callable[[bool], None], latin: bool = True
        ) -> None:
            super().__init__(params=params)
            self._on_page = on_page
            self._latin = latin
            self._turned = threading.local()

        def read(self, pixels: Any) -> tuple[Any, bool, list[bool] | None]:
            """RapidOCR's output for one BGR page, whether most of its lines were turned, and
            which of its runs the classifier turned (None when that could not be followed)."""
            self._turned.value = False
            self._turned.crops = []
            self._turned.runs = None
            output = self(pixels)
            return output, bool(self._turned.value), self._turned.runs

        def cls_and_rotate(self, img: list[Any]) -> tuple[list[Any], Any]:
            classifier = self._load_cls_model()
            threshold = float(classifier.cls_thresh)
            sample = upright_sample([int(crop.shape[1]) for crop in img])
            checked = classifier([img[i] for i in sample])
            if looks_upright(checked.cls_res or [], threshold):
                self._on_page(True)
                self._turned.crops = [False] * len(img)
                return img, TextClsOutput(img_list=img, cls_res=None, elapse=checked.elapse)
            self._on_page(False)
            turned_img, result = super().cls_and_rotate(img)
            labels = result.cls_res or []
            self._turned.value = turned_page(labels, threshold)
            self._turned.crops = lines_read_turned(labels, threshold)
            # On a turned page, the lines the classifier was unsure of are turned too.
            turned_img = [
                cv2.rotate(crop, cv2.ROTATE_180)
                if flag and not line_turned(*label, threshold)
                else crop
                for crop, flag, label in zip(turned_img, self._turned.crops, labels, strict=True)
            ]
            return turned_img, result

        def run_ocr_steps(self, img: Any, op_record: dict[str, Any]) -> Any:
            """RapidOCR's steps; then which crops were turned, kept for the runs RapidOCR will
            return: it drops empty texts, then scores under ``text_score``, in crop order."""
            det_res, cls_res, rec_res, crops = super().run_ocr_steps(img, op_record)
            turned = self._turned.crops
            texts, scores = rec_res.txts, rec_res.scores
            if texts is not None and scores is not None and len(turned) == len(texts):
                self._turned.runs = [
                    flag
                    for flag, text, score in zip(turned, texts, scores, strict=True)
                    if text.strip() and score >= self.text_score
                ]
            return det_res, cls_res, rec_res, crops

        def _load_rec_model(self) -> Any:
            if self.text_rec is None and self._latin:
                with self._rec_model_lock:
                    if self.text_rec is None and self._latin:
                        cfg = self.cfg.Rec
                        try:
                            self.text_rec = self._latin_recogniser(cfg)
                        except latin_cut_errors() as exc:
                            # Recognising every page with the whole model beats failing them all.
                            detail = str(exc)
                            if isinstance(exc, OSError):  # its text names the file
                                detail = exc.strerror or "the model file was not read"
                            log.warning(
                                "the Latin-script recogniser could not be made (%s: %s): "
                                "RapidOCR's whole recogniser is used instead",
                                type(exc).__name__,
                                detail,
                            )
                            self._latin = False  # not tried again for every page
                            if cfg.get("session") is not None:
                                with flag_override(cfg, "allow_objects", True):
                                    cfg.session = None
            return super()._load_rec_model()

        def _latin_recogniser(self, cfg: Any) -> Any:
            """The recogniser cut to Latin-script characters (``server.ocr.latin``)."""
            cfg.engine_cfg = self.cfg.EngineConfig[cfg.engine_type.value]
            cfg.font_path = self.cfg.Global.font_path
            cfg.model_root_dir = self.cfg.Global.model_root_dir
            info = OrtInferSession.get_model_url(
                FileInfo(
                    engine_type=cfg.engine_type,
                    ocr_version=cfg.ocr_version,
                    task_type=cfg.task_type,
                    lang_type=cfg.lang_type,
                    model_type=cfg.model_type,
                )
            )
            path = Path(cfg.model_root_dir) / Path(info["model_dir"]).name
            session = InferenceSession(
                latin_model(path),
                sess_options=OrtInferSession._init_sess_opts(cfg.engine_cfg),
                providers=["CPUExecutionProvider"],
            )
            # RapidOCR takes a ready session from its config (``session``).
            with flag_override(cfg, "allow_objects", True):
                cfg.session = session
            return TextRecognizer(cfg)

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
