"""Image loading: orientation, colour modes, and refusing bad or oversized input early."""

from __future__ import annotations

import io
import resource
import time

import numpy as np
import pytest
from PIL import Image, ImageFile

from server.ocr import ImageError, image_size, load_image, recognise_document
from server.ocr.images import check_pages, iter_images
from tests.ocr.conftest import encode, png_bomb, render_rows


@pytest.mark.slow
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
    assert np.asarray(image).reshape(-1, 3).tolist() == [
        [255, 255, 255],
        [0, 0, 0],
        [127, 127, 127],
    ]


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
    pixels = np.asarray(image)
    red, white = pixels[4, 2].tolist(), pixels[4, 13].tolist()
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
    assert np.asarray(image)[0, :, 0].tolist() == [0, 128, 255]


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


# --- multi-page TIFF: every page is checked, and pages are counted ------------------------------


def tiff_pages(sizes: list[tuple[int, int]]) -> bytes:
    """A little-endian 8-bit grey TIFF with one page per size, built by hand so that a page can
    declare any size: pages up to 1 Mpx carry their white pixels, larger ones only a header (a
    decoder would find them truncated; a header check never reads that far)."""
    import struct

    out = bytearray(b"II*\x00\x00\x00\x00\x00")
    strips = []
    for width, height in sizes:
        pixels = width * height
        strips.append((len(out), pixels))
        out += b"\xff" * (pixels if pixels <= 1_000_000 else 1)
    previous_link = 4  # where the offset of the next IFD is written
    for (width, height), (offset, length) in zip(sizes, strips, strict=True):
        if len(out) % 2:
            out += b"\x00"
        struct.pack_into("<I", out, previous_link, len(out))
        entries = [
            (256, 4, width), (257, 4, height), (258, 3, 8), (259, 3, 1), (262, 3, 1),
            (273, 4, offset), (277, 3, 1), (278, 4, height), (279, 4, length),
        ]  # fmt: skip
        out += struct.pack("<H", len(entries))
        for tag, kind, value in entries:
            out += struct.pack("<HHI", tag, kind, 1)
            out += struct.pack("<HH", value, 0) if kind == 3 else struct.pack("<I", value)
        previous_link = len(out)
        out += b"\x00\x00\x00\x00"
    return bytes(out)


def test_a_huge_second_tiff_page_is_refused_from_its_header() -> None:
    # given: page 1 is small, page 2 declares 30000x30000 (900 Mpx)
    data = tiff_pages([(40, 30), (30_000, 30_000)])
    assert Image.open(io.BytesIO(data)).size == (40, 30)  # what a first-page check saw

    # when / then
    with pytest.raises(ImageError) as error:
        check_pages(data, max_pixels=40_000_000, max_pages=20)
    assert error.value.code == "TOO_MANY_PIXELS"
    assert "30000x30000" in error.value.message


def test_the_pages_of_a_tiff_are_counted_up_to_the_cap() -> None:
    data = tiff_pages([(20, 10), (10, 20), (30, 30), (5, 5)])

    assert check_pages(data, max_pixels=1_000, max_pages=4) == (20, 10, 4)
    with pytest.raises(ImageError) as error:
        check_pages(data, max_pixels=1_000, max_pages=3)
    assert error.value.code == "TOO_MANY_PAGES"
    assert [frame.size for frame in iter_images(data)] == [(20, 10), (10, 20), (30, 30), (5, 5)]


EXTRACT = """
mutation Extract($input: ExtractTextInput!) {
  extractText(input: $input) { file { id } errors { field code message } }
}"""


@pytest.mark.parametrize(
    ("sizes", "max_pages", "code"),
    [([(40, 30), (30_000, 30_000)], 20, "TOO_MANY_PIXELS"), ([(8, 8)] * 4, 3, "TOO_MANY_PAGES")],
)
async def test_an_upload_checks_every_tiff_page_and_the_page_count(
    client, monkeypatch, sizes, max_pages, code
) -> None:
    # given
    from server.files.models import StoredFile
    from server.settings import get_settings
    from tests.factories import make_user
    from tests.files.uploads import upload

    monkeypatch.setattr(get_settings(), "max_image_pages", max_pages)
    account = await make_user()
    files = {"variables.input.file": ("scan.tiff", tiff_pages(sizes), "image/tiff")}

    # when
    response = await upload(client, EXTRACT, files, {"input": {}}, token=account.token)

    # then: refused before anything is stored
    payload = response.json()["data"]["extractText"]
    assert payload["file"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("file", code)]
    assert await StoredFile.filter(owner_id=account.user.id).count() == 0
