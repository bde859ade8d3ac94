"""The Receipt node: its fields (value, confidence, box), items, corrections, file and job."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

import strawberry
from strawberry import Info

from schema.core.files import FileType
from schema.core.permissions import HasScope
from schema.core.relay import (
    Node,
    global_id,
    nodes_in_order,
    register_node,
)
from schema.core.scalars import BigInt
from schema.jobs.types import JobType
from schema.receipts.loaders import (
    corrections_by_receipt,
    files_by_id,
    items_by_receipt,
    jobs_by_id,
    papers_by_source,
    receipts_by_id,
)
from schema.receipts.types.enums import PointsReview, ReceiptStatus
from schema.receipts.types.item import ReceiptCorrectionType, ReceiptItemType
from schema.receipts.types.parts import (
    BoxType,
    ReceiptFailure,
    ReceiptField,
    ReceiptWarning,
    TaxLineType,
)
from schema.receipts.types.visibility import visible_owner
from server.receipts import models
from server.receipts.reading import receipts_by_ids
from server.receipts.values import FIELD_COLUMNS, field_text, parse_time


@register_node
@strawberry.type(
    name="Receipt",
    description="A scanned shop receipt and what was read from it. Its owner (or an admin) may "
    "read it; API keys need the `receipts:read` scope.",
)
class ReceiptType(Node):
    read_permissions = (HasScope("receipts:read"),)

    status: ReceiptStatus = strawberry.field(  # type: ignore[valid-type]
        description="Where it is, from PROCESSING to VALIDATED."
    )
    store: str | None = strawberry.field(
        description="The shop's name as read or corrected; null when not read."
    )
    location: str | None = strawberry.field(
        description="The shop's address as read or corrected; null when not read."
    )
    date: dt.date | None = strawberry.field(description="The purchase date printed on the receipt.")
    time: dt.time | None = strawberry.field(description="The purchase time printed (local time).")
    total: Decimal | None = strawberry.field(description="A decimal string, in `currency`.")
    currency: str | None = strawberry.field(description="ISO 4217 code (EUR, MYR...).")
    receipt_number: str | None = strawberry.field(
        description="The receipt or ticket number printed; null when not read."
    )
    payment_method: str | None = strawberry.field(
        description="How it was paid (card, cash...) as read; null when not read."
    )
    points: BigInt = strawberry.field(  # type: ignore[valid-type]
        description="Loyalty points this receipt holds now (see LoyaltyRules for how they are "
        "computed; 0 while PROCESSING, FAILED, or a possible duplicate not yet validated)."
    )
    points_pending: BigInt = strawberry.field(  # type: ignore[valid-type]
        description="Points its typed values earn beyond what was read, waiting for an "
        "administrator (status IN_REVIEW); 0 otherwise."
    )
    review: PointsReview | None = strawberry.field(  # type: ignore[valid-type]
        description="The review of points from typed values; null when none was needed."
    )
    warnings: list[ReceiptWarning] = strawberry.field(
        description="Checks that did not pass when it was read (why it NEEDS_REVIEW)."
    )
    taxes: list[TaxLineType] = strawberry.field(description="The tax lines read, as printed.")
    error: ReceiptFailure | None = strawberry.field(description="Why it FAILED.")
    created_at: datetime = strawberry.field(description="When it was uploaded (ISO-8601).")
    updated_at: datetime = strawberry.field(description="When it last changed (ISO-8601).")
    extracted_at: datetime | None = strawberry.field(
        description="When reading finished (ISO-8601); null while PROCESSING or if it FAILED."
    )
    validated_at: datetime | None = strawberry.field(
        description="When a person last confirmed it with `validateReceipt` (ISO-8601); null "
        "before."
    )
    paper_index: int | None = strawberry.field(
        description="Which paper of a photo holding several receipts it was read from: 0 for "
        "the uploaded receipt, then left to right, top to bottom; null when the photo held one."
    )
    _pk: strawberry.Private[uuid.UUID]
    _file_id: strawberry.Private[uuid.UUID | None]
    _job_id: strawberry.Private[uuid.UUID | None]
    _duplicate_of: strawberry.Private[uuid.UUID | None]
    _model: strawberry.Private[models.Receipt]

    @classmethod
    def from_model(cls, receipt: models.Receipt) -> ReceiptType:
        return cls(
            id=global_id("Receipt", receipt.id),
            status=receipt.status,
            store=receipt.store,
            location=receipt.location,
            date=receipt.purchase_date,
            time=parse_time(receipt.purchase_time),
            total=receipt.total,
            currency=receipt.currency,
            receipt_number=receipt.receipt_number,
            payment_method=receipt.payment_method,
            points=receipt.points,
            points_pending=receipt.points_pending,
            review=receipt.review,
            warnings=[
                ReceiptWarning(code=w["code"], message=w["message"]) for w in receipt.warnings
            ],
            taxes=[
                TaxLineType(
                    rate=Decimal(t["rate"]) if t.get("rate") else None,
                    base=Decimal(t["base"]) if t.get("base") else None,
                    amount=Decimal(t["amount"]) if t.get("amount") else None,
                    confidence=t.get("confidence") or 0.0,
                    box=BoxType.of(t.get("box")),
                )
                for t in receipt.taxes or []
            ],
            error=ReceiptFailure(code=receipt.error_code, message=receipt.error_message or "")
            if receipt.error_code
            else None,
            created_at=receipt.created_at,
            updated_at=receipt.updated_at,
            extracted_at=receipt.extracted_at,
            validated_at=receipt.validated_at,
            paper_index=receipt.paper_index,
            _pk=receipt.id,
            _file_id=receipt.file_id,  # type: ignore[attr-defined]
            _job_id=receipt.job_id,  # type: ignore[attr-defined]
            _duplicate_of=receipt.possible_duplicate_of_id,
            _model=receipt,
        )

    @strawberry.field(
        description="Every field with its value, the value as read, the confidence of the "
        "reading and its box on the image."
    )
    def fields(self) -> list[ReceiptField]:
        read = (self._model.extraction or {}).get("fields", {})
        out = []
        for name, column in FIELD_COLUMNS.items():
            value = field_text(getattr(self._model, column))
            extracted = read.get(name) or {}
            out.append(
                ReceiptField(
                    name=name,
                    value=value,
                    extracted_value=extracted.get("value"),
                    confidence=extracted.get("confidence"),
                    box=BoxType.of(extracted.get("box")),
                    corrected=value != extracted.get("value"),
                )
            )
        return out

    @strawberry.field(description="Line items in printed order (batched per request).")
    async def items(self, info: Info) -> list[ReceiptItemType]:
        items = await items_by_receipt(info.context).load(self._pk)
        return [ReceiptItemType.from_model(item) for item in items]

    @strawberry.field(description="The original file (a signed `url` downloads it).")
    async def file(self, info: Info) -> FileType | None:
        if self._file_id is None:
            return None
        file = await files_by_id(info.context).load(self._file_id)
        return FileType.from_model(file) if file is not None else None

    @strawberry.field(description="The extraction job; follow it with `jobUpdated`.")
    async def job(self, info: Info) -> JobType | None:
        if self._job_id is None:
            return None
        job = await jobs_by_id(info.context).load(self._job_id)
        return JobType.from_model(job) if job is not None else None

    @strawberry.field(
        description="Another receipt of yours with the same store, date and total: this one "
        "earns no points until you validate it."
    )
    async def possible_duplicate_of(self, info: Info) -> ReceiptType | None:
        if self._duplicate_of is None:
            return None
        other = await receipts_by_id(info.context).load(self._duplicate_of)
        return ReceiptType.from_model(other) if other is not None else None

    @strawberry.field(
        description="The uploaded receipt this one was cut from, when its photo held several "
        "receipts (this is one of the other papers); null otherwise."
    )
    async def source_receipt(self, info: Info) -> ReceiptType | None:
        if self._model.source_receipt_id is None:
            return None
        source = await receipts_by_id(info.context).load(self._model.source_receipt_id)
        return ReceiptType.from_model(source) if source is not None else None

    @strawberry.field(
        description="The other receipts read from the same photo, in paper order (the uploaded "
        "one first); empty when the photo held one receipt. Deleted ones are left out."
    )
    async def siblings(self, info: Info) -> list[ReceiptType]:
        root = self._model.source_receipt_id or self._pk
        papers = list(await papers_by_source(info.context).load(root))
        if self._model.source_receipt_id is not None:
            source = await receipts_by_id(info.context).load(root)
            papers = [source, *papers] if source is not None else papers
        return [ReceiptType.from_model(r) for r in papers if r.id != self._pk]

    @strawberry.field(description="The audit trail of manual corrections, oldest first.")
    async def corrections(self, info: Info) -> list[ReceiptCorrectionType]:
        rows = await corrections_by_receipt(info.context).load(self._pk)
        return [ReceiptCorrectionType.from_model(c) for c in rows]

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[ReceiptType | None]:
        ids = list(node_ids)
        owner = await visible_owner(info)
        if owner is False:
            return [None] * len(ids)
        rows = await receipts_by_ids(ids=[uuid.UUID(i) for i in ids], owner=owner)
        return nodes_in_order(ids, rows, cls.from_model)
