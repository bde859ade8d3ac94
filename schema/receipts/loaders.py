"""Request-scoped DataLoaders of receipts: one SQL query per kind of nested data on a page of
receipts (items with their brands, files, jobs, corrections), whatever the page size."""

from __future__ import annotations

import uuid
from collections import defaultdict

from strawberry.dataloader import DataLoader

from server.context import Context
from server.files.models import StoredFile
from server.jobs.models import Job
from server.receipts.models import Receipt, ReceiptCorrection, ReceiptItem


def items_by_receipt(context: Context) -> DataLoader[uuid.UUID, list[ReceiptItem]]:
    async def load(receipt_ids: list[uuid.UUID]) -> list[list[ReceiptItem]]:
        grouped: dict[uuid.UUID, list[ReceiptItem]] = defaultdict(list)
        query = (
            ReceiptItem.filter(receipt_id__in=receipt_ids)
            .select_related("brand")
            .order_by("position", "id")
        )
        for item in await query:
            grouped[item.receipt_id].append(item)  # type: ignore[attr-defined]
        return [grouped.get(receipt_id, []) for receipt_id in receipt_ids]

    return context.loader("receipts.items_by_receipt", lambda: DataLoader(load_fn=load))


def corrections_by_receipt(context: Context) -> DataLoader[uuid.UUID, list[ReceiptCorrection]]:
    async def load(receipt_ids: list[uuid.UUID]) -> list[list[ReceiptCorrection]]:
        grouped: dict[uuid.UUID, list[ReceiptCorrection]] = defaultdict(list)
        query = (
            ReceiptCorrection.filter(receipt_id__in=receipt_ids)
            .select_related("user")
            .order_by("created_at", "id")
        )
        for correction in await query:
            grouped[correction.receipt_id].append(correction)  # type: ignore[attr-defined]
        return [grouped.get(receipt_id, []) for receipt_id in receipt_ids]

    return context.loader("receipts.corrections_by_receipt", lambda: DataLoader(load_fn=load))


def files_by_id(context: Context) -> DataLoader[uuid.UUID, StoredFile | None]:
    async def load(ids: list[uuid.UUID]) -> list[StoredFile | None]:
        found = {f.id: f for f in await StoredFile.filter(id__in=ids)}
        return [found.get(i) for i in ids]

    return context.loader("receipts.files_by_id", lambda: DataLoader(load_fn=load))


def jobs_by_id(context: Context) -> DataLoader[uuid.UUID, Job | None]:
    async def load(ids: list[uuid.UUID]) -> list[Job | None]:
        found = {j.id: j for j in await Job.filter(id__in=ids)}
        return [found.get(i) for i in ids]

    return context.loader("receipts.jobs_by_id", lambda: DataLoader(load_fn=load))


def receipts_by_id(context: Context) -> DataLoader[uuid.UUID, Receipt | None]:
    """Live receipts by id, for links from a receipt or a ledger entry the caller already sees
    (a possible duplicate has the same owner; a ledger entry's receipt is its user's)."""

    async def load(ids: list[uuid.UUID]) -> list[Receipt | None]:
        found = {r.id: r for r in await Receipt.filter(id__in=ids, deleted_at__isnull=True)}
        return [found.get(i) for i in ids]

    return context.loader("receipts.receipts_by_id", lambda: DataLoader(load_fn=load))


def papers_by_source(context: Context) -> DataLoader[uuid.UUID, list[Receipt]]:
    """The live receipts read from the other papers of an uploaded photo, by the uploaded
    receipt's id, in paper order (their owner is the uploaded receipt's)."""

    async def load(source_ids: list[uuid.UUID]) -> list[list[Receipt]]:
        grouped: dict[uuid.UUID, list[Receipt]] = defaultdict(list)
        query = Receipt.filter(source_receipt_id__in=source_ids, deleted_at__isnull=True).order_by(
            "paper_index"
        )
        for receipt in await query:
            grouped[receipt.source_receipt_id].append(receipt)  # type: ignore[index]
        return [grouped.get(source_id, []) for source_id in source_ids]

    return context.loader("receipts.papers_by_source", lambda: DataLoader(load_fn=load))
