"""The receipts payload error, built from a service's DomainError."""

from __future__ import annotations

import strawberry

from schema.core.names import public_name, public_text
from schema.core.relay import (
    global_id,
)
from schema.receipts.types.enums import ReceiptErrorCode
from server.errors import DomainError
from server.receipts.errors import ReceiptsErrorCode


@strawberry.type(
    name="ReceiptError",
    description="An expected failure of a receipts mutation (nothing changed).",
)
class ReceiptError:
    field: str | None = strawberry.field(
        description="The input field at fault (camelCase; an item as `items.0.unitPrice`), or "
        "null when it is no one field."
    )
    code: ReceiptErrorCode = strawberry.field(  # type: ignore[valid-type]
        description="What went wrong, for programs."
    )
    message: str = strawberry.field(description="What went wrong, in English, for people.")
    existing_receipt_id: strawberry.ID | None = strawberry.field(
        default=None, description="DUPLICATE: the receipt this file already is."
    )


def receipt_error(exc: DomainError) -> ReceiptError:
    """A service failure (receipts or files) as the payload's error."""
    existing = exc.details.get("existing_receipt_id")
    return ReceiptError(
        field=public_name(exc.field),
        code=ReceiptsErrorCode(str(exc.code)),
        message=public_text(exc.message),
        existing_receipt_id=global_id("Receipt", existing) if existing else None,  # type: ignore[arg-type]
    )
