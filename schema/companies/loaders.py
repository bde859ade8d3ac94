"""Request-scoped DataLoaders of the companies area: one batch of SQL queries per kind of nested
data on a page, whatever the page size."""

from __future__ import annotations

import uuid

from strawberry.dataloader import DataLoader

from server.companies.stock import MovementPage, movements_of
from server.context import Context

# (product id, page size, before sequence or None): a page of that product's movements.
MovementKey = tuple[uuid.UUID, int, int | None]


def movements_by_product(context: Context) -> DataLoader[MovementKey, MovementPage]:
    async def load(keys: list[MovementKey]) -> list[MovementPage]:
        # Products on one page ask for the same page size and cursor: one batch per such pair.
        groups: dict[tuple[int, int | None], list[uuid.UUID]] = {}
        for product_id, first, before in keys:
            groups.setdefault((first, before), []).append(product_id)
        pages: dict[MovementKey, MovementPage] = {}
        for (first, before), product_ids in groups.items():
            found = await movements_of(product_ids, first=first, before_sequence=before)
            for product_id, page in found.items():
                pages[(product_id, first, before)] = page
        return [pages[key] for key in keys]

    return context.loader("companies.movements_by_product", lambda: DataLoader(load_fn=load))
