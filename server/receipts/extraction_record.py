"""Writing what the extraction job read (`server.receipts.extraction_job` runs the job).

`record_extraction` locks the receipt row and does nothing unless it is still PROCESSING, and
awards the points in the same transaction as the status change, so a retried or duplicated job
never writes or awards twice. A photo holding several receipts is written by `record_papers`:
the uploaded receipt takes the first paper, and a receipt is created per other paper (its crop
stored as its own file, same owner, `source_receipt_id` and `paper_index`) in the transaction
that writes them all, so a retried job finds the upload no longer PROCESSING and creates
nothing. `extraction_snapshot` is what the pipeline read, kept unchanged on the receipt."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tortoise.transactions import in_transaction

from server.files.models import StoredFile
from server.files.services import get_blob_store
from server.files.stores import KEY_PREFIXES, StorePurpose
from server.receipts import loyalty
from server.receipts.brand_catalog import BrandMatcher, brand_matcher, link_item
from server.receipts.extraction import ExtractedField, ReceiptExtraction
from server.receipts.models import READ_STATUSES, ItemSource, Receipt, ReceiptItem, ReceiptStatus
from server.receipts.values import (
    DERIVED_FIELDS,
    FIELD_COLUMNS,
    clean_quantity,
    clip,
    field_text,
    money,
    now,
    plain_quantity,
    refresh_derived,
)


def _extracted(found: ExtractedField[Any] | None) -> dict[str, Any] | None:
    if found is None:
        return None
    value = money(found.value) if isinstance(found.value, Decimal) else found.value
    return {
        "value": field_text(value),
        "confidence": round(found.confidence, 3),
        "box": list(found.box) if found.box else None,
    }


def extraction_snapshot(extraction: ReceiptExtraction, *, engine: str) -> dict[str, Any]:
    """What the pipeline read, as JSON: kept unchanged on the receipt, whatever is corrected."""
    pairs = {
        "store": extraction.merchant,
        "location": extraction.address,
        "date": extraction.date,
        "time": extraction.time,
        "total": extraction.total,
        "currency": extraction.currency,
        "receiptNumber": extraction.receipt_number,
        "paymentMethod": extraction.payment_method,
    }
    return {
        "engine": engine,
        "fields": {name: _extracted(found) for name, found in pairs.items() if found is not None},
        "items": [
            {
                "name": item.value.name,
                "quantity": field_text(plain_quantity(clean_quantity(item.value.quantity))),
                "unitPrice": field_text(money(item.value.unit_price)),
                "total": field_text(money(item.value.total)),
                "category": item.value.category,
                "confidence": round(item.confidence, 3),
                "box": list(item.box) if item.box else None,
            }
            for item in extraction.items
        ],
        "taxes": [
            {
                "rate": field_text(tax.value.rate),
                "base": field_text(tax.value.base),
                "amount": field_text(tax.value.amount),
                "confidence": round(tax.confidence, 3),
                "box": list(tax.box) if tax.box else None,
            }
            for tax in extraction.taxes
        ],
        "warnings": [{"code": w.code, "message": w.message} for w in extraction.warnings],
        "needsReview": extraction.needs_review,
    }


async def _possible_duplicate(receipt: Receipt) -> Receipt | None:
    """The owner's earliest other live receipt with the same store, date and total."""
    if not receipt.store or receipt.purchase_date is None or receipt.total is None:
        return None
    return (
        await Receipt.filter(
            owner_id=receipt.owner_id,  # type: ignore[attr-defined]
            deleted_at__isnull=True,
            status__in=list(READ_STATUSES),
            store__iexact=receipt.store,
            purchase_date=receipt.purchase_date,
            total=receipt.total,
        )
        .exclude(id=receipt.id)
        .order_by("created_at", "id")
        .first()
    )


async def record_extraction(
    *, receipt_id: uuid.UUID, extraction: ReceiptExtraction, engine: str
) -> Receipt | None:
    """Write what the pipeline read, flag a possible duplicate, set EXTRACTED or NEEDS_REVIEW and
    award the points, in one transaction; a no-op unless the receipt is live and PROCESSING.
    Returns the receipt (None when it no longer exists). Raises nothing of its own."""
    matcher = await brand_matcher()
    async with in_transaction():
        receipt = await Receipt.filter(id=receipt_id).select_for_update().first()
        if receipt is None or receipt.deleted_at is not None:
            return receipt
        if receipt.status != ReceiptStatus.PROCESSING:
            return receipt  # another attempt already wrote it
        await _write_extraction(receipt, extraction, engine=engine, matcher=matcher)
    return receipt


async def _write_extraction(
    receipt: Receipt,
    extraction: ReceiptExtraction,
    *,
    engine: str,
    matcher: BrandMatcher,
    paper: dict[str, Any] | None = None,
) -> None:
    """The body of `record_extraction`, inside the caller's transaction (the row locked or just
    created, PROCESSING). `paper`: where the paper it read was in the photo (kept in the
    extraction snapshot)."""
    snapshot = extraction_snapshot(extraction, engine=engine)
    if paper is not None:
        snapshot["paper"] = paper
    f = extraction
    receipt.store = clip(f.merchant.value, 255) if f.merchant else None
    receipt.location = clip(f.address.value, 500) if f.address else None
    receipt.purchase_date = f.date.value if f.date else None
    receipt.purchase_time = f.time.value.replace(tzinfo=None).isoformat() if f.time else None
    receipt.total = money(f.total.value) if f.total else None
    receipt.currency = clip(f.currency.value, 3) if f.currency else None
    receipt.receipt_number = clip(f.receipt_number.value, 64) if f.receipt_number else None
    receipt.payment_method = clip(f.payment_method.value, 32) if f.payment_method else None
    receipt.taxes = snapshot["taxes"]
    receipt.warnings = list(snapshot["warnings"])
    receipt.extraction = snapshot
    receipt.extracted_at = now()
    refresh_derived(receipt)

    items = []
    for position, found in enumerate(f.items):
        total = money(found.value.total)
        if total is None:
            continue
        item = ReceiptItem(
            receipt_id=receipt.id,
            position=position,
            name=clip(found.value.name, 255) or "?",
            quantity=clean_quantity(found.value.quantity),
            unit_price=money(found.value.unit_price),
            total=total,
            category=clip(found.value.category, 100),
            confidence=round(found.confidence, 3),
            box=list(found.box) if found.box else None,
            source=ItemSource.EXTRACTED,
        )
        link_item(item, matcher)
        items.append(item)
    if items:
        await ReceiptItem.bulk_create(items)
    # The items as the points rules see them when read (categories given by brands too):
    # what a receipt may earn without review (see `loyalty`).
    snapshot["purchases"] = [
        {"category": item.category, "quantity": field_text(item.quantity)} for item in items
    ]

    duplicate = await _possible_duplicate(receipt)
    receipt.possible_duplicate_of_id = duplicate.id if duplicate else None  # type: ignore[attr-defined]
    if duplicate is not None:
        receipt.warnings.append(
            {
                "code": "possible_duplicate",
                "message": "Another receipt has the same store, date and total; it earns "
                "points once validated.",
            }
        )
    receipt.status = (
        ReceiptStatus.NEEDS_REVIEW
        if extraction.needs_review or duplicate is not None
        else ReceiptStatus.EXTRACTED
    )
    await receipt.save(
        update_fields=[
            *FIELD_COLUMNS.values(),
            "taxes",
            "warnings",
            "extraction",
            "extracted_at",
            "possible_duplicate_of_id",
            "paper_index",
            "status",
            *DERIVED_FIELDS,
            "updated_at",
        ]
    )
    await loyalty.settle(receipt, items=items)


@dataclass(frozen=True, slots=True)
class PaperRead:
    """One paper of a photo once read (see `record_papers`)."""

    index: int
    where: dict[str, Any]
    crop: bytes
    extraction: ReceiptExtraction


CROP_TYPE = "image/jpeg"


async def siblings_of(receipt_id: uuid.UUID) -> list[Receipt]:
    """The receipts made from the other papers of an upload, in paper order."""
    return await Receipt.filter(source_receipt_id=receipt_id).order_by("paper_index")


async def record_papers(
    *, receipt_id: uuid.UUID, papers: list[PaperRead], engine: str
) -> tuple[Receipt | None, list[Receipt]]:
    """Write a photo holding several receipts: the uploaded receipt reads `papers[0]` (its file
    stays the photo), each other paper becomes a receipt of the same owner with its crop as its
    own file (originals store), `source_receipt_id` and `paper_index`; every one is written,
    checked for duplicates and awarded as `record_extraction` does, all in one transaction. A
    no-op unless the uploaded receipt is live and PROCESSING (a retry: returns the receipts the
    first attempt made). Returns the uploaded receipt (None when gone) and the others."""
    matcher = await brand_matcher()
    store = get_blob_store(StorePurpose.ORIGINALS)
    # The crops are written before the transaction (no connection held during a slow write);
    # removed again when the rows are not written (a crash between leaves orphans the sweeper
    # removes).
    blobs = [
        await store.put(
            paper.crop,
            content_type=CROP_TYPE,
            key=f"{KEY_PREFIXES[StorePurpose.ORIGINALS]}{uuid.uuid4().hex}",
        )
        for paper in papers[1:]
    ]
    kept = False
    siblings: list[Receipt] = []
    try:
        async with in_transaction():
            receipt = await Receipt.filter(id=receipt_id).select_for_update().first()
            if receipt is None or receipt.deleted_at is not None:
                return receipt, []
            if receipt.status != ReceiptStatus.PROCESSING:
                return receipt, await siblings_of(receipt.id)  # another attempt wrote them
            photo = await StoredFile.get_or_none(id=receipt.file_id) if receipt.file_id else None
            receipt.paper_index = papers[0].index
            await _write_extraction(
                receipt, papers[0].extraction, engine=engine, matcher=matcher, paper=papers[0].where
            )
            for paper, blob in zip(papers[1:], blobs, strict=True):
                file = await StoredFile.create(
                    owner_id=receipt.owner_id,
                    company_id=photo.company_id if photo else None,  # type: ignore[attr-defined]
                    store=StorePurpose.ORIGINALS.value,
                    blob_key=blob.key,
                    sha256=blob.sha256,
                    size=blob.size,
                    content_type=CROP_TYPE,
                    filename=f"{(photo.filename if photo else 'receipt').rsplit('.', 1)[0]}"
                    f"-paper-{paper.index + 1}.jpg"[:255],
                )
                sibling = await Receipt.create(
                    owner_id=receipt.owner_id,
                    file=file,
                    job_id=receipt.job_id,
                    sha256=blob.sha256,
                    dedup_key=None,  # the upload's file guards against uploading it again
                    sort_date=now(),
                    source_receipt_id=receipt.id,
                    paper_index=paper.index,
                )
                await _write_extraction(
                    sibling, paper.extraction, engine=engine, matcher=matcher, paper=paper.where
                )
                siblings.append(sibling)
        kept = True  # committed: the crops are the new receipts' files
        return receipt, siblings
    finally:
        if not kept:
            for blob in blobs:
                await store.delete(blob.key)
