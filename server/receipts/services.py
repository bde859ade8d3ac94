"""Receipts: upload, extraction job, history, manual validation, deletion, stats and export;
brands; loyalty points (ledger and rules versions).

Every function is keyword-only and async (except the query builders); each says what it raises
(ReceiptsError unless noted). `owner=None` means "anyone's" (an administrator); otherwise only
that user's live (not deleted) receipts exist, and anything else is NOT_FOUND, so ids of other
people's receipts reveal nothing.

The extraction job (`receipts.extract`) loads the file, OCRs it with progress through the shared
helper, runs `extract_receipt` in a thread, and writes the result once: `record_extraction` locks
the receipt row and does nothing unless it is still PROCESSING, and awards the points in the
same transaction as the status change. A retried or duplicated job therefore never writes or
awards twice (see `server.receipts.loyalty` for the ledger's own guarantee).
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.functions import Count, Sum
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from server.accounts.models import User
from server.files import sniffing
from server.files.models import StoredFile
from server.files.services import UploadLike, delete_file, get_blob_store, write_upload
from server.jobs.errors import JobFailed, JobsError
from server.jobs.models import TERMINAL_STATUSES, Job, JobStatus
from server.jobs.registry import ProgressReporter, job_handler, on_job_end, register_reconciler
from server.jobs.services import cancel_job, prepare_job, stale_after, submit_job
from server.ocr import DEFAULT_ENGINE, OcrError
from server.ocr.services import run_ocr_with_progress
from server.receipts import export, loyalty
from server.receipts.brands import BrandEntry, BrandMatcher, fold
from server.receipts.errors import ReceiptsError, ReceiptsErrorCode
from server.receipts.export import plain_quantity
from server.receipts.extraction import ExtractedField, ReceiptExtraction
from server.receipts.intake import pdf_has_content, upload_sha256
from server.receipts.models import (
    CONFIRMED_STATUSES,
    READ_STATUSES,
    Brand,
    CorrectionAction,
    ItemSource,
    LoyaltyEntry,
    LoyaltyRules,
    PointsReview,
    Receipt,
    ReceiptCorrection,
    ReceiptItem,
    ReceiptStatus,
)
from server.receipts.pipeline import extract_receipt
from server.receipts.points import category_key
from server.settings import get_settings
from server.storage import BlobNotFound

EXTRACT_RECEIPT = "receipts.extract"
OCR_LANGUAGES = ("fra", "eng")
CENT = Decimal("0.01")
MILLI = Decimal("0.001")
MAX_MONEY = Decimal("9999999999.99")  # DECIMAL(12, 2)
MAX_QUANTITY = Decimal(100_000)
UNKNOWN_CURRENCY = "XXX"  # ISO 4217's "no currency", for totals whose currency was not read
EXPORT_BATCH = 500
RECONCILE_BATCH = 500
# The values clients see per field, in this order, with their column on `Receipt`.
FIELD_COLUMNS = {
    "store": "store",
    "location": "location",
    "date": "purchase_date",
    "time": "purchase_time",
    "total": "total",
    "currency": "currency",
    "receiptNumber": "receipt_number",
    "paymentMethod": "payment_method",
}
TEXT_LIMITS = {"store": 255, "location": 500, "receiptNumber": 64, "paymentMethod": 32}


class _Keep:
    """An input field that was not sent: leave the value as it is (None means "clear it")."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = _Keep()


def _error(
    code: ReceiptsErrorCode, message: str, field: str | None = None, **details: Any
) -> ReceiptsError:
    return ReceiptsError(code, message, field=field, **details)


def _now() -> datetime:
    return datetime.now(UTC)


# --- values --------------------------------------------------------------------------------


def money(value: Decimal | None) -> Decimal | None:
    """Cents, rounded half up; None for what a DECIMAL(12, 2) cannot hold (an OCR misread)."""
    if value is None:
        return None
    cents = value.quantize(CENT, rounding=ROUND_HALF_UP)
    return cents if abs(cents) <= MAX_MONEY else None


def _quantity(value: Decimal | None) -> Decimal | None:
    if value is None or not value.is_finite() or abs(value) >= MAX_QUANTITY:
        return None
    return value.quantize(MILLI, rounding=ROUND_HALF_UP)


def _clip(text: str | None, length: int) -> str | None:
    if text is None:
        return None
    text = " ".join(text.split())
    return text[:length] or None


def parse_time(value: str | None) -> time | None:
    """The stored "HH:MM:SS" as a time (None when absent or unreadable)."""
    try:
        return time.fromisoformat(value) if value else None
    except ValueError:
        return None


def field_text(value: Any) -> str | None:
    """A field's value as clients see it: ISO dates and times, decimal strings."""
    if value is None:
        return None
    if isinstance(value, time):
        return value.replace(tzinfo=None).isoformat()
    if isinstance(value, date | Decimal):
        return value.isoformat() if isinstance(value, date) else str(value)
    return str(value)


def _refresh_derived(receipt: Receipt) -> None:
    """Keep the sort keys and the stats month in step with the values."""
    if receipt.purchase_date is not None:
        moment = parse_time(receipt.purchase_time) or time(0)
        receipt.sort_date = datetime.combine(receipt.purchase_date, moment, tzinfo=UTC)
        receipt.purchase_month = f"{receipt.purchase_date:%Y-%m}"
    else:
        receipt.sort_date = receipt.created_at
        receipt.purchase_month = None
    receipt.sort_total = receipt.total if receipt.total is not None else Decimal(0)


DERIVED_FIELDS = ["sort_date", "purchase_month", "sort_total"]


def item_json(item: ReceiptItem) -> dict[str, Any]:
    """An item's values, as kept in the audit trail."""
    return {
        "name": item.name,
        "quantity": field_text(plain_quantity(item.quantity)),
        "unitPrice": field_text(item.unit_price),
        "total": field_text(item.total),
        "category": item.category,
    }


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
                "quantity": field_text(plain_quantity(_quantity(item.value.quantity))),
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


# --- brands (read side) ----------------------------------------------------------------------


async def brand_matcher() -> BrandMatcher:
    """A matcher over every brand (a small table, read once per job or validation)."""
    rows = await Brand.all().values("id", "name", "aliases", "category")
    return BrandMatcher(
        BrandEntry(id=r["id"], name=r["name"], aliases=r["aliases"] or [], category=r["category"])
        for r in rows
    )


def _link(item: ReceiptItem, matcher: BrandMatcher) -> None:
    found = matcher.match(item.name) if matcher else None
    item.brand_id = found.brand.id if found else None  # type: ignore[attr-defined]
    item.brand_score = found.score if found else None
    if found is not None and not item.category and found.brand.category:
        item.category = found.brand.category


# --- upload ----------------------------------------------------------------------------------


async def _live_with_hash(owner: User, sha256: str) -> Receipt | None:
    return await Receipt.get_or_none(owner_id=owner.id, dedup_key=sha256)


def _duplicate(existing: Receipt) -> ReceiptsError:
    return _error(
        ReceiptsErrorCode.DUPLICATE,
        "You already uploaded this file.",
        "file",
        existing_receipt_id=existing.id,
    )


async def _check_pdf(upload: UploadLike) -> None:
    await upload.seek(0)
    data = await upload.read()
    try:
        has_content = await asyncio.to_thread(pdf_has_content, data)
    except OcrError as exc:
        code = {
            "ENCRYPTED_PDF": ReceiptsErrorCode.ENCRYPTED_PDF,
            "TOO_MANY_PAGES": ReceiptsErrorCode.TOO_MANY_PAGES,
        }.get(exc.code, ReceiptsErrorCode.CORRUPT_FILE)
        raise _error(code, f"The PDF cannot be used: {exc.message}.", "file") from exc
    if not has_content:
        raise _error(
            ReceiptsErrorCode.EMPTY_DOCUMENT,
            "The PDF has neither text nor images: there is nothing to read.",
            "file",
        )


async def upload_receipt(*, owner: User, upload: UploadLike) -> tuple[Receipt, Job]:
    """Store a receipt file and enqueue its extraction. Raises DUPLICATE (the same file is already
    a live receipt of this owner: `existing_receipt_id`), EMPTY_DOCUMENT, ENCRYPTED_PDF,
    TOO_MANY_PAGES, CORRUPT_FILE; FileError for refused uploads. A refusal leaves nothing behind."""
    settings = get_settings()
    digest = await upload_sha256(upload, max_bytes=settings.max_upload_bytes)
    if digest is not None and (existing := await _live_with_hash(owner, digest)) is not None:
        raise _duplicate(existing)
    blobs = get_blob_store()
    # The blob is written first, holding no database connection (a write may take seconds on
    # S3). The file row, the receipt and its job then commit together: a process killed before
    # the commit leaves only a blob that no row references (the sweeper removes it), one killed
    # after it a QUEUED job that recovery delivers; never a PROCESSING receipt no job finishes.
    written = await write_upload(
        upload,
        store=blobs,
        max_bytes=settings.max_upload_bytes,
        max_pixels=settings.max_image_pixels,
    )
    try:
        if written.content_type == sniffing.PDF:
            await _check_pdf(upload)
        async with in_transaction():
            file = await written.record(owner=owner)
            receipt_id = uuid.uuid4()
            job = await prepare_job(
                owner=owner,
                kind=EXTRACT_RECEIPT,
                payload={
                    "receipt_id": str(receipt_id),
                    "engine": settings.ocr_engine or DEFAULT_ENGINE,
                },
            )
            receipt = await Receipt.create(
                id=receipt_id,
                owner=owner,
                file=file,
                job=job,
                sha256=file.sha256,
                dedup_key=file.sha256,
                sort_date=_now(),
            )
    except IntegrityError:
        # Another upload of the same file won the race to the unique (owner, dedup_key). The
        # rows were rolled back; the blob is ours to remove.
        await blobs.delete(written.key)
        existing = await _live_with_hash(owner, written.sha256)
        if existing is None:
            raise
        raise _duplicate(existing) from None
    except BaseException:
        await blobs.delete(written.key)
        raise
    await submit_job(job)
    return receipt, job


# --- the extraction job ------------------------------------------------------------------------


def job_result(receipt: Receipt) -> dict[str, Any]:
    return {
        "receiptId": str(receipt.id),
        "status": receipt.status.value,
        "points": receipt.points,
        "possibleDuplicateOf": str(receipt.possible_duplicate_of_id)  # type: ignore[attr-defined]
        if receipt.possible_duplicate_of_id  # type: ignore[attr-defined]
        else None,
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
    snapshot = extraction_snapshot(extraction, engine=engine)
    async with in_transaction():
        receipt = await Receipt.filter(id=receipt_id).select_for_update().first()
        if receipt is None or receipt.deleted_at is not None:
            return receipt
        if receipt.status != ReceiptStatus.PROCESSING:
            return receipt  # another attempt already wrote it
        f = extraction
        receipt.store = _clip(f.merchant.value, 255) if f.merchant else None
        receipt.location = _clip(f.address.value, 500) if f.address else None
        receipt.purchase_date = f.date.value if f.date else None
        receipt.purchase_time = f.time.value.replace(tzinfo=None).isoformat() if f.time else None
        receipt.total = money(f.total.value) if f.total else None
        receipt.currency = _clip(f.currency.value, 3) if f.currency else None
        receipt.receipt_number = _clip(f.receipt_number.value, 64) if f.receipt_number else None
        receipt.payment_method = _clip(f.payment_method.value, 32) if f.payment_method else None
        receipt.taxes = snapshot["taxes"]
        receipt.warnings = list(snapshot["warnings"])
        receipt.extraction = snapshot
        receipt.extracted_at = _now()
        _refresh_derived(receipt)

        items = []
        for position, found in enumerate(f.items):
            total = money(found.value.total)
            if total is None:
                continue
            item = ReceiptItem(
                receipt_id=receipt.id,
                position=position,
                name=_clip(found.value.name, 255) or "?",
                quantity=_quantity(found.value.quantity),
                unit_price=money(found.value.unit_price),
                total=total,
                category=_clip(found.value.category, 100),
                confidence=round(found.confidence, 3),
                box=list(found.box) if found.box else None,
                source=ItemSource.EXTRACTED,
            )
            _link(item, matcher)
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
                "status",
                *DERIVED_FIELDS,
                "updated_at",
            ]
        )
        await loyalty.settle(receipt, items=items)
    return receipt


async def fail_extraction(*, receipt_id: uuid.UUID, code: str, message: str) -> None:
    """Mark a PROCESSING receipt FAILED with the reader's code (no-op otherwise)."""
    await Receipt.filter(id=receipt_id, status=ReceiptStatus.PROCESSING).update(
        status=ReceiptStatus.FAILED, error_code=code[:64], error_message=message, updated_at=_now()
    )


@job_handler(EXTRACT_RECEIPT)
async def run_extract_receipt(job: Job, report: ProgressReporter) -> dict[str, Any]:
    # However the job ends (failure, cancel, timeout, lost worker), `settle_extraction` ends the
    # receipt in the same transaction: the handler itself never marks the receipt FAILED.
    return await _extract(job, uuid.UUID(job.payload["receipt_id"]), report)


# What a receipt says when its job ended without reading it: the runner's own codes are not the
# reader's, so internal failures are summarised rather than shown.
_RUNNER_FAILURES = {"HANDLER_ERROR", "INVALID_RESULT", "UNKNOWN_KIND"}
UNREAD = ("EXTRACTION_FAILED", "The receipt could not be processed.")


def _failure_of(job: Job) -> tuple[str, str]:
    if job.status == JobStatus.CANCELLED:
        return "CANCELLED", "The extraction was cancelled."
    if job.status == JobStatus.FAILED and job.error_code and job.error_code not in _RUNNER_FAILURES:
        return job.error_code, job.error_message or UNREAD[1]
    return UNREAD  # FAILED in the runner, or SUCCEEDED without writing the receipt (a bug)


@on_job_end(EXTRACT_RECEIPT)
async def settle_extraction(job: Job) -> int:
    """The extraction job ended: a receipt it left PROCESSING becomes FAILED with the job's
    reason. Runs inside the transaction that ends the job (and from `reconcile_receipts`);
    returns how many receipts changed (0 or 1)."""
    code, message = _failure_of(job)
    return await (
        Receipt.filter(id=job.payload.get("receipt_id"), status=ReceiptStatus.PROCESSING)
        .filter(Q(job_id=job.id) | Q(job_id=None))
        .update(
            status=ReceiptStatus.FAILED,
            error_code=code[:64],
            error_message=message,
            updated_at=_now(),
        )
    )


async def reconcile_receipts(*, grace: float | None = None) -> int:
    """Fail the live receipts still PROCESSING although their job has ended (it ended before
    `settle_extraction` existed, or outside it) or is missing (for longer than `grace` seconds,
    default three heartbeats); returns how many changed. Run with every periodic recovery."""
    grace = stale_after() if grace is None else grace
    cutoff = _now() - timedelta(seconds=grace)
    stuck = Receipt.filter(status=ReceiptStatus.PROCESSING, deleted_at__isnull=True).filter(
        Q(job__status__in=[s.value for s in TERMINAL_STATUSES])
        | Q(job_id=None, created_at__lt=cutoff)
    )
    changed = 0
    for receipt_id, job_id in await stuck.limit(RECONCILE_BATCH).values_list("id", "job_id"):
        job = await Job.get_or_none(id=job_id) if job_id else None
        if job is not None and job.is_terminal:
            changed += await settle_extraction(job)
        elif job is None:
            changed += await Receipt.filter(
                id=receipt_id, status=ReceiptStatus.PROCESSING, job_id=None
            ).update(
                status=ReceiptStatus.FAILED,
                error_code="EXTRACTION_LOST",
                error_message="The extraction was never started; upload the receipt again.",
                updated_at=_now(),
            )
    return changed


register_reconciler("receipts.extract", reconcile_receipts)


async def _extract(job: Job, receipt_id: uuid.UUID, report: ProgressReporter) -> dict[str, Any]:
    receipt = await Receipt.get_or_none(id=receipt_id)
    if receipt is None or receipt.deleted_at is not None:
        raise JobFailed("RECEIPT_DELETED", "The receipt was deleted.")
    if receipt.status != ReceiptStatus.PROCESSING:
        return job_result(receipt)  # a retried or duplicated delivery: nothing left to do
    file = await StoredFile.get_or_none(id=receipt.file_id) if receipt.file_id else None  # type: ignore[attr-defined]
    await report(0.02, "loading file")
    try:
        if file is None:
            raise BlobNotFound("no file row")
        data = await get_blob_store().read(file.blob_key)
    except BlobNotFound as exc:
        raise JobFailed("FILE_MISSING", "The uploaded file no longer exists.") from exc
    try:
        ocr = await run_ocr_with_progress(
            data,
            content_type=file.content_type,
            engine=job.payload.get("engine", DEFAULT_ENGINE),
            languages=OCR_LANGUAGES,
            report=report,
            start=0.05,
            span=0.8,
        )
    except OcrError as exc:
        raise JobFailed(exc.code, exc.message) from exc
    await report(0.88, "extracting fields")
    extraction = await asyncio.to_thread(extract_receipt, ocr)
    await report(0.95, "saving")
    saved = await record_extraction(receipt_id=receipt_id, extraction=extraction, engine=ocr.engine)
    if saved is None or saved.deleted_at is not None:
        raise JobFailed("RECEIPT_DELETED", "The receipt was deleted.")
    return job_result(saved)


# --- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReceiptFilter:
    status: ReceiptStatus | None = None
    store: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    min_total: Decimal | None = None
    max_total: Decimal | None = None


def receipts_of(*, owner: User | None, filter: ReceiptFilter | None = None) -> QuerySet[Receipt]:
    """Live receipts (one owner's; everyone's for None), filtered. Raises INVALID_INPUT for an
    inverted range."""
    query = Receipt.filter(deleted_at__isnull=True)
    if owner is not None:
        query = query.filter(owner_id=owner.id)
    f = filter or ReceiptFilter()
    if f.date_from and f.date_to and f.date_from > f.date_to:
        raise _error(ReceiptsErrorCode.INVALID_INPUT, "dateFrom is after dateTo.", "dateTo")
    if f.min_total is not None and f.max_total is not None and f.min_total > f.max_total:
        raise _error(ReceiptsErrorCode.INVALID_INPUT, "minTotal is above maxTotal.", "maxTotal")
    if f.status is not None:
        query = query.filter(status=f.status)
    if f.store and f.store.strip():
        query = query.filter(store__icontains=f.store.strip())
    if f.date_from is not None:
        query = query.filter(purchase_date__gte=f.date_from)
    if f.date_to is not None:
        query = query.filter(purchase_date__lte=f.date_to)
    if f.min_total is not None:
        query = query.filter(total__gte=f.min_total)
    if f.max_total is not None:
        query = query.filter(total__lte=f.max_total)
    return query


async def get_receipt(*, receipt_id: uuid.UUID, owner: User | None) -> Receipt:
    """A live receipt. Raises NOT_FOUND (absent, deleted, or someone else's, alike)."""
    receipt = await receipts_of(owner=owner).filter(id=receipt_id).first()
    if receipt is None:
        raise _error(ReceiptsErrorCode.NOT_FOUND, "No such receipt.", "id")
    return receipt


async def receipts_by_ids(*, ids: Sequence[uuid.UUID], owner: User | None) -> list[Receipt]:
    """The live receipts among `ids` that `owner` may see (for node lookups and loaders)."""
    return await receipts_of(owner=owner).filter(id__in=list(ids))


# --- validation ------------------------------------------------------------------------------


@dataclass(slots=True)
class ItemEdit:
    id: uuid.UUID | None = None
    name: Any = KEEP
    quantity: Any = KEEP
    unit_price: Any = KEEP
    category: Any = KEEP
    delete: bool = False


@dataclass(slots=True)
class ReceiptEdit:
    store: Any = KEEP
    date: Any = KEEP
    location: Any = KEEP
    total: Any = KEEP
    currency: Any = KEEP
    items: list[ItemEdit] = field(default_factory=list)


def _text(value: Any, *, field: str, limit: int, required: bool = False) -> Any:
    if value is KEEP:
        return KEEP
    if value is None:
        if required:
            raise _error(ReceiptsErrorCode.INVALID_INPUT, f"{field} cannot be empty.", field)
        return None
    text = " ".join(str(value).split())
    if not text and required:
        raise _error(ReceiptsErrorCode.INVALID_INPUT, f"{field} cannot be empty.", field)
    if len(text) > limit:
        raise _error(
            ReceiptsErrorCode.INVALID_INPUT, f"{field} has more than {limit} characters.", field
        )
    return text or None


def _amount(
    value: Any,
    *,
    field: str,
    minimum: Decimal,
    places: Decimal = CENT,
    maximum: Decimal = MAX_MONEY,
) -> Any:
    """A typed number, checked: finite, within [minimum, maximum], at most `places` decimals.
    Raises INVALID_INPUT naming `field`."""
    if value is KEEP or value is None:
        return value
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise _error(ReceiptsErrorCode.INVALID_INPUT, f"{field} is not a number.", field) from exc
    if not amount.is_finite():
        raise _error(ReceiptsErrorCode.INVALID_INPUT, f"{field} is not a finite number.", field)
    # The range first: quantizing 1E+999999 would overflow the decimal context.
    if amount < minimum:
        raise _error(ReceiptsErrorCode.INVALID_INPUT, f"{field} must be at least {minimum}.", field)
    if amount > maximum:
        raise _error(ReceiptsErrorCode.INVALID_INPUT, f"{field} must be at most {maximum}.", field)
    if amount != amount.quantize(places, rounding=ROUND_HALF_UP):
        raise _error(
            ReceiptsErrorCode.INVALID_INPUT,
            f"{field} must have at most {-places.as_tuple().exponent} decimals.",  # type: ignore[operator]
            field,
        )
    return amount.quantize(places)


def _check_edit(edit: ReceiptEdit) -> ReceiptEdit:
    """The edit with clean values; raises INVALID_INPUT naming the first bad field."""
    currency = edit.currency
    if currency not in (KEEP, None):
        currency = str(currency).strip().upper()
        if len(currency) != 3 or not currency.isalpha() or not currency.isascii():
            raise _error(
                ReceiptsErrorCode.INVALID_INPUT, "currency must be an ISO 4217 code.", "currency"
            )
    when = edit.date
    if when not in (KEEP, None) and not date(1970, 1, 1) <= when <= date.today() + timedelta(
        days=1
    ):
        raise _error(
            ReceiptsErrorCode.INVALID_INPUT, "date is not a plausible purchase date.", "date"
        )
    most = get_settings().receipt_max_total
    items = []
    seen: set[uuid.UUID] = set()
    for index, item in enumerate(edit.items):
        prefix = f"items.{index}"
        if item.id is not None:
            if item.id in seen:
                raise _error(
                    ReceiptsErrorCode.INVALID_INPUT, "An item appears twice.", f"{prefix}.id"
                )
            seen.add(item.id)
        elif item.delete:
            raise _error(
                ReceiptsErrorCode.INVALID_INPUT,
                "Only an existing item can be deleted.",
                f"{prefix}.id",
            )
        new = item.id is None
        clean = ItemEdit(
            id=item.id,
            name=_text(item.name, field=f"{prefix}.name", limit=255, required=True)
            if not (new and item.name is KEEP)
            else KEEP,
            quantity=_amount(
                item.quantity,
                field=f"{prefix}.quantity",
                minimum=MILLI,
                places=MILLI,
                maximum=MAX_QUANTITY - MILLI,
            ),
            unit_price=_amount(
                item.unit_price, field=f"{prefix}.unitPrice", minimum=Decimal(0), maximum=most
            ),
            category=_text(item.category, field=f"{prefix}.category", limit=100),
            delete=item.delete,
        )
        if clean.quantity is None:
            raise _error(
                ReceiptsErrorCode.INVALID_INPUT, "quantity cannot be empty.", f"{prefix}.quantity"
            )
        if new and clean.name is KEEP:
            raise _error(
                ReceiptsErrorCode.INVALID_INPUT, "A new item needs a name.", f"{prefix}.name"
            )
        if new and clean.unit_price in (KEEP, None):
            raise _error(
                ReceiptsErrorCode.INVALID_INPUT,
                "A new item needs a unit price.",
                f"{prefix}.unitPrice",
            )
        if not new and clean.unit_price is None:
            raise _error(
                ReceiptsErrorCode.INVALID_INPUT, "unitPrice cannot be empty.", f"{prefix}.unitPrice"
            )
        items.append(clean)
    return ReceiptEdit(
        store=_text(edit.store, field="store", limit=255, required=True),
        date=when,
        location=_text(edit.location, field="location", limit=500),
        total=_amount(edit.total, field="total", minimum=Decimal(0), maximum=most),
        currency=currency,
        items=items,
    )


async def _locked(receipt_id: uuid.UUID, owner: User | None) -> Receipt:
    query = Receipt.filter(id=receipt_id, deleted_at__isnull=True)
    if owner is not None:
        query = query.filter(owner_id=owner.id)
    receipt = await query.select_for_update().first()
    if receipt is None:
        raise _error(ReceiptsErrorCode.NOT_FOUND, "No such receipt.", "id")
    return receipt


def _line_total(quantity: Decimal | None, unit: Decimal, *, field: str) -> Decimal:
    """quantity x unit price in cents; raises INVALID_INPUT (naming `field`) above the most a
    receipt may total."""
    most = get_settings().receipt_max_total
    total = (quantity if quantity is not None else Decimal(1)) * unit
    if abs(total) > most:
        raise _error(
            ReceiptsErrorCode.INVALID_INPUT,
            f"The line total (quantity x unitPrice) must be at most {most}.",
            field,
        )
    return total.quantize(CENT, rounding=ROUND_HALF_UP)


def _apply_item(item: ReceiptItem, edit: ItemEdit, *, field: str) -> None:
    if edit.name is not KEEP:
        item.name = edit.name
    if edit.category is not KEEP:
        item.category = edit.category
    if edit.quantity is KEEP and edit.unit_price is KEEP:
        return
    old_quantity = item.quantity if item.quantity is not None else Decimal(1)
    unit = item.unit_price
    if unit is None:  # one price printed for the line: the unit price is the line total
        unit = money(item.total / old_quantity) if old_quantity else item.total
    if edit.unit_price is not KEEP:
        unit = edit.unit_price
    quantity = item.quantity if edit.quantity is KEEP else edit.quantity
    item.total = _line_total(quantity, unit, field=field)
    item.quantity = quantity
    item.unit_price = unit


@dataclass(frozen=True, slots=True)
class Validation:
    receipt: Receipt
    points_posted: int


async def validate_receipt(
    *, receipt_id: uuid.UUID, owner: User | None, actor: User, edit: ReceiptEdit
) -> Validation:
    """Apply manual corrections (fields; items added, changed, removed), keep who changed what,
    mark the receipt VALIDATED and settle its points: IN_REVIEW instead when typed values earn
    more than what was read (see `loyalty`). Raises NOT_FOUND, NOT_READY (still processing),
    INVALID_INPUT (bounds: RECEIPT_MAX_TOTAL, decimals)."""
    edit = _check_edit(edit)
    needs_matcher = any(not e.delete and e.name is not KEEP for e in edit.items)
    matcher = await brand_matcher() if needs_matcher else None
    async with in_transaction():
        receipt = await _locked(receipt_id, owner)
        if receipt.status == ReceiptStatus.PROCESSING:
            raise _error(
                ReceiptsErrorCode.NOT_READY,
                "The receipt is still being read; try again soon.",
                "id",
            )
        items = await ReceiptItem.filter(receipt_id=receipt.id).order_by("position", "id")
        by_id = {item.id: item for item in items}
        corrections: list[ReceiptCorrection] = []

        def note(
            action: CorrectionAction, name: str, old: Any, new: Any, item_id: Any = None
        ) -> None:
            corrections.append(
                ReceiptCorrection(
                    receipt_id=receipt.id,
                    user_id=actor.id,
                    action=action,
                    field=name,
                    item_id=item_id,
                    # wrapped: the ORM reads a bare JSON string back as JSON text to decode
                    old_value={"value": old},
                    new_value={"value": new},
                )
            )

        for name, value in (
            ("store", edit.store),
            ("date", edit.date),
            ("location", edit.location),
            ("total", edit.total),
            ("currency", edit.currency),
        ):
            column = FIELD_COLUMNS[name]
            old = getattr(receipt, column)
            if value is not KEEP and value != old:
                setattr(receipt, column, value)
                note(CorrectionAction.CHANGE, name, field_text(old), field_text(value))

        removed: list[uuid.UUID] = []
        added: list[ReceiptItem] = []
        changed: list[ReceiptItem] = []
        position = max((i.position for i in items), default=-1) + 1
        for index, change in enumerate(edit.items):
            if change.id is None:
                item = ReceiptItem(
                    receipt_id=receipt.id,
                    position=position,
                    name=change.name,
                    quantity=Decimal(1) if change.quantity is KEEP else change.quantity,
                    unit_price=change.unit_price,
                    total=Decimal(0),
                    category=None if change.category is KEEP else change.category,
                    source=ItemSource.MANUAL,
                )
                item.total = _line_total(
                    item.quantity, item.unit_price, field=f"items.{index}.unitPrice"
                )
                position += 1
                if matcher is not None:
                    _link(item, matcher)
                added.append(item)
                continue
            item = by_id.get(change.id)
            if item is None:
                raise _error(
                    ReceiptsErrorCode.NOT_FOUND,
                    "No such item on this receipt.",
                    f"items.{index}.id",
                )
            before = item_json(item)
            if change.delete:
                removed.append(item.id)
                note(CorrectionAction.REMOVE_ITEM, "items", before, None, item.id)
                continue
            _apply_item(item, change, field=f"items.{index}.unitPrice")
            if change.name is not KEEP and matcher is not None and change.name != before["name"]:
                _link(item, matcher)
            after = item_json(item)
            for key in ("name", "quantity", "unitPrice", "total", "category"):
                if before[key] != after[key]:
                    note(CorrectionAction.CHANGE, f"items.{key}", before[key], after[key], item.id)
            if before != after or change.name is not KEEP:
                changed.append(item)

        if removed:
            await ReceiptItem.filter(id__in=removed).delete()
        for item in changed:
            await item.save()
        if added:
            await ReceiptItem.bulk_create(added)
            for item in added:
                note(CorrectionAction.ADD_ITEM, "items", None, item_json(item), item.id)
        if corrections:
            await ReceiptCorrection.bulk_create(corrections)

        receipt.status = ReceiptStatus.VALIDATED
        receipt.validated_at = _now()
        _refresh_derived(receipt)
        await receipt.save(
            update_fields=[
                "store",
                "purchase_date",
                "location",
                "total",
                "currency",
                "status",
                "validated_at",
                *DERIVED_FIELDS,
                "updated_at",
            ]
        )
        current = [i for i in items if i.id not in set(removed)] + added
        entry = await loyalty.settle(receipt, items=current)
    return Validation(receipt=receipt, points_posted=entry.points if entry else 0)


# --- review of points from typed values ----------------------------------------------------------


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
    note = _text(reason, field="reason", limit=1000, required=not approve)
    decision = PointsReview.APPROVED if approve else PointsReview.REJECTED
    for attempt in range(2):
        try:
            async with in_transaction():
                receipt = await _locked(receipt_id, None)
                if receipt.status != ReceiptStatus.IN_REVIEW:
                    if receipt.review == decision:  # already decided so: nothing to do
                        return Review(receipt=receipt, points_posted=0)
                    raise _error(
                        ReceiptsErrorCode.NOT_IN_REVIEW,
                        "This receipt has no points waiting for review.",
                        "id",
                    )
                if expected_pending is not None and receipt.points_pending != expected_pending:
                    raise _error(
                        ReceiptsErrorCode.REVIEW_CHANGED,
                        f"The receipt changed since: {receipt.points_pending} points are "
                        "pending now; review it again.",
                        "pointsPending",
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
                receipt.updated_at = _now()
                await Receipt.filter(id=receipt.id).update(updated_at=receipt.updated_at)
            return Review(receipt=receipt, points_posted=entry.points if entry else 0)
        except IntegrityError:
            # Another decision posted first (its entry took our sequence number): read again.
            if attempt:
                raise
    raise AssertionError("unreachable")


# --- deletion --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Deletion:
    receipt: Receipt
    points_reversed: int


async def delete_receipt(*, receipt_id: uuid.UUID, owner: User | None) -> Deletion:
    """Delete a receipt: it disappears from every list, its file is removed, and the points it
    earned are reversed in the ledger. Raises NOT_FOUND."""
    async with in_transaction():
        receipt = await _locked(receipt_id, owner)
        file_id = receipt.file_id  # type: ignore[attr-defined]
        receipt.deleted_at = _now()
        receipt.dedup_key = None
        receipt.file_id = None  # type: ignore[attr-defined]
        await receipt.save(update_fields=["deleted_at", "dedup_key", "file_id", "updated_at"])
        entry = await loyalty.settle(receipt, items=[])
    if file_id is not None and (file := await StoredFile.get_or_none(id=file_id)) is not None:
        await delete_file(file=file, store=get_blob_store())
    if receipt.status == ReceiptStatus.PROCESSING and receipt.job_id is not None:  # type: ignore[attr-defined]
        # It may have ended meanwhile; the handler then finds the receipt deleted anyway.
        with contextlib.suppress(JobsError):
            await cancel_job(job_id=receipt.job_id, owner=None)  # type: ignore[attr-defined]
    return Deletion(receipt=receipt, points_reversed=-entry.points if entry else 0)


# --- stats -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Spend:
    key: str | None
    amount: Decimal
    currency: str
    count: int


@dataclass(frozen=True, slots=True)
class ReceiptStats:
    count: int
    totals: list[Spend]
    by_month: list[Spend]
    by_category: list[Spend]
    by_store: list[Spend]
    by_brand: list[Spend]


def _sum(value: Any) -> Decimal:
    # SQLite sums DECIMAL text as floats; cents are exact again once rounded.
    return Decimal(str(value or 0)).quantize(CENT, rounding=ROUND_HALF_UP)


def _spends(rows: list[dict[str, Any]], key: str | None, currency: str) -> list[Spend]:
    spends = [
        Spend(
            key=row[key] if key else None,
            amount=_sum(row["amount"]),
            currency=row[currency] or UNKNOWN_CURRENCY,
            count=int(row["n"]),
        )
        for row in rows
        if row["amount"] is not None
    ]
    return sorted(spends, key=lambda s: (-s.amount, s.currency, s.key or ""))


def _spends_by_name(rows: list[dict[str, Any]], key: str, currency: str) -> list[Spend]:
    """Spending per name typed or read in any case, accents or spacing ("Food", " food "): SQL
    groups the exact spellings, merged here per folded name (`category_key`) and currency. The
    name shown is the spelling most rows use (ties: the first in code-point order, so
    capitalised before lower case), the same in every currency."""
    uses: dict[str, dict[str, int]] = {}
    merged: dict[tuple[str, str], list[Any]] = {}
    for spend in _spends(rows, key, currency):
        spelling = " ".join(spend.key.split()) if spend.key else ""
        folded = category_key(spelling)
        if folded:
            by_spelling = uses.setdefault(folded, {})
            by_spelling[spelling] = by_spelling.get(spelling, 0) + spend.count
        group = merged.setdefault((folded, spend.currency), [Decimal(0), 0])
        group[0] += spend.amount
        group[1] += spend.count
    shown = {
        folded: min(spellings, key=lambda name: (-spellings[name], name))
        for folded, spellings in uses.items()
    }
    spends = [
        Spend(key=shown.get(folded), amount=amount, currency=money_code, count=count)
        for (folded, money_code), (amount, count) in merged.items()
    ]
    return sorted(spends, key=lambda s: (-s.amount, s.currency, s.key or ""))


async def receipt_stats(
    *, owner: User, date_from: date | None = None, date_to: date | None = None
) -> ReceiptStats:
    """Spending of one owner's read receipts (unvalidated possible duplicates left out) whose
    purchase date is within [date_from, date_to], in a constant number of SQL aggregates.
    Raises INVALID_INPUT for an inverted range."""
    if date_from and date_to and date_from > date_to:
        raise _error(ReceiptsErrorCode.INVALID_INPUT, "from is after to.", "to")
    receipts = Receipt.filter(
        Q(possible_duplicate_of_id__isnull=True) | Q(status__in=list(CONFIRMED_STATUSES)),
        owner_id=owner.id,
        deleted_at__isnull=True,
        status__in=list(READ_STATUSES),
    )
    items = ReceiptItem.filter(
        Q(receipt__possible_duplicate_of_id__isnull=True)
        | Q(receipt__status__in=list(CONFIRMED_STATUSES)),
        receipt__owner_id=owner.id,
        receipt__deleted_at__isnull=True,
        receipt__status__in=list(READ_STATUSES),
    )
    if date_from is not None:
        receipts = receipts.filter(purchase_date__gte=date_from)
        items = items.filter(receipt__purchase_date__gte=date_from)
    if date_to is not None:
        receipts = receipts.filter(purchase_date__lte=date_to)
        items = items.filter(receipt__purchase_date__lte=date_to)

    def by_receipt(*keys: str) -> Any:
        return (
            receipts.annotate(amount=Sum("total"), n=Count("id"))
            .group_by(*keys, "currency")
            .values(*keys, "currency", "amount", "n")
        )

    def by_item(*keys: str) -> Any:
        return (
            items.annotate(amount=Sum("total"), n=Count("id"))
            .group_by(*keys, "receipt__currency")
            .values(*keys, "receipt__currency", "amount", "n")
        )

    count, totals, months, stores, categories, brands = await asyncio.gather(
        receipts.count(),
        by_receipt(),
        by_receipt("purchase_month"),
        by_receipt("store"),
        by_item("category"),
        items.filter(brand_id__isnull=False)
        .annotate(amount=Sum("total"), n=Count("id"))
        .group_by("brand__name", "receipt__currency")
        .values("brand__name", "receipt__currency", "amount", "n"),
    )
    return ReceiptStats(
        count=count,
        totals=_spends(totals, None, "currency"),
        by_month=sorted(
            _spends(months, "purchase_month", "currency"), key=lambda s: (s.key or "", s.currency)
        ),
        by_category=_spends_by_name(categories, "category", "receipt__currency"),
        by_store=_spends_by_name(stores, "store", "currency"),
        by_brand=_spends(brands, "brand__name", "receipt__currency"),
    )


# --- export ----------------------------------------------------------------------------------


async def export_receipts(
    *, owner: User | None, actor: User, filter: ReceiptFilter | None = None, format: str = "CSV"
) -> StoredFile:
    """Write the matching receipts (oldest purchase first) as a CSV file of the caller's, in the
    blob store. Raises INVALID_INPUT (format, inverted ranges)."""
    if format != "CSV":
        raise _error(ReceiptsErrorCode.INVALID_INPUT, "Only CSV exports exist.", "format")
    query = receipts_of(owner=owner, filter=filter)
    parts = [export.to_csv([], header=True)]
    after: tuple[datetime, uuid.UUID] | None = None
    while True:
        page_query = query
        if after is not None:
            page_query = page_query.filter(
                Q(sort_date__gt=after[0]) | Q(sort_date=after[0], id__gt=after[1])
            )
        page = await page_query.order_by("sort_date", "id").limit(EXPORT_BATCH)
        if not page:
            break
        grouped: dict[uuid.UUID, list[ReceiptItem]] = {r.id: [] for r in page}
        for item in (
            await ReceiptItem.filter(receipt_id__in=list(grouped))
            .select_related("brand")
            .order_by("position", "id")
        ):
            grouped[item.receipt_id].append(item)  # type: ignore[attr-defined]
        parts.append(
            export.to_csv(row for r in page for row in export.receipt_rows(r, grouped[r.id]))
        )
        if len(page) < EXPORT_BATCH:
            break
        after = (page[-1].sort_date, page[-1].id)
    data = "".join(parts).encode("utf-8")
    blobs = get_blob_store()
    info = await blobs.put(data, content_type="text/csv", key=f"exports/{uuid.uuid4().hex}")
    try:
        return await StoredFile.create(
            owner=actor,
            blob_key=info.key,
            sha256=info.sha256,
            size=info.size,
            content_type="text/csv",
            filename=f"receipts-{_now():%Y%m%d-%H%M%S}.csv",
        )
    except BaseException:
        await blobs.delete(info.key)
        raise


# --- brands ----------------------------------------------------------------------------------


def brands_query(*, search: str | None = None) -> QuerySet[Brand]:
    """Every brand, or those whose folded name contains `search`."""
    query = Brand.all()
    if search and fold(search):
        query = query.filter(key__contains=fold(search))
    return query


def _aliases(values: Any) -> Any:
    if values is KEEP:
        return KEEP
    clean: dict[str, str] = {}
    for index, alias in enumerate(values or []):
        text = " ".join(str(alias).split())
        if not fold(text) or len(text) > 100:
            raise _error(
                ReceiptsErrorCode.INVALID_INPUT,
                "An alias must have 1 to 100 characters (letters or digits).",
                f"aliases.{index}",
            )
        clean.setdefault(fold(text), text)
    if len(clean) > 50:
        raise _error(ReceiptsErrorCode.INVALID_INPUT, "At most 50 aliases.", "aliases")
    return list(clean.values())


async def _save_brand(brand: Brand) -> Brand:
    try:
        await brand.save()
    except IntegrityError as exc:
        raise _error(ReceiptsErrorCode.DUPLICATE, "A brand already has this name.", "name") from exc
    return brand


async def create_brand(*, name: str, aliases: Sequence[str], category: str | None) -> Brand:
    """Create a brand. Raises INVALID_INPUT, DUPLICATE (the name, folded, is taken)."""
    clean_name = _text(name, field="name", limit=100, required=True)
    if not fold(clean_name):
        raise _error(ReceiptsErrorCode.INVALID_INPUT, "The name needs letters or digits.", "name")
    brand = Brand(
        name=clean_name,
        key=fold(clean_name),
        aliases=_aliases(list(aliases)),
        category=_text(category, field="category", limit=100),
    )
    return await _save_brand(brand)


async def update_brand(
    *, brand_id: uuid.UUID, name: Any = KEEP, aliases: Any = KEEP, category: Any = KEEP
) -> Brand:
    """Change a brand (items already linked keep their link; new matches use the new names).
    Raises NOT_FOUND, INVALID_INPUT, DUPLICATE."""
    brand = await Brand.get_or_none(id=brand_id)
    if brand is None:
        raise _error(ReceiptsErrorCode.NOT_FOUND, "No such brand.", "id")
    clean_name = _text(name, field="name", limit=100, required=True)
    if clean_name is not KEEP:
        if not fold(clean_name):
            raise _error(
                ReceiptsErrorCode.INVALID_INPUT, "The name needs letters or digits.", "name"
            )
        brand.name, brand.key = clean_name, fold(clean_name)
    if (clean_aliases := _aliases(aliases)) is not KEEP:
        brand.aliases = clean_aliases
    if (clean_category := _text(category, field="category", limit=100)) is not KEEP:
        brand.category = clean_category
    return await _save_brand(brand)


# --- loyalty ---------------------------------------------------------------------------------


async def loyalty_balance(*, user_id: uuid.UUID) -> int:
    """A user's points: the sum of their ledger entries."""
    return await loyalty.balance(user_id=user_id)


def loyalty_entries(*, user_id: uuid.UUID) -> QuerySet[LoyaltyEntry]:
    """A user's ledger entries (for paging)."""
    return LoyaltyEntry.filter(user_id=user_id)


async def get_loyalty_rules(*, version: int | None = None) -> LoyaltyRules:
    """The current rules, or one version. Raises NOT_FOUND."""
    if version is None:
        return await loyalty.current_rules()
    rules = await LoyaltyRules.get_or_none(version=version)
    if rules is None:
        raise _error(ReceiptsErrorCode.NOT_FOUND, "No such rules version.", "version")
    return rules


@dataclass(slots=True)
class RulesEdit:
    base_points: Any = KEEP
    spend_step: Any = KEEP
    points_per_step: Any = KEEP
    multiplier: Any = KEEP
    multiplier_min_receipts: Any = KEEP
    category_points: Any = KEEP
    strategic_categories: Any = KEEP


RULE_FIELDS = {
    "base_points": "basePoints",
    "spend_step": "spendStep",
    "points_per_step": "pointsPerStep",
    "multiplier": "multiplier",
    "multiplier_min_receipts": "multiplierMinReceipts",
    "category_points": "categoryPoints",
    "strategic_categories": "strategicCategories",
}


async def update_loyalty_rules(*, actor: User, edit: RulesEdit) -> LoyaltyRules:
    """Add a rules version (the current one with these changes); receipts already awarded keep
    the version they used. Raises INVALID_INPUT."""
    changes: dict[str, Any] = {}
    for name, public in RULE_FIELDS.items():
        value = getattr(edit, name)
        if value is KEEP:
            continue
        if value is None:
            raise _error(ReceiptsErrorCode.INVALID_INPUT, f"{public} cannot be null.", public)
        if name == "strategic_categories":
            names: dict[str, str] = {}
            for index, category in enumerate(value):
                text = " ".join(str(category).split())
                if not category_key(text) or len(text) > 100:
                    raise _error(
                        ReceiptsErrorCode.INVALID_INPUT,
                        "A category must have 1 to 100 characters.",
                        f"{public}.{index}",
                    )
                names.setdefault(category_key(text), text)
            if len(names) > 100:
                raise _error(ReceiptsErrorCode.INVALID_INPUT, "At most 100 categories.", public)
            changes[name] = tuple(names.values())
        elif name == "spend_step":
            step = _amount(value, field=public, minimum=CENT)
            changes[name] = step
        elif name == "multiplier":
            changes[name] = _amount(value, field=public, minimum=Decimal(0), places=MILLI)
            if changes[name] > 100:
                raise _error(ReceiptsErrorCode.INVALID_INPUT, f"{public} is out of range.", public)
        else:
            if not 0 <= int(value) <= 100_000:
                raise _error(
                    ReceiptsErrorCode.INVALID_INPUT, f"{public} must be 0 to 100000.", public
                )
            changes[name] = int(value)
    return await loyalty.add_rules_version(changes=changes, actor=actor)
