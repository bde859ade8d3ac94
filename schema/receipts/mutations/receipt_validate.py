from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import Info

from schema.core.relay import parse_global_id
from schema.core.scalars import BigInt
from schema.receipts.inputs import ValidateReceiptInput, kept
from schema.receipts.queries import receipts_owner
from schema.receipts.types import ReceiptError, ReceiptType, receipt_error
from server.receipts import correction
from server.receipts.correction import ItemEdit, ReceiptEdit
from server.receipts.errors import ReceiptsError


@strawberry.type(
    description="validateReceipt: the confirmed receipt and the points posted, or why not."
)
class ValidateReceiptPayload:
    receipt: ReceiptType | None = strawberry.field(
        default=None, description="The receipt, VALIDATED or IN_REVIEW (null on an error)."
    )
    points_posted: BigInt = strawberry.field(  # type: ignore[valid-type]
        default=0,
        description="Points added (or taken back, when negative) by this validation. Points "
        "that typed values earn beyond what was read are not posted: the receipt is IN_REVIEW "
        "with `pointsPending` until an administrator decides.",
    )
    errors: list[ReceiptError] = strawberry.field(
        default_factory=list,
        description="Empty on success; NOT_FOUND, NOT_READY (still PROCESSING), INVALID_INPUT "
        "naming the field (e.g. `items.0.unitPrice`).",
    )


async def validate_receipt(
    info: Info,
    input: Annotated[
        ValidateReceiptInput, strawberry.argument(description="The receipt and your corrections.")
    ],
) -> ValidateReceiptPayload:
    """Correct what was read and confirm the receipt (status VALIDATED). Fields left out stay;
    items: add (no id), change, or remove (`delete: true`). Every change is kept in
    `corrections`; the values as read stay in `fields { extractedValue }`. Points are recomputed
    and the difference posted; a possible duplicate earns its points now."""
    receipt_id = parse_global_id(input.id, "Receipt")
    items = [
        ItemEdit(
            id=parse_global_id(item.id, "ReceiptItem") if item.id else None,
            name=kept(item.name),
            quantity=kept(item.quantity),
            unit_price=kept(item.unit_price),
            category=kept(item.category),
            delete=item.delete,
        )
        for item in input.items or []
    ]
    edit = ReceiptEdit(
        store=kept(input.store),
        date=kept(input.date),
        location=kept(input.location),
        total=kept(input.total),
        currency=kept(input.currency),
        items=items,
    )
    viewer, owner = await receipts_owner(info)
    try:
        done = await correction.validate_receipt(
            receipt_id=receipt_id, owner=owner, actor=viewer, edit=edit
        )
    except ReceiptsError as exc:
        return ValidateReceiptPayload(errors=[receipt_error(exc)])
    return ValidateReceiptPayload(
        receipt=ReceiptType.from_model(done.receipt), points_posted=done.points_posted
    )
