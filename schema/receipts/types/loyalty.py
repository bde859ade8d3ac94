"""The loyalty ledger, balance and rules versions."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

import strawberry
from strawberry import Info
from strawberry.scalars import JSON

from schema.core.permissions import HasScope
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
from schema.core.scalars import BigInt
from schema.receipts.loaders import (
    receipts_by_id,
)
from schema.receipts.types.enums import LoyaltyReason
from schema.receipts.types.receipt import ReceiptType
from server.access import visible
from server.receipts import models
from server.receipts.loyalty import loyalty_entries


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
            loyalty_entries(user_id=self._user_id),
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
