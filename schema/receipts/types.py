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
from schema.core.relay import Connection, Node, global_id, nodes_in_order, paginate, register_node
from schema.core.scalars import BigInt
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

ReceiptStatus = strawberry.enum(
    models.ReceiptStatus,
    name="ReceiptStatus",
    description="PROCESSING (being read), EXTRACTED, NEEDS_REVIEW (a key field is unsure, a "
    "check failed, or a possible duplicate), VALIDATED (confirmed by a person), IN_REVIEW "
    "(confirmed with typed values that earn more than what was read: the extra points wait for "
    "an administrator), FAILED.",
)
PointsReview = strawberry.enum(
    models.PointsReview,
    name="PointsReview",
    description="An administrator's review of points earned from typed values: PENDING, "
    "APPROVED, REJECTED (final: the receipt keeps only what was read).",
)
ItemSource = strawberry.enum(models.ItemSource, name="ReceiptItemSource")
CorrectionAction = strawberry.enum(models.CorrectionAction, name="ReceiptCorrectionAction")
LoyaltyReason = strawberry.enum(
    models.LoyaltyReason,
    name="LoyaltyReason",
    description="AWARD (a receipt's first points), CORRECTION (the difference after a "
    "validation), APPROVAL (an administrator approved points from typed values), REVERSAL (the "
    "receipt was deleted).",
)
ReceiptErrorCode = strawberry.enum(ReceiptsErrorCode, name="ReceiptErrorCode")


@strawberry.enum(name="ReceiptOrder")
class ReceiptOrder(Enum):
    CREATED_AT_DESC = "CREATED_AT_DESC"
    CREATED_AT_ASC = "CREATED_AT_ASC"
    DATE_DESC = "DATE_DESC"
    DATE_ASC = "DATE_ASC"
    TOTAL_DESC = "TOTAL_DESC"
    TOTAL_ASC = "TOTAL_ASC"


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


@strawberry.enum(name="ExportFormat")
class ExportFormat(Enum):
    CSV = "CSV"


@strawberry.type(name="ReceiptError")
class ReceiptError:
    field: str | None
    code: ReceiptErrorCode  # type: ignore[valid-type]
    message: str
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
    x0: int
    y0: int
    x1: int
    y1: int

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
    box: BoxType | None
    corrected: bool


@strawberry.type
class ReceiptWarning:
    code: str = strawberry.field(
        description="items_total_mismatch, missing_total, possible_duplicate..."
    )
    message: str


@strawberry.type(name="ReceiptTaxLine")
class TaxLineType:
    rate: Decimal | None = strawberry.field(description="In percent.")
    base: Decimal | None
    amount: Decimal | None
    confidence: float
    box: BoxType | None


@strawberry.type
class ReceiptFailure:
    code: str = strawberry.field(description="EMPTY_DOCUMENT, UNREADABLE_IMAGE, ... (the reader's)")
    message: str


@register_node
@strawberry.type(name="Brand")
class BrandType(Node):
    # Admin-managed, as the `brands` field.
    read_permissions = (IsAdmin(),)

    name: str
    aliases: list[str]
    category: str | None = strawberry.field(
        description="Given to linked items whose receipt prints no department."
    )
    created_at: datetime
    updated_at: datetime

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

    name: str
    quantity: Decimal | None = strawberry.field(description="Null when none is printed (one unit).")
    unit_price: Decimal | None
    total: Decimal
    category: str | None
    source: ItemSource  # type: ignore[valid-type]
    confidence: float | None = strawberry.field(description="Of the reading; null when typed in.")
    box: BoxType | None
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

    action: CorrectionAction  # type: ignore[valid-type]
    field: str = strawberry.field(
        description="store, date, location, total, currency; items (added or removed); "
        "items.name, items.quantity, items.unitPrice, items.total, items.category; points (an "
        "administrator's APPROVE or REJECT: the points held before and after)."
    )
    reason: str | None = strawberry.field(description="Why: the reason given with a review.")
    item_id: strawberry.ID | None
    old_value: JSON | None
    new_value: JSON | None
    created_at: datetime
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
@strawberry.type(name="Receipt", description="A scanned shop receipt and what was read from it.")
class ReceiptType(Node):
    read_permissions = (HasScope("receipts:read"),)

    status: ReceiptStatus  # type: ignore[valid-type]
    store: str | None
    location: str | None
    date: dt.date | None = strawberry.field(description="The purchase date printed on the receipt.")
    time: dt.time | None = strawberry.field(description="The purchase time printed (local time).")
    total: Decimal | None = strawberry.field(description="A decimal string, in `currency`.")
    currency: str | None = strawberry.field(description="ISO 4217 code (EUR, MYR...).")
    receipt_number: str | None
    payment_method: str | None
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
    warnings: list[ReceiptWarning]
    taxes: list[TaxLineType]
    error: ReceiptFailure | None = strawberry.field(description="Why it FAILED.")
    created_at: datetime
    updated_at: datetime
    extracted_at: datetime | None
    validated_at: datetime | None
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
    reason: LoyaltyReason  # type: ignore[valid-type]
    rules_version: int = strawberry.field(description="The rules version this entry applied.")
    detail: JSON = strawberry.field(
        description="How the receipt's points were computed: base, spend, strategicUnits, "
        "category, multiplied, multiplier, points (what its values earn); granted (what it may "
        "hold: no more than as read or as approved) and pending (the rest, waiting for review)."
    )
    created_at: datetime
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
        self, first: int | None = None, after: str | None = None
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
    version: int
    base_points: int
    spend_step: Decimal
    points_per_step: int
    multiplier: Decimal
    multiplier_min_receipts: int
    category_points: int
    strategic_categories: list[str]
    created_at: datetime

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
    amount: Decimal
    currency: str = strawberry.field(description="XXX when the receipt's currency was not read.")


@strawberry.type(description="Spending of one group (a month, category, store or brand).")
class SpendGroup:
    key: str | None = strawberry.field(
        description="The month (YYYY-MM), category, store or brand; null when unknown."
    )
    amount: Decimal
    currency: str
    count: int = strawberry.field(
        description="Receipts (by month, by store) or line items (by category, by brand)."
    )


@strawberry.type(
    description="Spending over read receipts (possible duplicates count once validated) whose "
    "purchase date is in the period. Amounts are per currency, never summed across currencies."
)
class ReceiptStats:
    count: int = strawberry.field(description="Receipts in the period.")
    total: list[Money]
    spend_by_month: list[SpendGroup]
    spend_by_category: list[SpendGroup]
    spend_by_store: list[SpendGroup]
    spend_by_brand: list[SpendGroup]

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
