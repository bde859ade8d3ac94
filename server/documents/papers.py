"""Finding the paper sheets in a photo: several receipts photographed together on a table.

Pure and CPU-bound (OpenCV): callers run it in a worker thread. `find_papers` looks at a copy
downscaled to `WORK_SIZE` pixels: papers are the bright, nearly rectangular regions (Otsu
threshold, a closing that fills the printed text, outer contours, `minAreaRect`). A photo is
split only when it holds two or more such regions that each look like a whole sheet:

- large enough (`MIN_AREA` of the frame) and filling their rotated rectangle (`MIN_FILL`: a
  sheet is a quadrilateral, a patch of light or a crumpled half is not);
- not touching the frame's edge (a sheet cut by the frame, or a scan whose paper fills the
  frame, is one document);
- not wider than tall by more than `MAX_WIDE` once upright (receipts are long, card slips a
  little wide; a strip is a piece of a receipt a fold's shadow cut across);
- not two pieces of one sheet: pieces side by side sharing their top and bottom edges (or one
  above the other sharing their sides) with a narrow gap (`MIN_GAP`) are a receipt cut by a
  fold's shadow, never split apart;
- separated by background much darker than the paper (`MIN_CONTRAST` grey levels).

Otherwise the photo is one paper (`Papers.split` False): a receipt stays one, whatever gaps,
folds or blank stretches it has. Each paper's crop is deskewed (and perspective-corrected when
its outline has four clear corners) from the full-resolution image; papers come in reading
order: rows top to bottom, left to right within a row."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

# OpenCV and numpy are imported by the functions that use them: every API process imports this
# module (through the receipts' upload), and only the ones that split photos need them.

WORK_SIZE = 400  # the longer side of the copy the outlines are found on, in pixels
MIN_AREA = 0.06  # a paper covers at least this share of the frame
MIN_FILL = 0.85  # its outline fills at least this share of its rotated rectangle
MAX_WIDE = 2.0  # upright, a paper is at most this much wider than tall
MIN_GAP = 0.1  # pieces of one sheet are this close (share of their shared extent)
MIN_CONTRAST = 40  # grey levels between the papers and the background around them
EDGE = 2  # pixels (on the working copy) from the frame's edge that count as touching it

Corners = tuple[tuple[float, float], ...]


@dataclass(frozen=True, slots=True)
class Paper:
    """One sheet: its corners in the original image's pixels (top-left, top-right,
    bottom-right, bottom-left, upright) and its position in reading order."""

    index: int
    corners: Corners


@dataclass(frozen=True, slots=True)
class Papers:
    """What `find_papers` saw: `split` when the photo holds several sheets (`papers`, two or
    more), else one paper covering the whole frame."""

    width: int
    height: int
    papers: tuple[Paper, ...]

    @property
    def split(self) -> bool:
        return len(self.papers) > 1


def _order_corners(points: np.ndarray) -> np.ndarray:
    """Four points as top-left, top-right, bottom-right, bottom-left."""
    import numpy as np

    points = points.reshape(4, 2).astype(np.float32)
    by_sum = points.sum(axis=1)
    by_diff = np.diff(points, axis=1).reshape(4)
    return np.array(
        [
            points[np.argmin(by_sum)],
            points[np.argmin(by_diff)],
            points[np.argmax(by_sum)],
            points[np.argmax(by_diff)],
        ],
        dtype=np.float32,
    )


def _side_lengths(corners: np.ndarray) -> tuple[float, float]:
    import numpy as np

    tl, tr, br, bl = corners
    width = max(float(np.linalg.norm(tr - tl)), float(np.linalg.norm(br - bl)))
    height = max(float(np.linalg.norm(bl - tl)), float(np.linalg.norm(br - tr)))
    return width, height


def _outline(contour: np.ndarray) -> np.ndarray:
    """The sheet's four corners: the contour's own when it simplifies to a convex
    quadrilateral (perspective), else its rotated bounding rectangle (deskew only)."""
    import cv2

    approx = cv2.approxPolyDP(contour, 0.02 * cv2.arcLength(contour, True), True)
    if len(approx) == 4 and cv2.isContourConvex(approx):
        return _order_corners(approx)
    return _order_corners(cv2.boxPoints(cv2.minAreaRect(contour)))


def _reading_order(outlines: list[np.ndarray]) -> list[np.ndarray]:
    """Rows top to bottom (a sheet joins a row when it overlaps its vertical span by half),
    left to right within a row."""
    spans = sorted(
        ((float(o[:, 1].min()), float(o[:, 1].max()), float(o[:, 0].min()), o) for o in outlines),
        key=lambda s: s[0],
    )
    rows: list[list[tuple[float, float, float, np.ndarray]]] = []
    for span in spans:
        if rows:
            top, bottom = rows[-1][0][0], rows[-1][0][1]
            overlap = min(bottom, span[1]) - max(top, span[0])
            if overlap > 0.5 * min(bottom - top, span[1] - span[0]):
                rows[-1].append(span)
                continue
        rows.append([span])
    return [s[3] for row in rows for s in sorted(row, key=lambda s: s[2])]


def _one_sheet(outlines: list[np.ndarray]) -> bool:
    """Whether two of the pieces continue each other: side by side (or one above the other)
    with their top and bottom (left and right) edges within a tenth of their extent, and a gap
    under `MIN_GAP` of it. Two receipts rarely share both edges; a sheet cut by a shadow does."""
    boxes = [
        (float(o[:, 0].min()), float(o[:, 0].max()), float(o[:, 1].min()), float(o[:, 1].max()))
        for o in outlines
    ]
    for i, first in enumerate(boxes):
        for second in boxes[i + 1 :]:
            for axis in (0, 2):  # continued across x (same top/bottom), across y (same sides)
                other = 2 - axis
                (a0, a1), (b0, b1) = first[other : other + 2], second[other : other + 2]
                extent = min(a1 - a0, b1 - b0)
                aligned = abs(a0 - b0) < 0.1 * extent and abs(a1 - b1) < 0.1 * extent
                gap = max(first[axis], second[axis]) - min(first[axis + 1], second[axis + 1])
                if aligned and gap < MIN_GAP * extent:
                    return True
    return False


def find_papers(image: np.ndarray) -> Papers:
    """The sheets of paper in a BGR (or grey) image; see the module docstring."""
    import cv2
    import numpy as np

    height, width = image.shape[:2]
    whole = Papers(
        width=width,
        height=height,
        papers=(Paper(0, ((0, 0), (width, 0), (width, height), (0, height))),),
    )
    scale = WORK_SIZE / max(height, width)
    if scale >= 1 or min(height, width) * scale < 32:
        return whole  # too small to hold several sheets worth reading
    small = cv2.resize(
        image, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA
    )
    gray = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY) if small.ndim == 3 else small
    gray = cv2.GaussianBlur(gray, (5, 5), 0)
    _, mask = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    mask = cv2.morphologyEx(
        mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (9, 9))
    )
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5)))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    h, w = mask.shape
    outlines: list[np.ndarray] = []
    for contour in contours:
        area = cv2.contourArea(contour)
        if area < MIN_AREA * h * w:
            continue
        x, y, bw, bh = cv2.boundingRect(contour)
        if x <= EDGE or y <= EDGE or x + bw >= w - EDGE or y + bh >= h - EDGE:
            return whole  # a sheet the frame cuts, or a scan: one document
        (_, _), (rw, rh), _ = cv2.minAreaRect(contour)
        if area < MIN_FILL * rw * rh:
            return whole  # not a sheet's outline: never guess a split
        corners = _outline(contour)
        across, down = _side_lengths(corners)
        if across > MAX_WIDE * down:
            return whole  # a wide piece: likely part of one receipt
        outlines.append(corners)
    if len(outlines) < 2 or _one_sheet(outlines):
        return whole
    paper = np.zeros_like(mask)
    cv2.drawContours(paper, [o.astype(np.int32) for o in outlines], -1, 255, cv2.FILLED)
    inside = gray[paper > 0]
    around = gray[cv2.dilate(paper, np.ones((15, 15), np.uint8)) == 0]
    if around.size == 0 or float(np.median(inside)) - float(np.median(around)) < MIN_CONTRAST:
        return whole
    papers = tuple(
        Paper(index, tuple((float(x) / scale, float(y) / scale) for x, y in corners))
        for index, corners in enumerate(_reading_order(outlines))
    )
    return Papers(width=width, height=height, papers=papers)


def crop_paper(image: np.ndarray, paper: Paper) -> np.ndarray:
    """The paper cut out of `image` (full resolution), upright and flattened."""
    import cv2
    import numpy as np

    corners = np.array(paper.corners, dtype=np.float32)
    across, down = _side_lengths(corners)
    size = (max(1, round(across)), max(1, round(down)))
    target = np.array(
        [[0, 0], [size[0] - 1, 0], [size[0] - 1, size[1] - 1], [0, size[1] - 1]], dtype=np.float32
    )
    matrix = cv2.getPerspectiveTransform(corners, target)
    return cv2.warpPerspective(
        image, matrix, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )


def decode_image(data: bytes, *, reduce: int = 1) -> np.ndarray | None:
    """An encoded image (JPEG, PNG, WebP...) as BGR pixels turned upright by its EXIF
    orientation (as the OCR sees it), or None when OpenCV cannot decode it. `reduce` (1, 2, 4
    or 8) decodes it that many times smaller (JPEG: much faster than decoding it whole)."""
    import cv2
    import numpy as np

    flag = {
        2: cv2.IMREAD_REDUCED_COLOR_2,
        4: cv2.IMREAD_REDUCED_COLOR_4,
        8: cv2.IMREAD_REDUCED_COLOR_8,
    }.get(reduce, cv2.IMREAD_COLOR)
    pixels = cv2.imdecode(np.frombuffer(data, np.uint8), flag)
    return pixels if pixels is not None and pixels.size else None


def _reduction(data: bytes) -> int:
    """The largest decoding reduction that keeps the image's longer side at `WORK_SIZE` or more
    (read from its header; 1 when unknown)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as header:
            longer = max(header.size)
    except (UnidentifiedImageError, OSError, ValueError):
        return 1
    return next((r for r in (8, 4, 2) if longer / r >= WORK_SIZE), 1)


@dataclass(frozen=True, slots=True)
class PaperCrop:
    """One sheet of a split photo: where it is, and its crop encoded as JPEG."""

    paper: Paper
    jpeg: bytes


JPEG_QUALITY = 92


def split_papers(data: bytes) -> list[PaperCrop]:
    """The sheets of an encoded photo, each cropped as a JPEG; [] when it is one document (or
    not an image OpenCV reads). The sheets are looked for on a reduced decoding (the common
    case, one receipt, never decodes the whole image); the crops come from the full one."""
    import cv2

    small = decode_image(data, reduce=_reduction(data))
    if small is None:
        return []
    found = find_papers(small)
    if not found.split:
        return []
    image = decode_image(data)
    if image is None:
        return []
    sx, sy = image.shape[1] / found.width, image.shape[0] / found.height
    crops: list[PaperCrop] = []
    for paper in found.papers:
        full = Paper(paper.index, tuple((x * sx, y * sy) for x, y in paper.corners))
        ok, encoded = cv2.imencode(
            ".jpg", crop_paper(image, full), [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY]
        )
        if not ok:
            return []
        crops.append(PaperCrop(paper=full, jpeg=encoded.tobytes()))
    return crops


def corners_json(paper: Paper) -> list[list[Any]]:
    """A paper's corners as JSON (whole pixels)."""
    return [[round(x), round(y)] for x, y in paper.corners]
