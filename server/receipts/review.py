"""An administrator's review of points earned from typed values (approve or reject)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from server.accounts.models import User
from server.receipts import loyalty
from server.receipts.errors import ReceiptsErrorCode
from server.receipts.models import (
    CorrectionAction,
    PointsReview,
    Receipt,
    ReceiptCorrection,
    ReceiptItem,
    ReceiptStatus,
)
from server.receipts.reading import locked
from server.receipts.values import clean_text, error, now


def receipts_for_review() -> QuerySet[Receipt]:
    """Everyone's live receipts whose points wait for an administrator (page oldest first)."""
    return Receipt.filter(status=ReceiptStatus.IN_REVIEW, deleted_at__isnull=True)


@dataclass(frozen=True, slots=True)
class Review:
    receipt: Receipt
    points_posted: int


async def review_receipt(
    *,
    receipt_id: uuid.UUID,
    actor: User,
    approve: bool,
    reason: str | None,
    expected_pending: int | None = None,
) -> Review:
    """An administrator's decision on a receipt IN_REVIEW: approve (it holds what its values
    earn now, posted once) or reject (it keeps what was read, finally); the decision and its
    reason join the audit trail. Deciding the same way again is a no-op (0 points posted), so
    a double or concurrent approval grants once. `expected_pending`: the pending points the
    administrator saw, so an owner who raises them meanwhile gets nothing unseen approved.
    Raises NOT_FOUND, INVALID_INPUT (reason), NOT_IN_REVIEW (nothing pending, or decided the
    other way), REVIEW_CHANGED (the pending points are not the expected ones)."""
    note = clean_text(reason, field="reason", limit=1000, required=not approve)
    decision = PointsReview.APPROVED if approve else PointsReview.REJECTED
    for attempt in range(2):
        try:
            async with in_transaction():
                receipt = await locked(receipt_id, None)
                if receipt.status != ReceiptStatus.IN_REVIEW:
                    if receipt.review == decision:  # already decided so: nothing to do
                        return Review(receipt=receipt, points_posted=0)
                    raise error(
                        ReceiptsErrorCode.NOT_IN_REVIEW,
                        "This receipt has no points waiting for review.",
                        "id",
                    )
                if expected_pending is not None and receipt.points_pending != expected_pending:
                    raise error(
                        ReceiptsErrorCode.REVIEW_CHANGED,
                        f"The receipt changed since: {receipt.points_pending} points are "
                        "pending now; review it again.",
                        "points_pending",
                    )
                held = receipt.points
                items = await ReceiptItem.filter(receipt_id=receipt.id)
                if not approve:
                    receipt.review = PointsReview.REJECTED
                entry = await loyalty.settle(receipt, items=items, approve=approve)
                await ReceiptCorrection.create(
                    receipt_id=receipt.id,
                    user_id=actor.id,
                    action=CorrectionAction.APPROVE if approve else CorrectionAction.REJECT,
                    field="points",
                    old_value={"value": held},
                    new_value={"value": receipt.points},
                    note=note,
                )
                receipt.updated_at = now()
                await Receipt.filter(id=receipt.id).update(updated_at=receipt.updated_at)
            return Review(receipt=receipt, points_posted=entry.points if entry else 0)
        except IntegrityError:
            # Another decision posted first (its entry took our sequence number): read again.
            if attempt:
                raise
    raise AssertionError("unreachable")
