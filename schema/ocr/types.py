"""GraphQL types of the OCR domain: engines, the extractText payload and its error."""

from __future__ import annotations

from enum import Enum

import strawberry
from strawberry.file_uploads import Upload

from schema.core.files import FileType
from schema.jobs.types import JobType


@strawberry.enum(name="OcrEngine", description="rapidocr reads receipts best (~4% CER vs ~15-20%).")
class OcrEngine(Enum):
    RAPIDOCR = strawberry.enum_value(
        "rapidocr", description="RapidOCR: the more accurate on receipt photos."
    )
    TESSERACT = strawberry.enum_value(
        "tesseract", description="Tesseract: less accurate on receipt photos."
    )


@strawberry.enum(name="OcrErrorCode", description="Why extractText did nothing.")
class OcrErrorCode(Enum):
    INVALID_INPUT = strawberry.enum_value(
        "INVALID_INPUT", description="An unknown engine or language; `field` names it."
    )
    EMPTY_FILE = strawberry.enum_value("EMPTY_FILE", description="The file is empty.")
    UNSUPPORTED_TYPE = strawberry.enum_value(
        "UNSUPPORTED_TYPE",
        description="The content is not an image or PDF this service reads (judged by the bytes, "
        "not the name).",
    )
    FILE_TOO_LARGE = strawberry.enum_value(
        "FILE_TOO_LARGE", description="Larger than MAX_UPLOAD_BYTES (25 MB by default)."
    )
    TOO_MANY_PIXELS = strawberry.enum_value(
        "TOO_MANY_PIXELS",
        description="An image page has more than MAX_IMAGE_PIXELS (40 million by default).",
    )
    TOO_MANY_PAGES = strawberry.enum_value(
        "TOO_MANY_PAGES",
        description="A multi-page image has more than MAX_IMAGE_PAGES (20 by default).",
    )
    CORRUPT_FILE = strawberry.enum_value(
        "CORRUPT_FILE", description="The file is truncated or its header cannot be read."
    )


@strawberry.type(
    name="OcrError", description="An expected failure of extractText (nothing stored)."
)
class OcrError:
    field: str | None = strawberry.field(
        description="The input field at fault (file, languages, engine), or null."
    )
    code: OcrErrorCode = strawberry.field(description="What went wrong, for programs.")
    message: str = strawberry.field(description="What went wrong, in English, for people.")


@strawberry.input(description="A file to read, and how.")
class ExtractTextInput:
    file: Upload = strawberry.field(
        description="An image (JPEG, PNG, WebP, TIFF) or a PDF, sent as a multipart upload."
    )
    languages: list[str] | None = strawberry.field(
        default=None, description="fra, eng (default both)."
    )
    engine: OcrEngine | None = strawberry.field(
        default=None, description="The reader to use; the server's OCR_ENGINE (RAPIDOCR) when null."
    )


@strawberry.type(description="extractText: the stored file and the job reading it, or why not.")
class ExtractTextPayload:
    file: FileType | None = strawberry.field(
        default=None, description="The upload as stored (null on an error)."
    )
    job: JobType | None = strawberry.field(
        default=None, description="Follow it with `subscription { jobUpdated(id) }`."
    )
    errors: list[OcrError] = strawberry.field(
        default_factory=list,
        description="Empty on success; INVALID_INPUT, EMPTY_FILE, UNSUPPORTED_TYPE, "
        "FILE_TOO_LARGE, TOO_MANY_PIXELS, TOO_MANY_PAGES, CORRUPT_FILE.",
    )
