from __future__ import annotations

from typing import Annotated, cast

import strawberry
from strawberry import Info

from schema.core.files import FileType, uploaded
from schema.core.permissions import require_user
from schema.jobs.types import JobType
from schema.ocr.types import ExtractTextInput, ExtractTextPayload, OcrError, OcrErrorCode
from server.errors import DomainError
from server.ocr import services


async def extract_text(
    info: Info,
    input: Annotated[
        ExtractTextInput, strawberry.argument(description="The file and reading options.")
    ],
) -> ExtractTextPayload:
    """Upload an image or PDF and start reading it; the job's result holds the text, lines with
    boxes, and mean confidence per page."""
    owner = await require_user(info)  # the scope: on the field
    try:
        file, job = await services.extract_text(
            owner=owner,
            # Strawberry declares Upload as bytes; Starlette hands over an UploadFile, and an
            # enum member's value is the plain string (strawberry.enum_value only describes it)
            upload=uploaded(input.file, field="input.file"),
            languages=input.languages,
            engine=cast(str, input.engine.value) if input.engine else None,
        )
    except DomainError as exc:
        return ExtractTextPayload(
            errors=[
                OcrError(field=exc.field, code=OcrErrorCode(str(exc.code)), message=exc.message)
            ]
        )
    return ExtractTextPayload(file=FileType.from_model(file), job=JobType.from_model(job))
