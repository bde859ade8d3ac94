"""The recognisers: one interface, ``recognise_image(image, languages) -> OcrPage``.

- ``rapidocr`` (``server.ocr.rapid``): PP-OCR models run by onnxruntime, bundled in the
  ``rapidocr`` wheel. About 4% character error on SROIE receipts against 15-20% for tesseract
  (see ``bench/ocr.py``), so it is the default. It boxes text *runs*, not lines, so rows are
  rebuilt by ``server.documents.layout``. Latin-script languages (the service's ``fra`` and
  ``eng``) are read with the recogniser cut to Latin-script characters (``server.ocr.latin``;
  the whole model if the cut fails); Chinese or Japanese with the whole multilingual model. A
  page turned 180 degrees comes back upright (``server.ocr.turned``).
- ``tesseract`` (``server.ocr.tesseract``): the system binary through pytesseract, ``--psm 6``.

Both take 8-bit RGB PIL images (see ``server.ocr.images``) and return boxes in that image's pixels.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from PIL import Image

from server.documents.types import OcrPage
from server.ocr.errors import OcrError
from server.ocr.rapid import RapidOcrEngine, looks_upright, onnx_threads, upright_sample
from server.ocr.tesseract import TesseractEngine

__all__ = [
    "DEFAULT_LANGUAGES",
    "ENGINES",
    "RapidOcrEngine",
    "Recogniser",
    "TesseractEngine",
    "get_engine",
    "looks_upright",
    "onnx_threads",
    "upright_sample",
]

DEFAULT_LANGUAGES: tuple[str, ...] = ("fra", "eng")


class Recogniser(Protocol):
    """What every engine offers; ``version()`` is None when it cannot run here."""

    name: str

    def version(self) -> str | None: ...

    def recognise_image(self, image: Image.Image, languages: Sequence[str]) -> OcrPage: ...


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
