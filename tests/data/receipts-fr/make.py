"""Print the synthetic French/European test receipts from their texts (see README.md).

    .venv/bin/python tests/data/receipts-fr/make.py

Reads ``text/NNN.txt`` (exactly what the till prints, 40 columns) and writes ``img/NNN.jpg``; reads
``multi/key/MNN.json`` (two receipts each, by text id) and writes ``multi/img/MNN.jpg``, two
papers side by side on a dark table. Every random choice (font, size, ink, blur, noise, rotation,
perspective, placement) comes from a generator seeded with the receipt id, so a run reproduces the
committed images (given the same Pillow, OpenCV and fonts). Fonts are the monospace ones Pillow
finds on the machine (DejaVu Sans Mono, Liberation Mono); nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

HERE = Path(__file__).resolve().parent
FONTS = ("DejaVuSansMono.ttf", "LiberationMono-Regular.ttf")
SINGLE_WIDTH = 600  # output width of a one-receipt photo, pixels
MULTI_WIDTH = 1000
JPEG_QUALITY = 85


def rng_for(name: str) -> random.Random:
    return random.Random(int(hashlib.sha256(name.encode()).hexdigest()[:16], 16))


def print_paper(text: str, rng: random.Random) -> Image.Image:
    """The receipt as a thermal printer would print it: greyish ink on off-white paper."""
    font = ImageFont.truetype(rng.choice(FONTS), rng.randint(18, 22))
    lines = text.rstrip("\n").split("\n")
    left, top, right, bottom = font.getbbox("M" * 40)
    char_h = bottom - top
    line_h = int(char_h * rng.uniform(1.35, 1.6))
    margin_x, margin_y = rng.randint(18, 30), rng.randint(30, 50)
    width = int(right - left) + 2 * margin_x
    height = line_h * len(lines) + 2 * margin_y
    paper_tone = rng.randint(238, 250)
    paper = Image.new("L", (width, height), paper_tone)
    draw = ImageDraw.Draw(paper)
    ink = rng.randint(25, 70)
    for i, line in enumerate(lines):
        # Thermal heads fade unevenly: a few rows come out lighter.
        row_ink = ink + (rng.randint(20, 60) if rng.random() < 0.12 else 0)
        draw.text((margin_x, margin_y + i * line_h), line, font=font, fill=row_ink)
    return paper


def age(paper: Image.Image, rng: random.Random) -> np.ndarray:
    """Blur and grain on the paper alone (the ink spreads; the sensor adds noise later)."""
    blurred = paper.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 0.8)))
    pixels = np.asarray(blurred, dtype=np.float32)
    # A slow fade from one end of the roll to the other.
    fade = np.linspace(0, rng.uniform(0, 25), pixels.shape[0], dtype=np.float32)[:, None]
    if rng.random() < 0.5:
        fade = fade[::-1]
    return np.clip(pixels + fade * (pixels < 200), 0, 255)


def warp_onto(
    canvas: np.ndarray,
    paper: np.ndarray,
    origin: tuple[float, float],
    rng: random.Random,
) -> None:
    """Paste ``paper`` onto ``canvas`` (grey, in place) at ``origin``, turned by a small angle and
    seen in a slight perspective (corners moved by up to 3% of its width across, 1.2% up or down)."""
    h, w = paper.shape
    angle = np.deg2rad(rng.uniform(-3.0, 3.0))
    cx, cy = origin[0] + w / 2, origin[1] + h / 2
    corners = [(0.0, 0.0), (float(w), 0.0), (float(w), float(h)), (0.0, float(h))]
    dst = []
    for x, y in corners:
        x += rng.uniform(-0.03, 0.03) * w
        y += rng.uniform(-0.012, 0.012) * w
        dx, dy = x - w / 2, y - h / 2
        dst.append(
            [
                cx + dx * np.cos(angle) - dy * np.sin(angle),
                cy + dx * np.sin(angle) + dy * np.cos(angle),
            ]
        )
    matrix = cv2.getPerspectiveTransform(
        np.array(corners, dtype=np.float32), np.array(dst, dtype=np.float32)
    )
    size = (canvas.shape[1], canvas.shape[0])
    warped = cv2.warpPerspective(paper, matrix, size, flags=cv2.INTER_LINEAR, borderValue=0)
    mask = cv2.warpPerspective(np.ones_like(paper), matrix, size, flags=cv2.INTER_LINEAR)
    canvas[:] = canvas * (1 - mask) + warped * mask


def photograph(canvas: np.ndarray, rng: random.Random, np_rng: np.random.Generator) -> Image.Image:
    """Uneven light, camera blur and sensor noise, then a warm tint (an RGB photo)."""
    w = canvas.shape[1]
    light = np.linspace(rng.uniform(-20, 0), rng.uniform(0, 15), w, dtype=np.float32)[None, :]
    out = canvas + light
    out = cv2.GaussianBlur(out, (0, 0), rng.uniform(0.4, 1.0))
    out = out + np_rng.normal(0, rng.uniform(3, 8), out.shape).astype(np.float32)
    grey = np.clip(out, 0, 255)
    tint = np.array([1.0, rng.uniform(0.97, 1.0), rng.uniform(0.9, 0.97)], dtype=np.float32)
    rgb = np.clip(grey[:, :, None] * tint, 0, 255).astype(np.uint8)
    return Image.fromarray(rgb, "RGB")


def save(image: Image.Image, path: Path, width: int) -> None:
    height = round(image.height * width / image.width)
    image.resize((width, height), Image.Resampling.LANCZOS).save(
        path, "JPEG", quality=JPEG_QUALITY, optimize=True
    )


def single(name: str) -> None:
    rng = rng_for(name)
    np_rng = np.random.default_rng(rng.randrange(2**32))
    paper = age(print_paper((HERE / "text" / f"{name}.txt").read_text("utf-8"), rng), rng)
    h, w = paper.shape
    pad_x, pad_y = int(w * rng.uniform(0.06, 0.12)), int(h * rng.uniform(0.03, 0.06))
    table = np.full((h + 2 * pad_y, w + 2 * pad_x), rng.uniform(120, 170), dtype=np.float32)
    warp_onto(table, paper, (pad_x, pad_y), rng)
    save(photograph(table, rng, np_rng), HERE / "img" / f"{name}.jpg", SINGLE_WIDTH)


def multi(name: str, texts: list[str]) -> None:
    rng = rng_for(name)
    np_rng = np.random.default_rng(rng.randrange(2**32))
    papers = [
        age(print_paper((HERE / "text" / f"{t}.txt").read_text("utf-8"), rng), rng) for t in texts
    ]
    gap = 60
    height = max(p.shape[0] for p in papers) + 2 * gap
    width = sum(p.shape[1] for p in papers) + gap * (len(papers) + 1)
    table = np.full((height, width), rng.uniform(25, 50), dtype=np.float32)
    x = gap
    for paper in papers:
        y = gap + rng.randint(0, height - 2 * gap - paper.shape[0])
        warp_onto(table, paper, (x, y), rng)
        x += paper.shape[1] + gap
    save(photograph(table, rng, np_rng), HERE / "multi" / "img" / f"{name}.jpg", MULTI_WIDTH)


def main() -> None:
    (HERE / "img").mkdir(exist_ok=True)
    (HERE / "multi" / "img").mkdir(parents=True, exist_ok=True)
    for path in sorted((HERE / "text").glob("*.txt")):
        single(path.stem)
    for path in sorted((HERE / "multi" / "key").glob("*.json")):
        receipts = json.loads(path.read_text("utf-8"))["receipts"]
        multi(path.stem, [r["text"] for r in receipts])


if __name__ == "__main__":
    main()
