from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import Info

from schema.core.files import uploaded
from schema.core.permissions import require_user
from schema.jobs.types import JobType
from schema.receipts.inputs import UploadReceiptInput
from schema.receipts.types import ReceiptError, ReceiptType, receipt_error
from server.errors import DomainError
from server.receipts import upload


@strawberry.type(description="uploadReceipt: the new receipt and the job reading it, or why not.")
class UploadReceiptPayload:
    receipt: ReceiptType | None = strawberry.field(default=None, description="PROCESSING at first.")
    job: JobType | None = strawberry.field(
        default=None, description="Follow it with `subscription { jobUpdated(id) }`."
    )
    errors: list[ReceiptError] = strawberry.field(
        default_factory=list,
        description="Empty on success; DUPLICATE (with `existingReceiptId`), EMPTY_FILE, "
        "UNSUPPORTED_TYPE, FILE_TOO_LARGE, TOO_MANY_PIXELS, TOO_MANY_PAGES, CORRUPT_FILE, "
        "EMPTY_DOCUMENT, ENCRYPTED_PDF.",
    )


async def upload_receipt(
    info: Info,
    input: Annotated[UploadReceiptInput, strawberry.argument(description="The receipt file.")],
) -> UploadReceiptPayload:
    """Upload a receipt photo or PDF and start reading it. The same file again is refused as
    DUPLICATE (with `existingReceiptId`); a refused file leaves nothing stored."""
    owner = await require_user(info)  # the scope: on the field
    try:
        # Strawberry declares Upload as bytes; Starlette hands over an UploadFile
        receipt, job = await upload.upload_receipt(
            owner=owner, upload=uploaded(input.file, field="input.file")
        )
    except DomainError as exc:
        return UploadReceiptPayload(errors=[receipt_error(exc)])
    return UploadReceiptPayload(
        receipt=ReceiptType.from_model(receipt), job=JobType.from_model(job)
    )
