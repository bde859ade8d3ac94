"""Inputs of the receipts queries and mutations.

In updates, a field left out keeps its value, and an explicit null clears it (where it may be
empty): inputs default to UNSET so the two can be told apart.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import strawberry
from strawberry.file_uploads import Upload

from schema.core.scalars import BigInt
from schema.receipts.types import ExportFormat, ReceiptStatus
from server.receipts.services import KEEP


@strawberry.input
class UploadReceiptInput:
    file: Upload = strawberry.field(description="A photo or scan (JPEG, PNG, WebP, TIFF) or a PDF.")


@strawberry.input
class ReceiptFilter:
    status: ReceiptStatus | None = None  # type: ignore[valid-type]
    store: str | None = strawberry.field(
        default=None, description="Part of the store name, any case."
    )
    date_from: dt.date | None = strawberry.field(
        default=None, description="Purchase date on or after (receipts with no date are left out)."
    )
    date_to: dt.date | None = strawberry.field(
        default=None, description="Purchase date on or before."
    )
    min_total: Decimal | None = None
    max_total: Decimal | None = None


@strawberry.input
class ReceiptItemInput:
    id: strawberry.ID | None = strawberry.field(
        default=None, description="An existing item to change or delete; leave out to add one."
    )
    name: str | None = strawberry.UNSET
    quantity: Decimal | None = strawberry.field(
        default=strawberry.UNSET,
        description="Positive, up to 3 decimals; a new item defaults to 1.",
    )
    unit_price: Decimal | None = strawberry.field(
        default=strawberry.UNSET,
        description="Required for a new item; the line total becomes quantity x unitPrice.",
    )
    category: str | None = strawberry.UNSET
    delete: bool = False


@strawberry.input
class ValidateReceiptInput:
    id: strawberry.ID
    store: str | None = strawberry.UNSET
    date: dt.date | None = strawberry.UNSET
    location: str | None = strawberry.UNSET
    total: Decimal | None = strawberry.UNSET
    currency: str | None = strawberry.UNSET
    items: list[ReceiptItemInput] | None = strawberry.field(
        default=None, description="Only the items to add, change or delete; others stay."
    )


@strawberry.input
class DeleteReceiptInput:
    id: strawberry.ID


@strawberry.input
class ApproveReceiptInput:
    id: strawberry.ID = strawberry.field(description="A receipt IN_REVIEW.")
    points_pending: BigInt = strawberry.field(  # type: ignore[valid-type]
        description="Its `pointsPending` as you reviewed them: if its owner changed the receipt "
        "since, nothing is granted (REVIEW_CHANGED)."
    )
    reason: str | None = strawberry.field(
        default=None, description="Why, up to 1000 characters (kept in its corrections)."
    )


@strawberry.input
class RejectReceiptInput:
    id: strawberry.ID = strawberry.field(description="A receipt IN_REVIEW.")
    reason: str = strawberry.field(
        description="Why, 1 to 1000 characters (kept in its corrections; the owner sees it)."
    )


@strawberry.input
class ExportReceiptsInput:
    filter: ReceiptFilter | None = None
    format: ExportFormat = ExportFormat.CSV


@strawberry.input
class CreateBrandInput:
    name: str
    aliases: list[str] = strawberry.field(
        default_factory=list, description="Other spellings printed on receipts (IPHONE for Apple)."
    )
    category: str | None = None


@strawberry.input
class UpdateBrandInput:
    id: strawberry.ID
    name: str | None = strawberry.UNSET
    aliases: list[str] | None = strawberry.UNSET
    category: str | None = strawberry.UNSET


@strawberry.input(description="Fields left out keep the current version's value.")
class UpdateLoyaltyRulesInput:
    base_points: int | None = strawberry.UNSET
    spend_step: Decimal | None = strawberry.UNSET
    points_per_step: int | None = strawberry.UNSET
    multiplier: Decimal | None = strawberry.UNSET
    multiplier_min_receipts: int | None = strawberry.UNSET
    category_points: int | None = strawberry.UNSET
    strategic_categories: list[str] | None = strawberry.UNSET


def kept(value: object) -> object:
    """An input field's value for the services: KEEP when it was left out."""
    return KEEP if value is strawberry.UNSET else value
