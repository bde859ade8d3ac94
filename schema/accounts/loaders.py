"""Request-scoped DataLoaders of accounts: one SQL query per nested list, whatever the page size."""

from __future__ import annotations

import uuid
from collections import defaultdict

from strawberry.dataloader import DataLoader

from server.accounts.models import ApiKey
from server.context import Context


def api_keys_by_owner(context: Context) -> DataLoader[uuid.UUID, list[ApiKey]]:
    async def load(owner_ids: list[uuid.UUID]) -> list[list[ApiKey]]:
        grouped: dict[uuid.UUID, list[ApiKey]] = defaultdict(list)
        for key in await ApiKey.filter(owner_id__in=owner_ids).order_by("-created_at", "-id"):
            grouped[key.owner_id].append(key)
        return [grouped.get(owner_id, []) for owner_id in owner_ids]

    return context.loader("accounts.api_keys_by_owner", lambda: DataLoader(load_fn=load))
