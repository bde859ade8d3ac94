"""Request-scoped DataLoaders of accounts: one SQL query per nested list, whatever the page size."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from strawberry.dataloader import DataLoader

from server.accounts.models import ApiKey
from server.context import Context

# What the ApiKey type shows; rows are read as plain dicts of these (no ORM objects).
API_KEY_COLUMNS = (
    "id",
    "name",
    "prefix",
    "scopes",
    "expires_at",
    "revoked_at",
    "last_used_at",
    "created_at",
    "company_id",
)


async def api_keys_of_owners(owner_ids: list[uuid.UUID]) -> list[list[dict[str, Any]]]:
    """Each owner's API keys as rows of API_KEY_COLUMNS, newest first, in one query."""
    grouped: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    rows = (
        await ApiKey.filter(owner_id__in=owner_ids)
        .order_by("-created_at", "-id")
        .values(*API_KEY_COLUMNS, "owner_id")
    )
    for row in rows:
        grouped[row["owner_id"]].append(row)
    return [grouped.get(owner_id, []) for owner_id in owner_ids]


def api_keys_by_owner(context: Context) -> DataLoader[uuid.UUID, list[dict[str, Any]]]:
    """The request's loader over `api_keys_of_owners`, for owners met one by one."""
    return context.loader(
        "accounts.api_keys_by_owner", lambda: DataLoader(load_fn=api_keys_of_owners)
    )


async def api_keys_of_companies(company_ids: list[uuid.UUID]) -> list[list[dict[str, Any]]]:
    """Each company's API keys as rows of API_KEY_COLUMNS, newest first, in one query."""
    grouped: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    rows = (
        await ApiKey.filter(company_id__in=company_ids)
        .order_by("-created_at", "-id")
        .values(*API_KEY_COLUMNS)
    )
    for row in rows:
        grouped[row["company_id"]].append(row)
    return [grouped.get(company_id, []) for company_id in company_ids]


def api_keys_by_company(context: Context) -> DataLoader[uuid.UUID, list[dict[str, Any]]]:
    """The request's loader over `api_keys_of_companies`."""
    return context.loader(
        "accounts.api_keys_by_company", lambda: DataLoader(load_fn=api_keys_of_companies)
    )
