"""recognise_document and its async variant: content types, pages, progress, the event loop."""

from __future__ import annotations

import asyncio
import io
import threading

import pytest
from PIL import Image

from server.ocr import (
    OcrError,
    _recognise,
    recognise_document,
    recognise_document_async,
)
from tests.ocr.conftest import encode, render_rows

TOTAL_ROW = [((20, 20), "TOTAL 12.50")]


@pytest.fixture(scope="module")
def small_image() -> Image.Image:
    return render_rows(TOTAL_ROW, size=(360, 90))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [("JPEG", "image/jpeg"), ("PNG", "image/png; charset=binary"), ("WEBP", "image/webp")],
)
def test_image_types(small_image: Image.Image, fmt: str, content_type: str) -> None:
    result = recognise_document(encode(small_image, fmt, quality=95), content_type=content_type)

    assert len(result.pages) == 1
    assert "TOTAL 12.50" in result.text.upper()


@pytest.mark.slow
def test_multi_page_tiff_reports_progress_per_page() -> None:
    # given: a two-page TIFF, one word per page
    first = render_rows([((20, 20), "TOTAL")], size=(300, 90))
    second = render_rows([((20, 20), "12.50")], size=(300, 90))
    buffer = io.BytesIO()
    first.save(buffer, format="TIFF", save_all=True, append_images=[second])
    progress: list[tuple[float, str]] = []

    # when
    result = recognise_document(
        buffer.getvalue(),
        content_type="image/tiff",
        on_progress=lambda fraction, stage: progress.append((fraction, stage)),
    )

    # then
    assert [page.index for page in result.pages] == [0, 1]
    assert "TOTAL" in result.pages[0].text.upper()
    assert "12.50" in result.pages[1].text
    assert progress == [(0.0, "started"), (0.5, "page 1/2"), (1.0, "page 2/2")]


def test_tiff_with_too_many_frames_is_refused() -> None:
    frames = [Image.new("L", (10, 10), 255) for _ in range(3)]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="TIFF", save_all=True, append_images=frames[1:])

    with pytest.raises(OcrError) as error:
        recognise_document(buffer.getvalue(), content_type="image/tiff", max_pages=2)
    assert error.value.code == "TOO_MANY_PAGES"


def test_blank_image_is_an_empty_document() -> None:
    with pytest.raises(OcrError) as error:
        recognise_document(
            encode(Image.new("RGB", (300, 200), "white"), "PNG"), content_type="image/png"
        )
    assert error.value.code == "EMPTY_DOCUMENT"


@pytest.mark.parametrize(
    ("dots", "blank"),
    [
        ([], True),
        ([(0, y) for y in range(19)], True),  # 19 ink pixels on a 400 x 300 page: under 20
        ([(x, 0) for x in range(20)], False),  # 20 in a row, most between the sampled ones
        ([(4 * x, 4 * y) for x in range(10) for y in range(10)], False),  # all sampled
    ],
)
def test_a_page_is_blank_below_twenty_ink_pixels(dots: list[tuple[int, int]], blank: bool) -> None:
    from server.ocr.preprocess import is_blank

    # given: a white page with these black pixels
    page = Image.new("RGB", (400, 300), "white")
    for x, y in dots:
        page.putpixel((x + 100, y + 100), (0, 0, 0))

    # when / then
    assert is_blank(page) is blank


def test_unsupported_content_type(small_image: Image.Image) -> None:
    with pytest.raises(OcrError) as error:
        recognise_document(encode(small_image, "GIF"), content_type="image/gif")
    assert error.value.code == "UNSUPPORTED_TYPE"


def test_cancelled_work_stops_before_the_next_page(small_image: Image.Image) -> None:
    cancelled = threading.Event()
    cancelled.set()

    with pytest.raises(OcrError) as error:
        _recognise(
            encode(small_image, "PNG"),
            content_type="image/png",
            engine="rapidocr",
            languages=("fra",),
            on_progress=None,
            max_pixels=1_000_000,
            max_pages=1,
            cancelled=cancelled,
        )
    assert error.value.code == "CANCELLED"


@pytest.mark.slow
async def test_async_variant_keeps_the_loop_free(small_image: Image.Image) -> None:
    # given: a ticker that only advances when the event loop is free
    loop_thread = threading.get_ident()
    ticks = 0
    calls: list[tuple[float, str, int]] = []
    stop = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not stop.is_set():
            await asyncio.sleep(0.005)
            ticks += 1

    # four pages, so the work lasts well beyond a few ticks
    pages = [render_rows(TOTAL_ROW, size=(900, 900)) for _ in range(4)]
    buffer = io.BytesIO()
    pages[0].save(buffer, format="TIFF", save_all=True, append_images=pages[1:])
    ticking = asyncio.create_task(ticker())

    # when
    result = await recognise_document_async(
        buffer.getvalue(),
        content_type="image/tiff",
        on_progress=lambda f, s: calls.append((f, s, threading.get_ident())),
    )
    stop.set()
    await ticking

    # then: the loop ticked throughout, and every progress call ran on the loop thread
    assert len(result.pages) == 4
    assert ticks > 20
    assert [(f, s) for f, s, _ in calls] == [
        (0.0, "started"),
        (0.25, "page 1/4"),
        (0.5, "page 2/4"),
        (0.75, "page 3/4"),
        (1.0, "page 4/4"),
    ]
    assert {thread for _, _, thread in calls} == {loop_thread}


async def test_async_errors_are_typed(small_image: Image.Image) -> None:
    with pytest.raises(OcrError) as unknown:
        await recognise_document_async(
            encode(small_image, "PNG"), content_type="image/png", engine="x"
        )
    with pytest.raises(OcrError) as unreadable:
        await recognise_document_async(b"nope", content_type="image/png")

    assert unknown.value.code == "UNKNOWN_ENGINE"
    assert unreadable.value.code == "UNREADABLE_IMAGE"
