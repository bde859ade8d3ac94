"""Image preparation before recognition: only steps measured to help, on SROIE receipts.

Measured here (character error rate, see bench/ocr.py; timings on a shared 2-core machine):
- tesseract, downscale so the longer side is at most 2500 px: on the nine receipts over 2500 px
  (five are A4 scans at 600 DPI, 4961x7016) CER 11.9% -> 8.9%, and ~20% faster (2000 px: 8.4%,
  within noise; 3500 px: worse). Tesseract is tuned for ~300 DPI text; 600 DPI hurts it.
- tesseract, upscaling small receipts (463-1080 px wide) to 1000 or 1400 px: CER 13.4% -> 14.5%
  / 14.1% on 20 receipts: not done.
- rapidocr, downscaling large images (3000/2000/1600 px): CER 3.4% -> 4.1/3.9/3.5%, no reliable
  speed gain (it resizes internally for detection): not done. Upscaling small ones: 5.5% -> 5.6%:
  not done.
- thresholding (Otsu, adaptive) before tesseract raised its CER (STACK-NOTES): not done.
- deskew: not measured, so not done (SROIE scans are straight).

``is_blank`` lives here too: it decides whether a page is worth recognising at all.
"""

from __future__ import annotations

from PIL import Image

from server.documents.types import Box

MAX_SIDE_RAPIDOCR: int | None = None
MAX_SIDE_TESSERACT: int | None = 2500

# A pixel is "ink" when it differs from the page's median grey by more than this.
_INK_CONTRAST = 64
# Fewer ink pixels than this share of the page (and than _MIN_INK_PIXELS) means blank.
_MIN_INK_SHARE = 1e-5
_MIN_INK_PIXELS = 20


def is_blank(image: Image.Image) -> bool:
    """True when the page is one flat colour: nothing for any recogniser to read.

    Deliberately strict (a single short word on an A4 page is far above the threshold): a page
    wrongly called blank would lose content, one wrongly OCRed only costs time.
    """
    import numpy as np

    grey = np.asarray(image.convert("L"))
    if grey.size == 0:
        return True
    needed = max(_MIN_INK_PIXELS, _MIN_INK_SHARE * grey.size)
    sample = grey[::4, ::4].astype(np.int16)
    median = int(np.median(sample))
    # The sample's pixels are some of the page's: enough ink among them settles it (any page
    # with text), without the pass over every pixel (~20 ms on a receipt photo).
    if np.count_nonzero(np.abs(sample - median) > _INK_CONTRAST) >= needed:
        return False
    ink = int(np.count_nonzero(np.abs(grey.astype(np.int16) - median) > _INK_CONTRAST))
    return ink < needed


def downscale(image: Image.Image, max_side: int | None) -> tuple[Image.Image, float]:
    """Shrink so the longer side is at most ``max_side``; returns the image and the factor."""
    if max_side is None or max(image.size) <= max_side:
        return image, 1.0
    factor = max_side / max(image.size)
    size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
    return image.resize(size, Image.Resampling.LANCZOS), factor


def prepare_for_rapidocr(image: Image.Image) -> tuple[Image.Image, float]:
    """Nothing measured helps RapidOCR (hook kept so both engines share one shape)."""
    return downscale(image, MAX_SIDE_RAPIDOCR)


def prepare_for_tesseract(image: Image.Image) -> tuple[Image.Image, float]:
    """Downscale very large scans, which measurably lowers tesseract's error and time."""
    return downscale(image, MAX_SIDE_TESSERACT)


def scale_box(box: Box, factor: float) -> Box:
    """Map a box found on an image resized by ``factor`` back to the caller's image."""
    if factor == 1.0:
        return box
    return (
        round(box[0] / factor),
        round(box[1] / factor),
        round(box[2] / factor),
        round(box[3] / factor),
    )
