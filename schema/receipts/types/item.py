"""Line items and corrections: nodes whose visibility is their receipt's."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

import strawberry
from strawberry import Info
from strawberry.scalars import JSON

from schema.accounts.types import UserType
from schema.core.names import public_keys, public_name
from schema.core.permissions import HasScope, actor_of
from schema.core.relay import (
    Node,
    global_id,
    nodes_in_order,
    register_node,
)
from schema.receipts.types.brand import BrandType
from schema.receipts.types.enums import CorrectionAction, ItemSource
from schema.receipts.types.parts import BoxType
from schema.receipts.types.visibility import of_visible_receipts
from server.receipts import models
from server.receipts.values import plain_quantity


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
            field=public_name(correction.field) or correction.field,
            item_id=global_id("ReceiptItem", correction.item_id) if correction.item_id else None,
            old_value=public_keys((correction.old_value or {}).get("value")),
            new_value=public_keys((correction.new_value or {}).get("value")),
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
