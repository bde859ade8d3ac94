"""OCR mutations."""

from __future__ import annotations

import strawberry

from schema.core.permissions import HasScope
from schema.ocr.mutations.text_extract import extract_text
from schema.ocr.types import ExtractTextPayload


@strawberry.type
class OcrMutation:
    extract_text: ExtractTextPayload = strawberry.mutation(
        resolver=extract_text,
        permission_classes=[HasScope("ocr")],
        description="Upload an image or PDF and start reading it; the job's `result` holds the "
        "text, lines with boxes, and mean confidence per page. Signed-in users; API keys need "
        "the `ocr` scope. Errors: see ExtractTextPayload.errors.",
    )
