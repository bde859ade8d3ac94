"""Manual correction and validation of a receipt: typed fields and items checked, applied with an
audit trail of who changed what, the points settled (see `loyalty`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tortoise.transactions import in_transaction

from server.accounts.models import User
from server.receipts import loyalty
from server.receipts.brand_catalog import brand_matcher, link_item
from server.receipts.errors import ReceiptsErrorCode
from server.receipts.models import (
    CorrectionAction,
    ItemSource,
    Receipt,
    ReceiptCorrection,
    ReceiptItem,
    ReceiptStatus,
)
from server.receipts.reading import locked
from server.receipts.values import (
    CENT,
    DERIVED_FIELDS,
    FIELD_COLUMNS,
    KEEP,
    MAX_QUANTITY,
    MILLI,
    checked_amount,
    clean_text,
    error,
    field_text,
    item_json,
    money,
    now,
    refresh_derived,
)
from server.settings import get_settings


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


def _check_edit(edit: ReceiptEdit) -> ReceiptEdit:
    """The edit with clean values; raises INVALID_INPUT naming the first bad field."""
    currency = edit.currency
    if currency not in (KEEP, None):
        currency = str(currency).strip().upper()
        if len(currency) != 3 or not currency.isalpha() or not currency.isascii():
            raise error(
                ReceiptsErrorCode.INVALID_INPUT, "currency must be an ISO 4217 code.", "currency"
            )
    when = edit.date
    if when not in (KEEP, None) and not date(1970, 1, 1) <= when <= date.today() + timedelta(
        days=1
    ):
        raise error(
            ReceiptsErrorCode.INVALID_INPUT, "date is not a plausible purchase date.", "date"
        )
    most = get_settings().receipt_max_total
    items = []
    seen: set[uuid.UUID] = set()
    for index, item in enumerate(edit.items):
        prefix = f"items.{index}"
        if item.id is not None:
            if item.id in seen:
                raise error(
                    ReceiptsErrorCode.INVALID_INPUT, "An item appears twice.", f"{prefix}.id"
                )
            seen.add(item.id)
        elif item.delete:
            raise error(
                ReceiptsErrorCode.INVALID_INPUT,
                "Only an existing item can be deleted.",
                f"{prefix}.id",
            )
        new = item.id is None
        clean = ItemEdit(
            id=item.id,
            name=clean_text(item.name, field=f"{prefix}.name", limit=255, required=True)
            if not (new and item.name is KEEP)
            else KEEP,
            quantity=checked_amount(
                item.quantity,
                field=f"{prefix}.quantity",
                minimum=MILLI,
                places=MILLI,
                maximum=MAX_QUANTITY - MILLI,
            ),
            unit_price=checked_amount(
                item.unit_price, field=f"{prefix}.unit_price", minimum=Decimal(0), maximum=most
            ),
            category=clean_text(item.category, field=f"{prefix}.category", limit=100),
            delete=item.delete,
        )
        if clean.quantity is None:
            raise error(
                ReceiptsErrorCode.INVALID_INPUT, "quantity cannot be empty.", f"{prefix}.quantity"
            )
        if new and clean.name is KEEP:
            raise error(
                ReceiptsErrorCode.INVALID_INPUT, "A new item needs a name.", f"{prefix}.name"
            )
        if new and clean.unit_price in (KEEP, None):
            raise error(
                ReceiptsErrorCode.INVALID_INPUT,
                "A new item needs a unit price.",
                f"{prefix}.unit_price",
            )
        if not new and clean.unit_price is None:
            raise error(
                ReceiptsErrorCode.INVALID_INPUT,
                "unit_price cannot be empty.",
                f"{prefix}.unit_price",
            )
        items.append(clean)
    return ReceiptEdit(
        store=clean_text(edit.store, field="store", limit=255, required=True),
        date=when,
        location=clean_text(edit.location, field="location", limit=500),
        total=checked_amount(edit.total, field="total", minimum=Decimal(0), maximum=most),
        currency=currency,
        items=items,
    )


def _line_total(quantity: Decimal | None, unit: Decimal, *, field: str) -> Decimal:
    """quantity x unit price in cents; raises INVALID_INPUT (naming `field`) above the most a
    receipt may total."""
    most = get_settings().receipt_max_total
    total = (quantity if quantity is not None else Decimal(1)) * unit
    if abs(total) > most:
        raise error(
            ReceiptsErrorCode.INVALID_INPUT,
            f"The line total (quantity x unit_price) must be at most {most}.",
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
    assert unit is not None  # the edit was checked: a unit price is never emptied
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
        receipt = await locked(receipt_id, owner)
        if receipt.status == ReceiptStatus.PROCESSING:
            raise error(
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
                assert item.unit_price is not None  # checked: a new item has one
                item.total = _line_total(
                    item.quantity, item.unit_price, field=f"items.{index}.unit_price"
                )
                position += 1
                if matcher is not None:
                    link_item(item, matcher)
                added.append(item)
                continue
            item = by_id.get(change.id)
            if item is None:
                raise error(
                    ReceiptsErrorCode.NOT_FOUND,
                    "No such item on this receipt.",
                    f"items.{index}.id",
                )
            before = item_json(item)
            if change.delete:
                removed.append(item.id)
                note(CorrectionAction.REMOVE_ITEM, "items", before, None, item.id)
                continue
            _apply_item(item, change, field=f"items.{index}.unit_price")
            if change.name is not KEEP and matcher is not None and change.name != before["name"]:
                link_item(item, matcher)
            after = item_json(item)
            for key in ("name", "quantity", "unit_price", "total", "category"):
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
        receipt.validated_at = now()
        refresh_derived(receipt)
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
