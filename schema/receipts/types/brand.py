"""The Brand node."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import strawberry
from strawberry import Info

from schema.core.permissions import IsAdmin
from schema.core.relay import (
    Node,
    global_id,
    nodes_in_order,
    register_node,
)
from server.access import visible
from server.receipts import models


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
