"""Image loading: orientation, colour modes, and refusing bad or oversized input early."""

from __future__ import annotations

import io
import resource
import time

import numpy as np
import pytest
from PIL import Image, ImageFile

from server.ocr import ImageError, image_size, load_image, recognise_document
from server.ocr.images import iter_images
from tests.ocr.conftest import encode, png_bomb, render_rows


def test_exif_rotated_jpeg_is_read_upright() -> None:
    # given: an upright text image stored rotated, with EXIF Orientation 6 ("rotate 90 CW")
    upright = render_rows([((20, 20), "TOTAL 12.50")], size=(420, 90))
    stored = upright.transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6
    data = encode(stored, "JPEG", quality=95, exif=exif.tobytes())
    assert Image.open(io.BytesIO(data)).size == (90, 420)

    # when
    image = load_image(data)
    text = recognise_document(data, content_type="image/jpeg").text

    # then: the pixels match the upright original, and OCR reads the words
    assert image.size == (420, 90)
    difference = np.abs(np.asarray(image, dtype=np.int16) - np.asarray(upright, dtype=np.int16))
    assert difference.mean() < 4
    assert "TOTAL" in text.upper()
    assert "12.50" in text


def test_rgba_is_flattened_on_white() -> None:
    # given: transparent, opaque black and half-transparent black pixels
    rgba = Image.new("RGBA", (3, 1))
    rgba.putdata([(0, 0, 0, 0), (0, 0, 0, 255), (0, 0, 0, 128)])

    # when
    image = load_image(encode(rgba, "PNG"))

    # then
    assert image.mode == "RGB"
    assert list(image.getdata()) == [(255, 255, 255), (0, 0, 0), (127, 127, 127)]


@pytest.mark.parametrize("mode", ["LA", "P"])
def test_other_transparent_modes_are_flattened_on_white(mode: str) -> None:
    # given: a fully transparent image whose hidden colour is black
    if mode == "LA":
        source = Image.new("LA", (4, 4), (0, 0))
    else:
        source = Image.new("P", (4, 4), 0)
        source.info["transparency"] = 0

    # when
    image = load_image(encode(source, "PNG"))

    # then
    assert image.mode == "RGB"
    assert image.getpixel((1, 1)) == (255, 255, 255)


def test_cmyk_jpeg_becomes_rgb() -> None:
    # given: pure red and white written as CMYK
    cmyk = Image.new("CMYK", (16, 8), (0, 255, 255, 0))
    cmyk.paste((0, 0, 0, 0), (8, 0, 16, 8))

    # when
    image = load_image(encode(cmyk, "JPEG", quality=95))

    # then
    assert image.mode == "RGB"
    red, white = image.getpixel((2, 4)), image.getpixel((13, 4))
    assert red[0] > 230 and red[1] < 25 and red[2] < 25
    assert min(white) > 230


def test_sixteen_bit_grey_is_scaled_not_clipped() -> None:
    # given: 16-bit grey levels 0, 50% and 100%
    pixels = np.array([[0, 32768, 65535]], dtype=np.uint16)
    data = encode(Image.fromarray(pixels), "PNG")

    # when
    image = load_image(data)

    # then
    assert image.mode == "RGB"
    assert [value[0] for value in image.getdata()] == [0, 128, 255]


def test_truncated_jpeg_is_unreadable() -> None:
    # given: the first half of a JPEG
    data = encode(render_rows([((10, 10), "TOTAL")], size=(300, 200)), "JPEG")
    assert not ImageFile.LOAD_TRUNCATED_IMAGES

    # when / then
    with pytest.raises(ImageError) as error:
        load_image(data[: len(data) // 2])
    assert error.value.code == "UNREADABLE_IMAGE"
    assert not ImageFile.LOAD_TRUNCATED_IMAGES


@pytest.mark.parametrize(
    "data",
    [b"", b"not an image at all", encode(Image.new("RGB", (10, 10)), "GIF")],
    ids=["empty", "text", "gif-not-accepted"],
)
def test_unreadable_or_unaccepted_bytes(data: bytes) -> None:
    with pytest.raises(ImageError) as error:
        load_image(data)
    assert error.value.code == "UNREADABLE_IMAGE"


def test_png_bomb_is_refused_without_decoding() -> None:
    # given: a 30000x30000 PNG (900 Mpx, 112 MB even at 1 bit/px) in a tiny file
    bomb = png_bomb(30_000, 30_000)
    assert len(bomb) < 200_000
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    # when
    started = time.perf_counter()
    with pytest.raises(ImageError) as error:
        load_image(bomb)
    with pytest.raises(ImageError) as via_documents:
        recognise_document(bomb, content_type="image/png")
    elapsed = time.perf_counter() - started

    # then: refused from the header, quickly, without allocating the pixels (ru_maxrss in KiB)
    assert error.value.code == "TOO_MANY_PIXELS"
    assert via_documents.value.code == "TOO_MANY_PIXELS"
    assert elapsed < 0.5
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before < 50_000


def test_image_over_our_limit_but_under_pils_is_refused_before_decoding() -> None:
    # given: 8000x6000 = 48 Mpx: PIL would decode it, our 40 Mpx default must not
    data = png_bomb(8_000, 6_000)

    # when / then
    assert image_size(data) == (8_000, 6_000)
    with pytest.raises(ImageError) as error:
        load_image(data)
    assert error.value.code == "TOO_MANY_PIXELS"
    assert "48,000,000" in error.value.message
    assert load_image(data, max_pixels=50_000_000).size == (8_000, 6_000)


def test_image_size_reads_only_the_header() -> None:
    # given: a PNG cut right after its header chunk
    data = encode(Image.new("RGB", (1234, 567), "white"), "PNG")[:64]

    # when / then
    assert image_size(data) == (1234, 567)
    with pytest.raises(ImageError):
        load_image(data)


def test_multi_page_tiff_frames_are_each_loaded() -> None:
    # given: a two-frame TIFF with different sizes
    first, second = Image.new("RGB", (40, 30), "red"), Image.new("L", (20, 50), 0)
    buffer = io.BytesIO()
    first.save(buffer, format="TIFF", save_all=True, append_images=[second])

    # when
    frames = list(iter_images(buffer.getvalue()))

    # then
    assert [frame.size for frame in frames] == [(40, 30), (20, 50)]
    assert [frame.mode for frame in frames] == ["RGB", "RGB"]
    assert frames[0].getpixel((0, 0)) == (255, 0, 0)
    assert frames[1].getpixel((0, 0)) == (0, 0, 0)
