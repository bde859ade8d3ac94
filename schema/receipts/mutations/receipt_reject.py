from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import Info

from schema.core.permissions import require_user
from schema.core.relay import parse_global_id
from schema.receipts.inputs import RejectReceiptInput
from schema.receipts.types import ReceiptError, ReceiptType, receipt_error
from server.receipts.errors import ReceiptsError
from server.receipts.review import review_receipt


@strawberry.type(description="rejectReceipt: the receipt, or why nothing was done.")
class RejectReceiptPayload:
    receipt: ReceiptType | None = strawberry.field(
        default=None, description="The receipt as decided (null on an error)."
    )
    errors: list[ReceiptError] = strawberry.field(
        default_factory=list,
        description="NOT_FOUND, NOT_IN_REVIEW, INVALID_INPUT (reason).",
    )


async def reject_receipt(
    info: Info,
    input: Annotated[RejectReceiptInput, strawberry.argument(description="The receipt and why.")],
) -> RejectReceiptPayload:
    """Refuse the points a receipt IN_REVIEW waits for (admins): it keeps what was read (nothing
    when it was typed in), for good; the reason joins its corrections. NOT_IN_REVIEW when
    nothing waits (or it was approved)."""
    receipt_id = parse_global_id(input.id, "Receipt")
    actor = await require_user(info)
    try:
        done = await review_receipt(
            receipt_id=receipt_id, actor=actor, approve=False, reason=input.reason
        )
    except ReceiptsError as exc:
        return RejectReceiptPayload(errors=[receipt_error(exc)])
    return RejectReceiptPayload(receipt=ReceiptType.from_model(done.receipt))
