"""Deleting a receipt: gone from every list, its file removed, its points reversed."""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass

from tortoise.transactions import in_transaction

from server.accounts.models import User
from server.files.models import StoredFile
from server.files.services import delete_file
from server.jobs.errors import JobsError
from server.jobs.services import cancel_job
from server.receipts import loyalty
from server.receipts.models import (
    Receipt,
    ReceiptStatus,
)
from server.receipts.reading import locked
from server.receipts.values import now


@dataclass(frozen=True, slots=True)
class Deletion:
    receipt: Receipt
    points_reversed: int


async def delete_receipt(*, receipt_id: uuid.UUID, owner: User | None) -> Deletion:
    """Delete a receipt: it disappears from every list, its file is removed, and the points it
    earned are reversed in the ledger. Raises NOT_FOUND."""
    async with in_transaction():
        receipt = await locked(receipt_id, owner)
        file_id = receipt.file_id  # type: ignore[attr-defined]
        receipt.deleted_at = now()
        receipt.dedup_key = None
        receipt.file_id = None  # type: ignore[attr-defined]
        await receipt.save(update_fields=["deleted_at", "dedup_key", "file_id", "updated_at"])
        entry = await loyalty.settle(receipt, items=[])
    if file_id is not None and (file := await StoredFile.get_or_none(id=file_id)) is not None:
        await delete_file(file=file)  # from the store its row names
    if receipt.status == ReceiptStatus.PROCESSING and receipt.job_id is not None:  # type: ignore[attr-defined]
        # It may have ended meanwhile; the handler then finds the receipt deleted anyway.
        with contextlib.suppress(JobsError):
            await cancel_job(job_id=receipt.job_id, owner=None)  # type: ignore[attr-defined]
    return Deletion(receipt=receipt, points_reversed=-entry.points if entry else 0)
