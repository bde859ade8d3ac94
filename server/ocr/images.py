"""Safe image loading: size checks before decoding, upright orientation, plain RGB out.

Uploads are untrusted, so:
- only a few formats are accepted (``Image.open(formats=...)``): PIL has plugins for formats we
  never want to parse (EPS would even start Ghostscript);
- the pixel count is read from the header and refused *before* any pixel is decoded, so a
  few-kilobyte PNG declaring 30000x30000 pixels never allocates its gigabyte; PIL's own
  ``DecompressionBombError`` (raised at open time above ~179 Mpx) maps to the same code. That
  holds for every page of a multi-page TIFF (PIL only guards the first), and the page count
  itself is capped (``check_pages``, used at upload);
- truncated files are errors: ``ImageFile.LOAD_TRUNCATED_IMAGES`` stays off because half a
  receipt read as grey would silently produce wrong totals.

Everything comes out as 8-bit RGB with EXIF orientation applied, which is what both recognisers
expect and what the domains crop from.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import TYPE_CHECKING, BinaryIO

from PIL import Image, ImageOps, UnidentifiedImageError

from server.ocr.errors import ImageError

if TYPE_CHECKING:
    import numpy as np

DEFAULT_MAX_PIXELS = 40_000_000

# "JPEG" also opens MPO, what many phones write for photos.
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "TIFF")

# Failures PIL raises for corrupt, truncated or unsupported data.
_DECODE_ERRORS = (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, IndexError)


def _open(data: bytes | BinaryIO) -> Image.Image:
    """Open lazily (header only), mapping PIL's failures to our codes."""
    if isinstance(data, bytes | bytearray):
        data = io.BytesIO(data)
    else:
        data.seek(0)
    try:
        return Image.open(data, formats=ACCEPTED_FORMATS)
    except Image.DecompressionBombError as exc:
        raise ImageError("TOO_MANY_PIXELS", f"image refused by the decoder: {exc}") from exc
    except _DECODE_ERRORS as exc:
        raise ImageError(
            "UNREADABLE_IMAGE",
            f"not a readable image ({', '.join(ACCEPTED_FORMATS)} accepted): {exc}",
        ) from exc


def _check_pixels(size: tuple[int, int], max_pixels: int) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise ImageError("UNREADABLE_IMAGE", f"image has an empty size {width}x{height}")
    if width * height > max_pixels:
        raise ImageError(
            "TOO_MANY_PIXELS",
            f"image is {width}x{height} = {width * height:,} pixels; the limit is {max_pixels:,}",
        )


def image_size(data: bytes) -> tuple[int, int]:
    """Return ``(width, height)`` from the header only, so callers can refuse before decoding.

    Raises ImageError UNREADABLE_IMAGE, or TOO_MANY_PIXELS when the size is so large that PIL
    itself refuses to open the file.
    """
    with _open(data) as img:
        return img.size


def to_rgb(img: Image.Image) -> Image.Image:
    """Convert any decoded mode to 8-bit RGB; transparency is flattened onto white.

    White, not black, because transparent areas of scans and screenshots are paper, and the
    recognisers read dark text on light ground.
    """
    mode = img.mode
    if mode == "RGB":
        return img
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        import numpy as np

        return Image.fromarray(_to_uint8(np.asarray(img), mode), mode="L").convert("RGB")
    if mode == "P" and "transparency" in img.info:
        img, mode = img.convert("RGBA"), "RGBA"
    if mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = img.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return img.convert("RGB")


def _to_uint8(pixels: np.ndarray, mode: str) -> np.ndarray:
    """Scale 16/32-bit grey and float pixels to 0..255 (PIL's own convert clips instead)."""
    import numpy as np

    if mode == "F":
        values = pixels.astype(np.float64)
        if values.size and float(np.nanmax(values)) <= 1.0:
            values = values * 255.0
        return np.clip(np.nan_to_num(values), 0, 255).astype(np.uint8)
    values = pixels.astype(np.int64)
    if mode.startswith("I;16") or (values.size and int(values.max()) > 255):
        values = np.clip(values, 0, 65535) >> 8
    return np.clip(values, 0, 255).astype(np.uint8)


def _decode(frame: Image.Image) -> Image.Image:
    """Decode one frame fully, upright and in RGB."""
    frame.load()
    try:
        upright = ImageOps.exif_transpose(frame)
    except _DECODE_ERRORS:
        # A malformed EXIF block should not cost the whole image; keep it as stored.
        upright = frame
    rgb = to_rgb(upright if upright is not None else frame)
    # The caller closes the file-backed frame; what we return must not share it.
    return rgb.copy() if rgb is frame else rgb


def load_image(data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> Image.Image:
    """Decode the first (or only) frame to upright RGB.

    Raises ImageError UNREADABLE_IMAGE or TOO_MANY_PIXELS (checked before decoding).
    """
    return next(iter_images(data, max_pixels=max_pixels, max_frames=1))


def check_pages(
    source: bytes | BinaryIO, *, max_pixels: int, max_pages: int
) -> tuple[int, int, int]:
    """Check every page of an image (multi-page TIFF) from the headers alone, without decoding
    a pixel: each page's pixel count, and the number of pages (seeking at most `max_pages` + 1
    times, so a file declaring a million pages costs no more than one over the limit).

    Returns (width, height, pages) of the first page. Raises ImageError UNREADABLE_IMAGE,
    TOO_MANY_PIXELS or TOO_MANY_PAGES.
    """
    # `with`, not close(): leaving the block keeps a caller's file open (the upload is read on).
    with _open(source) as img:
        try:
            width, height = img.size
            _check_pixels(img.size, max_pixels)
            pages = 1
            while True:
                try:
                    img.seek(pages)
                except EOFError:
                    break
                pages += 1
                if pages > max_pages:
                    raise ImageError(
                        "TOO_MANY_PAGES", f"the image has more than {max_pages} pages (the limit)"
                    )
                _check_pixels(img.size, max_pixels)
            return width, height, pages
        except ImageError:
            raise
        except Image.DecompressionBombError as exc:
            raise ImageError("TOO_MANY_PIXELS", f"image refused by the decoder: {exc}") from exc
        except _DECODE_ERRORS as exc:
            raise ImageError("UNREADABLE_IMAGE", f"cannot read the image pages: {exc}") from exc


def count_frames(data: bytes) -> int:
    """Number of frames (multi-page TIFF), read from the headers without decoding pixels."""
    with _open(data) as img:
        try:
            return int(getattr(img, "n_frames", 1))
        except _DECODE_ERRORS as exc:
            raise ImageError("UNREADABLE_IMAGE", f"cannot read the image frames: {exc}") from exc


def iter_images(
    data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS, max_frames: int | None = None
) -> Iterator[Image.Image]:
    """Yield each frame (multi-page TIFF) as upright RGB, one at a time to bound memory.

    Every frame's size is checked before it is decoded. Raises ImageError.
    """
    img = _open(data)
    try:
        _check_pixels(img.size, max_pixels)
        frames = 1 if max_frames == 1 else int(getattr(img, "n_frames", 1))
        if max_frames is not None:
            frames = min(frames, max_frames)
        for index in range(frames):
            if index:
                img.seek(index)
                _check_pixels(img.size, max_pixels)
            yield _decode(img)
    except ImageError:
        raise
    except Image.DecompressionBombError as exc:
        raise ImageError("TOO_MANY_PIXELS", f"image refused by the decoder: {exc}") from exc
    except _DECODE_ERRORS as exc:
        raise ImageError("UNREADABLE_IMAGE", f"image data is corrupt or truncated: {exc}") from exc
    finally:
        img.close()
