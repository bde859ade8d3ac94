from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import Info

from schema.core.relay import global_id, parse_global_id
from schema.core.scalars import BigInt
from schema.receipts.inputs import DeleteReceiptInput
from schema.receipts.queries import receipts_owner
from schema.receipts.types import ReceiptError, receipt_error
from server.receipts import deletion
from server.receipts.errors import ReceiptsError


@strawberry.type(description="deleteReceipt: what was deleted, or why nothing was.")
class DeleteReceiptPayload:
    deleted_receipt_id: strawberry.ID | None = strawberry.field(
        default=None, description="The deleted Receipt's global id (null on an error)."
    )
    points_reversed: BigInt = strawberry.field(  # type: ignore[valid-type]
        default=0, description="Points the receipt had earned, now taken back."
    )
    errors: list[ReceiptError] = strawberry.field(
        default_factory=list, description="Empty on success; NOT_FOUND."
    )


async def delete_receipt(
    info: Info,
    input: Annotated[DeleteReceiptInput, strawberry.argument(description="The receipt to delete.")],
) -> DeleteReceiptPayload:
    """Delete a receipt and its file; the points it earned are reversed in the ledger."""
    receipt_id = parse_global_id(input.id, "Receipt")
    _viewer, owner = await receipts_owner(info)
    try:
        done = await deletion.delete_receipt(receipt_id=receipt_id, owner=owner)
    except ReceiptsError as exc:
        return DeleteReceiptPayload(errors=[receipt_error(exc)])
    return DeleteReceiptPayload(
        deleted_receipt_id=global_id("Receipt", done.receipt.id),
        points_reversed=done.points_reversed,
    )
