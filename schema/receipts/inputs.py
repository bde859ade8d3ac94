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
from server.receipts.values import KEEP


@strawberry.input(description="The receipt file to upload.")
class UploadReceiptInput:
    file: Upload = strawberry.field(description="A photo or scan (JPEG, PNG, WebP, TIFF) or a PDF.")


@strawberry.input(description="Which receipts: every condition given must hold.")
class ReceiptFilter:
    status: ReceiptStatus | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Only receipts in this status."
    )
    store: str | None = strawberry.field(
        default=None, description="Part of the store name, any case."
    )
    date_from: dt.date | None = strawberry.field(
        default=None, description="Purchase date on or after (receipts with no date are left out)."
    )
    date_to: dt.date | None = strawberry.field(
        default=None, description="Purchase date on or before."
    )
    min_total: Decimal | None = strawberry.field(
        default=None,
        description="Total at least this (a decimal string, any currency; receipts with no "
        "total are left out).",
    )
    max_total: Decimal | None = strawberry.field(
        default=None,
        description="Total at most this (a decimal string, any currency); not below minTotal.",
    )


@strawberry.input(description="A line item to add, change or delete.")
class ReceiptItemInput:
    id: strawberry.ID | None = strawberry.field(
        default=None, description="An existing item to change or delete; leave out to add one."
    )
    name: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="Up to 255 characters; required for a new item, not null.",
    )
    quantity: Decimal | None = strawberry.field(
        default=strawberry.UNSET,
        description="Positive, up to 3 decimals; a new item defaults to 1.",
    )
    unit_price: Decimal | None = strawberry.field(
        default=strawberry.UNSET,
        description="Required for a new item; the line total becomes quantity x unitPrice.",
    )
    category: str | None = strawberry.field(
        default=strawberry.UNSET, description="Up to 100 characters; null clears it."
    )
    delete: bool = strawberry.field(
        default=False, description="True removes the existing item `id`."
    )


@strawberry.input(
    description="The receipt to confirm, with corrections: a field left out keeps its value, "
    "null clears it (where allowed)."
)
class ValidateReceiptInput:
    id: strawberry.ID = strawberry.field(description="The Receipt's global id; not PROCESSING.")
    store: str | None = strawberry.field(
        default=strawberry.UNSET, description="Up to 255 characters; cannot be cleared."
    )
    date: dt.date | None = strawberry.field(
        default=strawberry.UNSET,
        description="The purchase date (YYYY-MM-DD), from 1970 to tomorrow.",
    )
    location: str | None = strawberry.field(
        default=strawberry.UNSET, description="The shop's address, up to 500 characters."
    )
    total: Decimal | None = strawberry.field(
        default=strawberry.UNSET,
        description="A decimal string, 0 up to RECEIPT_MAX_TOTAL (100000 by default), at most "
        "2 decimals.",
    )
    currency: str | None = strawberry.field(
        default=strawberry.UNSET, description="ISO 4217 code (EUR, MYR...), any case."
    )
    items: list[ReceiptItemInput] | None = strawberry.field(
        default=None, description="Only the items to add, change or delete; others stay."
    )


@strawberry.input(description="The receipt to delete.")
class DeleteReceiptInput:
    id: strawberry.ID = strawberry.field(description="The Receipt's global id.")


@strawberry.input(description="The receipt whose pending points to grant.")
class ApproveReceiptInput:
    id: strawberry.ID = strawberry.field(description="A receipt IN_REVIEW.")
    points_pending: BigInt = strawberry.field(  # type: ignore[valid-type]
        description="Its `pointsPending` as you reviewed them: if its owner changed the receipt "
        "since, nothing is granted (REVIEW_CHANGED)."
    )
    reason: str | None = strawberry.field(
        default=None, description="Why, up to 1000 characters (kept in its corrections)."
    )


@strawberry.input(description="The receipt whose pending points to refuse, and why.")
class RejectReceiptInput:
    id: strawberry.ID = strawberry.field(description="A receipt IN_REVIEW.")
    reason: str = strawberry.field(
        description="Why, 1 to 1000 characters (kept in its corrections; the owner sees it)."
    )


@strawberry.input(description="Which receipts to export, and how.")
class ExportReceiptsInput:
    filter: ReceiptFilter | None = strawberry.field(
        default=None, description="As in `receipts`; every receipt you see when left out."
    )
    format: ExportFormat = strawberry.field(
        default=ExportFormat.CSV, description="The file format; CSV (the only one)."
    )


@strawberry.input(description="A new brand.")
class CreateBrandInput:
    name: str = strawberry.field(
        description="1 to 100 characters with letters or digits; unique ignoring case, accents "
        "and punctuation."
    )
    aliases: list[str] = strawberry.field(
        default_factory=list, description="Other spellings printed on receipts (IPHONE for Apple)."
    )
    category: str | None = strawberry.field(
        default=None,
        description="Up to 100 characters; given to linked items whose receipt prints no "
        "department.",
    )


@strawberry.input(
    description="Changes to a brand: a field left out keeps its value, null clears it (where "
    "allowed)."
)
class UpdateBrandInput:
    id: strawberry.ID = strawberry.field(description="The Brand's global id.")
    name: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="1 to 100 characters with letters or digits; cannot be cleared.",
    )
    aliases: list[str] | None = strawberry.field(
        default=strawberry.UNSET,
        description="Replaces every alias: up to 50, each 1 to 100 characters; null or [] "
        "clears them.",
    )
    category: str | None = strawberry.field(
        default=strawberry.UNSET, description="Up to 100 characters; null clears it."
    )


@strawberry.input(description="Fields left out keep the current version's value.")
class UpdateLoyaltyRulesInput:
    base_points: int | None = strawberry.field(
        default=strawberry.UNSET, description="0 to 100000; not null."
    )
    spend_step: Decimal | None = strawberry.field(
        default=strawberry.UNSET,
        description="A decimal string, 0.01 or more, at most 2 decimals; not null.",
    )
    points_per_step: int | None = strawberry.field(
        default=strawberry.UNSET, description="0 to 100000; not null."
    )
    multiplier: Decimal | None = strawberry.field(
        default=strawberry.UNSET,
        description="A decimal string, 0 to 100, at most 3 decimals; not null.",
    )
    multiplier_min_receipts: int | None = strawberry.field(
        default=strawberry.UNSET, description="0 to 100000; not null."
    )
    category_points: int | None = strawberry.field(
        default=strawberry.UNSET, description="0 to 100000; not null."
    )
    strategic_categories: list[str] | None = strawberry.field(
        default=strawberry.UNSET,
        description="Replaces the list: up to 100 categories, each 1 to 100 characters; not "
        "null ([] for none).",
    )


def kept(value: object) -> object:
    """An input field's value for the services: KEEP when it was left out."""
    return KEEP if value is strawberry.UNSET else value
