from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import Info

from schema.core.permissions import require_user
from schema.core.relay import parse_global_id
from schema.core.scalars import BigInt
from schema.receipts.inputs import ApproveReceiptInput
from schema.receipts.types import ReceiptError, ReceiptType, receipt_error
from server.receipts.errors import ReceiptsError
from server.receipts.review import review_receipt


@strawberry.type(
    description="approveReceipt: the receipt, the points posted, or why nothing was done."
)
class ApproveReceiptPayload:
    receipt: ReceiptType | None = strawberry.field(
        default=None, description="The receipt as decided (null on an error)."
    )
    points_posted: BigInt = strawberry.field(  # type: ignore[valid-type]
        default=0, description="Points granted now: 0 when it was approved already."
    )
    errors: list[ReceiptError] = strawberry.field(
        default_factory=list,
        description="NOT_FOUND, NOT_IN_REVIEW, REVIEW_CHANGED, INVALID_INPUT (reason).",
    )


async def approve_receipt(
    info: Info,
    input: Annotated[
        ApproveReceiptInput,
        strawberry.argument(description="The receipt and the points you reviewed."),
    ],
) -> ApproveReceiptPayload:
    """Grant the points a receipt IN_REVIEW waits for (admins; see `receiptsForReview`): they
    are posted once, however often or concurrently this is called. NOT_IN_REVIEW when nothing
    waits (or it was rejected); REVIEW_CHANGED when they are not the `pointsPending` you saw."""
    receipt_id = parse_global_id(input.id, "Receipt")
    actor = await require_user(info)
    try:
        done = await review_receipt(
            receipt_id=receipt_id,
            actor=actor,
            approve=True,
            reason=input.reason,
            expected_pending=input.points_pending,
        )
    except ReceiptsError as exc:
        return ApproveReceiptPayload(errors=[receipt_error(exc)])
    return ApproveReceiptPayload(
        receipt=ReceiptType.from_model(done.receipt), points_posted=done.points_posted
    )
