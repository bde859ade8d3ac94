"""GraphQL types of receipts: the Receipt node with its fields (value, confidence, box), items,
corrections; brands; the loyalty ledger and rules; spending stats; the receipts error."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import strawberry
from strawberry import Info
from strawberry.scalars import JSON

from schema.accounts.types import UserType
from schema.core.files import FileType
from schema.core.permissions import HasScope, IsAdmin, actor_of
from schema.core.relay import (
    After,
    Connection,
    First,
    Node,
    global_id,
    nodes_in_order,
    paginate,
    register_node,
)
from schema.core.scalars import BigInt, described_enum
from schema.jobs.types import JobType
from schema.receipts.loaders import (
    corrections_by_receipt,
    files_by_id,
    items_by_receipt,
    jobs_by_id,
    receipts_by_id,
)
from server.access import owner_filter, visible
from server.errors import DomainError
from server.receipts import models, services
from server.receipts.errors import ReceiptsErrorCode
from server.receipts.export import plain_quantity

ReceiptStatus = described_enum(
    models.ReceiptStatus,
    name="ReceiptStatus",
    description="PROCESSING (being read), EXTRACTED, NEEDS_REVIEW (a key field is unsure, a "
    "check failed, or a possible duplicate), VALIDATED (confirmed by a person), IN_REVIEW "
    "(confirmed with typed values that earn more than what was read: the extra points wait for "
    "an administrator), FAILED.",
    values={
        "PROCESSING": "Uploaded; the extraction job has not finished.",
        "EXTRACTED": "Read with confidence, every check passed.",
        "NEEDS_REVIEW": "Read, but a key field is unsure, a check failed (see `warnings`), or "
        "it may be a duplicate: check it and `validateReceipt`.",
        "VALIDATED": "Confirmed (and maybe corrected) by a person.",
        "IN_REVIEW": "Confirmed with typed values that earn more than what was read: the extra "
        "points (`pointsPending`) wait for an administrator; VALIDATED once decided.",
        "FAILED": "The document could not be read (see `error`).",
    },
)
PointsReview = described_enum(
    models.PointsReview,
    name="PointsReview",
    description="An administrator's review of points earned from typed values: PENDING, "
    "APPROVED, REJECTED (final: the receipt keeps only what was read).",
    values={
        "PENDING": "Waiting in `receiptsForReview` (the receipt is IN_REVIEW).",
        "APPROVED": "Granted by an administrator.",
        "REJECTED": "Refused, for good: the receipt never holds more than what was read.",
    },
)
ItemSource = described_enum(
    models.ItemSource,
    name="ReceiptItemSource",
    description="Where a line item came from.",
    values={
        "EXTRACTED": "Read from the document.",
        "MANUAL": "Typed in with `validateReceipt`.",
    },
)
CorrectionAction = described_enum(
    models.CorrectionAction,
    name="ReceiptCorrectionAction",
    description="What a correction did.",
    values={
        "CHANGE": "Changed a receipt field or an item's field.",
        "ADD_ITEM": "Added a line item.",
        "REMOVE_ITEM": "Removed a line item.",
        "APPROVE": "An administrator granted the pending points (field `points`).",
        "REJECT": "An administrator refused the pending points (field `points`).",
    },
)
LoyaltyReason = described_enum(
    models.LoyaltyReason,
    name="LoyaltyReason",
    description="AWARD (a receipt's first points), CORRECTION (the difference after a "
    "validation), APPROVAL (an administrator approved points from typed values), REVERSAL (the "
    "receipt was deleted).",
    values={
        "AWARD": "The receipt's first points.",
        "CORRECTION": "The difference after a validation changed what the receipt earns.",
        "REVERSAL": "The receipt was deleted: everything it earned is taken back.",
        "APPROVAL": "An administrator approved points earned from typed values.",
    },
)
ReceiptErrorCode = described_enum(
    ReceiptsErrorCode,
    name="ReceiptErrorCode",
    description="Why a receipts mutation did nothing.",
    values={
        "NOT_FOUND": "No such receipt, brand or rules version, or not yours (alike).",
        "DUPLICATE": "uploadReceipt: you already uploaded this file (`existingReceiptId`); "
        "createBrand/updateBrand: a brand already has this name.",
        "INVALID_INPUT": "A value is out of its bounds or inconsistent; `field` names it.",
        "NOT_READY": "The receipt is still PROCESSING; try again when it is read.",
        "NOT_IN_REVIEW": "No points wait for review (never did, or already decided).",
        "REVIEW_CHANGED": "The pending points are no longer the `pointsPending` you reviewed: "
        "look again.",
        "EMPTY_FILE": "The file is empty.",
        "UNSUPPORTED_TYPE": "The content is not JPEG, PNG, WebP, TIFF or PDF (judged by the "
        "bytes, not the name).",
        "FILE_TOO_LARGE": "Larger than MAX_UPLOAD_BYTES (25 MB by default).",
        "TOO_MANY_PIXELS": "An image page has more than MAX_IMAGE_PIXELS (40 million by default).",
        "CORRUPT_FILE": "The file is truncated, or its header or PDF structure cannot be read.",
        "TOO_MANY_FILES": "More files in one request than MAX_FILES_PER_REQUEST (refused by the "
        "HTTP layer before any mutation runs).",
        "EMPTY_DOCUMENT": "The PDF has neither text nor images.",
        "ENCRYPTED_PDF": "The PDF is password-protected.",
        "TOO_MANY_PAGES": "The PDF or multi-page image has more pages than accepted.",
    },
)


@strawberry.enum(name="ReceiptOrder", description="How to order a receipts list.")
class ReceiptOrder(Enum):
    CREATED_AT_DESC = strawberry.enum_value(
        "CREATED_AT_DESC", description="Latest upload first (the default)."
    )
    CREATED_AT_ASC = strawberry.enum_value("CREATED_AT_ASC", description="Oldest upload first.")
    DATE_DESC = strawberry.enum_value(
        "DATE_DESC",
        description="Latest purchase first (printed date and time; the upload time when none "
        "was read).",
    )
    DATE_ASC = strawberry.enum_value(
        "DATE_ASC",
        description="Oldest purchase first (printed date and time; the upload time when none "
        "was read).",
    )
    TOTAL_DESC = strawberry.enum_value(
        "TOTAL_DESC", description="Largest total first (no total counts as 0; currencies mixed)."
    )
    TOTAL_ASC = strawberry.enum_value(
        "TOTAL_ASC", description="Smallest total first (no total counts as 0; currencies mixed)."
    )


# order -> (sort column, its Python type, descending). A receipt with no date yet sorts by its
# upload time, one with no total as 0 (see server.receipts.models).
ORDERINGS: dict[ReceiptOrder, tuple[str, type, bool]] = {
    ReceiptOrder.CREATED_AT_DESC: ("created_at", datetime, True),
    ReceiptOrder.CREATED_AT_ASC: ("created_at", datetime, False),
    ReceiptOrder.DATE_DESC: ("sort_date", datetime, True),
    ReceiptOrder.DATE_ASC: ("sort_date", datetime, False),
    ReceiptOrder.TOTAL_DESC: ("sort_total", Decimal, True),
    ReceiptOrder.TOTAL_ASC: ("sort_total", Decimal, False),
}


@strawberry.enum(name="ExportFormat", description="The file format of an export.")
class ExportFormat(Enum):
    CSV = strawberry.enum_value(
        "CSV",
        description="UTF-8 CSV with a header, one row per line item; cells that a spreadsheet "
        "would run as formulas are escaped.",
    )


@strawberry.type(
    name="ReceiptError",
    description="An expected failure of a receipts mutation (nothing changed).",
)
class ReceiptError:
    field: str | None = strawberry.field(
        description="The input field at fault (camelCase; an item as `items.0.unitPrice`), or "
        "null when it is no one field."
    )
    code: ReceiptErrorCode = strawberry.field(  # type: ignore[valid-type]
        description="What went wrong, for programs."
    )
    message: str = strawberry.field(description="What went wrong, in English, for people.")
    existing_receipt_id: strawberry.ID | None = strawberry.field(
        default=None, description="DUPLICATE: the receipt this file already is."
    )


def receipt_error(exc: DomainError) -> ReceiptError:
    """A service failure (receipts or files) as the payload's error."""
    existing = exc.details.get("existing_receipt_id")
    return ReceiptError(
        field=exc.field,
        code=ReceiptsErrorCode(str(exc.code)),
        message=exc.message,
        existing_receipt_id=global_id("Receipt", existing) if existing else None,  # type: ignore[arg-type]
    )


@strawberry.type(
    name="Box", description="A pixel rectangle on the page image: left, top, right, bottom."
)
class BoxType:
    x0: int = strawberry.field(description="Left edge, in pixels from the left.")
    y0: int = strawberry.field(description="Top edge, in pixels from the top.")
    x1: int = strawberry.field(description="Right edge, in pixels from the left.")
    y1: int = strawberry.field(description="Bottom edge, in pixels from the top.")

    @classmethod
    def of(cls, values: Any) -> BoxType | None:
        if not values or len(values) != 4:
            return None
        return cls(x0=int(values[0]), y0=int(values[1]), x1=int(values[2]), y1=int(values[3]))


@strawberry.type(
    description="One field of a receipt: its current value, what was read, how sure the "
    "reading was (0..1) and where on the image it was printed."
)
class ReceiptField:
    name: str = strawberry.field(
        description="store, location, date, time, total, currency, receiptNumber, paymentMethod."
    )
    value: str | None = strawberry.field(description="Dates ISO-8601, money a decimal string.")
    extracted_value: str | None = strawberry.field(description="As read, before any correction.")
    confidence: float | None = strawberry.field(description="Of the reading; null when not read.")
    box: BoxType | None = strawberry.field(
        description="Where it was printed on the page image; null when not read."
    )
    corrected: bool = strawberry.field(description="Whether `value` differs from what was read.")


@strawberry.type(description="A check on what was read that did not pass.")
class ReceiptWarning:
    code: str = strawberry.field(
        description="items_total_mismatch, missing_total, possible_duplicate..."
    )
    message: str = strawberry.field(description="What the check found, in English, for people.")


@strawberry.type(
    name="ReceiptTaxLine",
    description="A tax line printed on the receipt (amounts are decimal strings in the "
    "receipt's `currency`).",
)
class TaxLineType:
    rate: Decimal | None = strawberry.field(description="In percent.")
    base: Decimal | None = strawberry.field(
        description="The amount the tax applies to; null when not printed or not read."
    )
    amount: Decimal | None = strawberry.field(
        description="The tax itself; null when not printed or not read."
    )
    confidence: float = strawberry.field(description="Of the reading, 0 to 1.")
    box: BoxType | None = strawberry.field(
        description="Where it was printed on the page image; null when unknown."
    )


@strawberry.type(description="Why a receipt could not be read.")
class ReceiptFailure:
    code: str = strawberry.field(description="EMPTY_DOCUMENT, UNREADABLE_IMAGE, ... (the reader's)")
    message: str = strawberry.field(description="What went wrong, in English, for people.")


@register_node
@strawberry.type(
    name="Brand",
    description="A brand that line items are linked to by name (admin-managed; admins only "
    "through `node(id:)`).",
)
class BrandType(Node):
    # Admin-managed, as the `brands` field.
    read_permissions = (IsAdmin(),)

    name: str = strawberry.field(
        description="As shown; unique, ignoring case, accents and punctuation."
    )
    aliases: list[str] = strawberry.field(
        description="Other spellings printed on receipts (IPHONE for Apple)."
    )
    category: str | None = strawberry.field(
        description="Given to linked items whose receipt prints no department."
    )
    created_at: datetime = strawberry.field(description="When it was created (ISO-8601).")
    updated_at: datetime = strawberry.field(description="When it last changed (ISO-8601).")

    @classmethod
    def from_model(cls, brand: models.Brand) -> BrandType:
        return cls(
            id=global_id("Brand", brand.id),
            name=brand.name,
            aliases=list(brand.aliases or []),
            category=brand.category,
            created_at=brand.created_at,
            updated_at=brand.updated_at,
        )

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[BrandType | None]:
        ids = list(node_ids)
        query = visible(await info.context.actor(), models.Brand).filter(id__in=ids)
        return nodes_in_order(ids, await query, cls.from_model)


@register_node
@strawberry.type(name="ReceiptItem", description="A line item; pass its id to validateReceipt.")
class ReceiptItemType(Node):
    read_permissions = (HasScope("receipts:read"),)

    name: str = strawberry.field(description="As printed, or as typed.")
    quantity: Decimal | None = strawberry.field(description="Null when none is printed (one unit).")
    unit_price: Decimal | None = strawberry.field(
        description="A decimal string in the receipt's `currency`; null when only the line "
        "total is printed."
    )
    total: Decimal = strawberry.field(
        description="The line total: a decimal string in the receipt's `currency`."
    )
    category: str | None = strawberry.field(
        description="The department printed above it, else its brand's category; null when neither."
    )
    source: ItemSource = strawberry.field(  # type: ignore[valid-type]
        description="Read from the document, or typed in."
    )
    confidence: float | None = strawberry.field(description="Of the reading; null when typed in.")
    box: BoxType | None = strawberry.field(
        description="Where it was printed on the page image; null when typed in or unknown."
    )
    brand: BrandType | None = strawberry.field(description="Linked by fuzzy matching of the name.")

    @classmethod
    def from_model(cls, item: models.ReceiptItem) -> ReceiptItemType:
        brand = item.brand if item.brand_id else None  # type: ignore[attr-defined]
        return cls(
            id=global_id("ReceiptItem", item.id),
            name=item.name,
            quantity=plain_quantity(item.quantity),
            unit_price=item.unit_price,
            total=item.total,
            category=item.category,
            source=item.source,
            confidence=item.confidence,
            box=BoxType.of(item.box),
            brand=BrandType.from_model(brand) if brand is not None else None,
        )

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[ReceiptItemType | None]:
        ids = list(node_ids)
        rows = await of_visible_receipts(info, models.ReceiptItem, ids, "brand")
        return nodes_in_order(ids, rows, cls.from_model)


@register_node
@strawberry.type(name="ReceiptCorrection", description="One manual change, kept forever.")
class ReceiptCorrectionType(Node):
    read_permissions = (HasScope("receipts:read"),)

    action: CorrectionAction = strawberry.field(  # type: ignore[valid-type]
        description="What was done."
    )
    field: str = strawberry.field(
        description="store, date, location, total, currency; items (added or removed); "
        "items.name, items.quantity, items.unitPrice, items.total, items.category; points (an "
        "administrator's APPROVE or REJECT: the points held before and after)."
    )
    reason: str | None = strawberry.field(description="Why: the reason given with a review.")
    item_id: strawberry.ID | None = strawberry.field(
        description="The ReceiptItem's global id, for a change to an item; null otherwise."
    )
    old_value: JSON | None = strawberry.field(
        description="The value before: text, a decimal string, a date, or a whole item; null "
        "when there was none."
    )
    new_value: JSON | None = strawberry.field(
        description="The value after, in the same form; null when removed or cleared."
    )
    created_at: datetime = strawberry.field(description="When it was made (ISO-8601).")
    _user: strawberry.Private[Any]

    @classmethod
    def from_model(cls, correction: models.ReceiptCorrection) -> ReceiptCorrectionType:
        return cls(
            id=global_id("ReceiptCorrection", correction.id),
            action=correction.action,
            field=correction.field,
            item_id=global_id("ReceiptItem", correction.item_id) if correction.item_id else None,
            old_value=(correction.old_value or {}).get("value"),
            new_value=(correction.new_value or {}).get("value"),
            reason=correction.note,
            created_at=correction.created_at,
            _user=correction.user if correction.user_id else None,  # type: ignore[attr-defined]
        )

    @strawberry.field(description="Who made it: yourself, or an administrator (shown to admins).")
    async def changed_by(self, info: Info) -> UserType | None:
        # The same rule as User nodes: yourself, or anyone for an admin (an admin's key only
        # with the admin scope).
        actor = await actor_of(info)
        if self._user is None or actor.user is None:
            return None
        if actor.user.id != self._user.id and not actor.is_admin:
            return None
        return UserType.from_model(self._user)

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[ReceiptCorrectionType | None]:
        ids = list(node_ids)
        rows = await of_visible_receipts(info, models.ReceiptCorrection, ids, "user")
        return nodes_in_order(ids, rows, cls.from_model)


async def of_visible_receipts(info: Info, model: Any, ids: list[str], related: str) -> list[Any]:
    """The rows of `model` (items, corrections) among `ids` whose receipt the caller may see:
    the receipt's rule (`visible_owner`, live receipts) decides, not a copy of it."""
    owner = await visible_owner(info)
    if owner is False or not ids:
        return []
    rows = await model.filter(id__in=ids).select_related(related)
    receipt_ids = {row.receipt_id for row in rows}
    visible = {r.id for r in await services.receipts_by_ids(ids=list(receipt_ids), owner=owner)}
    return [row for row in rows if row.receipt_id in visible]


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
            time=services.parse_time(receipt.purchase_time),
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
        for name, column in services.FIELD_COLUMNS.items():
            value = services.field_text(getattr(self._model, column))
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
        rows = await services.receipts_by_ids(ids=[uuid.UUID(i) for i in ids], owner=owner)
        return nodes_in_order(ids, rows, cls.from_model)


async def visible_owner(info: Info) -> Any:
    """Whose receipts the caller may see (`server.access.owner_filter`): themself; None
    (anyone's) for an admin; False when nobody's (anonymous, or no `receipts:read` scope)."""
    actor = await actor_of(info)
    if not actor.has_scope("receipts:read"):
        return False
    return owner_filter(actor)


@register_node
@strawberry.type(name="LoyaltyEntry", description="One line of the append-only points ledger.")
class LoyaltyEntryType(Node):
    read_permissions = (HasScope("receipts:read"),)

    points: BigInt = strawberry.field(description="Positive or negative.")  # type: ignore[valid-type]
    reason: LoyaltyReason = strawberry.field(  # type: ignore[valid-type]
        description="Why the points were posted."
    )
    rules_version: int = strawberry.field(description="The rules version this entry applied.")
    detail: JSON = strawberry.field(
        description="How the receipt's points were computed: base, spend, strategicUnits, "
        "category, multiplied, multiplier, points (what its values earn); granted (what it may "
        "hold: no more than as read or as approved) and pending (the rest, waiting for review)."
    )
    created_at: datetime = strawberry.field(description="When it was posted (ISO-8601).")
    _receipt_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_model(cls, entry: models.LoyaltyEntry) -> LoyaltyEntryType:
        return cls(
            id=global_id("LoyaltyEntry", entry.id),
            points=entry.points,
            reason=entry.reason,
            rules_version=entry.rules_version,
            detail=entry.detail,
            created_at=entry.created_at,
            _receipt_id=entry.receipt_id,  # type: ignore[attr-defined]
        )

    @strawberry.field(description="The receipt, unless it was deleted since.")
    async def receipt(self, info: Info) -> ReceiptType | None:
        found = await receipts_by_id(info.context).load(self._receipt_id)
        return ReceiptType.from_model(found) if found is not None else None

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[LoyaltyEntryType | None]:
        ids = list(node_ids)
        query = visible(await info.context.actor(), models.LoyaltyEntry).filter(id__in=ids)
        return nodes_in_order(ids, await query, cls.from_model)


@strawberry.type(
    description="A user's loyalty points: an append-only ledger whose sum is the balance. A "
    "receipt earns when it is read (a possible duplicate: when validated); a validation posts "
    "the difference, except points that typed values earn beyond what was read, which wait for "
    "an administrator (Receipt.pointsPending); a deletion reverses what it earned. How a "
    "receipt earns: see LoyaltyRules."
)
class Loyalty:
    balance: BigInt = strawberry.field(description="The sum of every ledger entry.")  # type: ignore[valid-type]
    _user_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="The ledger, newest first.")
    async def entries(
        self, first: First = None, after: After = None
    ) -> Connection[LoyaltyEntryType]:
        return await paginate(
            services.loyalty_entries(user_id=self._user_id),
            first=first,
            after=after,
            to_node=LoyaltyEntryType.from_model,
        )


@strawberry.type(
    name="LoyaltyRules",
    description="One version of the points rules. A receipt earns basePoints, plus "
    "pointsPerStep per full spendStep of its total, plus categoryPoints per unit bought in a "
    "strategic category; the sum is multiplied by `multiplier` when its owner has at least "
    "multiplierMinReceipts earlier receipts that earned points (not deleted; the receipt itself "
    "never counts, so the 6th earning receipt is the first multiplied with the defaults); then "
    "rounded half up to a whole number. A receipt keeps the version of its first award when a "
    "correction recomputes it.",
)
class LoyaltyRulesType:
    version: int = strawberry.field(description="1, 2, 3...: each update adds the next.")
    base_points: int = strawberry.field(description="Points every earning receipt gets.")
    spend_step: Decimal = strawberry.field(
        description="A spending step, a decimal string in the receipt's currency: each full "
        "step of the total earns `pointsPerStep`."
    )
    points_per_step: int = strawberry.field(description="Points per full `spendStep` spent.")
    multiplier: Decimal = strawberry.field(
        description="A decimal string (up to 3 decimals) multiplying the sum for loyal owners."
    )
    multiplier_min_receipts: int = strawberry.field(
        description="Earlier earning receipts an owner needs for `multiplier` to apply."
    )
    category_points: int = strawberry.field(
        description="Points per unit bought in a strategic category."
    )
    strategic_categories: list[str] = strawberry.field(
        description="The categories whose units earn `categoryPoints`."
    )
    created_at: datetime = strawberry.field(
        description="When this version was published (ISO-8601)."
    )

    @classmethod
    def from_model(cls, rules: models.LoyaltyRules) -> LoyaltyRulesType:
        return cls(
            version=rules.version,
            base_points=rules.base_points,
            spend_step=rules.spend_step,
            points_per_step=rules.points_per_step,
            multiplier=rules.multiplier,
            multiplier_min_receipts=rules.multiplier_min_receipts,
            category_points=rules.category_points,
            strategic_categories=list(rules.strategic_categories),
            created_at=rules.created_at,
        )


@strawberry.type(description="An amount of money: a decimal string and its ISO 4217 currency.")
class Money:
    amount: Decimal = strawberry.field(description="A decimal string, e.g. 12.50.")
    currency: str = strawberry.field(description="XXX when the receipt's currency was not read.")


@strawberry.type(description="Spending of one group (a month, category, store or brand).")
class SpendGroup:
    key: str | None = strawberry.field(
        description="The month (YYYY-MM), category, store or brand; null when unknown."
    )
    amount: Decimal = strawberry.field(description="The sum spent, a decimal string.")
    currency: str = strawberry.field(
        description="ISO 4217 code of `amount`; XXX when the currency was not read."
    )
    count: int = strawberry.field(
        description="Receipts (by month, by store) or line items (by category, by brand)."
    )


@strawberry.type(
    description="Spending over read receipts (possible duplicates count once validated) whose "
    "purchase date is in the period. Amounts are per currency, never summed across currencies."
)
class ReceiptStats:
    count: int = strawberry.field(description="Receipts in the period.")
    total: list[Money] = strawberry.field(description="Total spent, one entry per currency.")
    spend_by_month: list[SpendGroup] = strawberry.field(
        description="Receipts' totals per purchase month and currency, oldest month first."
    )
    spend_by_category: list[SpendGroup] = strawberry.field(
        description="Line items' totals per category and currency, largest first."
    )
    spend_by_store: list[SpendGroup] = strawberry.field(
        description="Receipts' totals per store and currency, largest first."
    )
    spend_by_brand: list[SpendGroup] = strawberry.field(
        description="Totals of line items linked to a brand, per brand and currency, largest first."
    )

    @classmethod
    def from_stats(cls, stats: services.ReceiptStats) -> ReceiptStats:
        def groups(spends: list[services.Spend]) -> list[SpendGroup]:
            return [
                SpendGroup(key=s.key, amount=s.amount, currency=s.currency, count=s.count)
                for s in spends
            ]

        return cls(
            count=stats.count,
            total=[Money(amount=s.amount, currency=s.currency) for s in stats.totals],
            spend_by_month=groups(stats.by_month),
            spend_by_category=groups(stats.by_category),
            spend_by_store=groups(stats.by_store),
            spend_by_brand=groups(stats.by_brand),
        )
