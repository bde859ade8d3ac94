"""GraphQL types of accounts: User, ApiKey, auth payloads and the accounts error."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import strawberry
from strawberry import Info

from schema.accounts.loaders import API_KEY_COLUMNS, api_keys_by_owner, api_keys_of_owners
from schema.core.execution import prefetched
from schema.core.permissions import IsAdmin, IsAuthenticated
from schema.core.relay import Node, global_id, nodes_in_order, register_node
from server.access import visible
from server.accounts import models
from server.accounts.errors import AccountsErrorCode

Role = strawberry.enum(models.Role, name="Role")
AccountsErrorCodeEnum = strawberry.enum(AccountsErrorCode, name="AccountsErrorCode")


@strawberry.type(name="AccountsError")
class AccountsError:
    field: str | None
    code: AccountsErrorCodeEnum  # type: ignore[valid-type]
    message: str
    retry_after_seconds: int | None = None


# What the User type shows; list pages read rows as plain dicts of these (no ORM objects).
USER_COLUMNS = ("id", "email", "role", "created_at")


@register_node
@strawberry.type(name="User")
class UserType(Node):
    # Yourself; an admin (server.access.visible): anyone.
    read_permissions = (IsAuthenticated(),)

    email: str
    role: Role  # type: ignore[valid-type]
    created_at: datetime
    _pk: strawberry.Private[uuid.UUID]
    # Filled by `prefetch_api_keys` (or by the field's own first load); None: not loaded yet.
    _api_keys: strawberry.Private[list[ApiKeyType] | None] = None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> UserType:
        return cls(
            id=global_id("User", row["id"]),
            email=row["email"],
            role=row["role"],
            created_at=row["created_at"],
            _pk=row["id"],
        )

    @classmethod
    def from_model(cls, user: models.User) -> UserType:
        return cls.from_row({column: getattr(user, column) for column in USER_COLUMNS})

    @strawberry.field(
        permission_classes=[IsAdmin()],
        description="The API keys this user owns, newest first (admins only; batched per request).",
        metadata=prefetched("_api_keys"),
    )
    async def api_keys(self, info: Info) -> list[ApiKeyType]:
        if self._api_keys is None:
            rows = await api_keys_by_owner(info.context).load(self._pk)
            self._api_keys = [ApiKeyType.from_row(row) for row in rows]
        return self._api_keys

    @staticmethod
    async def prefetch_api_keys(users: list[UserType]) -> None:
        """Load every user's API keys in one query, for a resolver that has itself required an
        admin (the `apiKeys` field's own permission), so the keys are served without a check
        per user."""
        if not users:
            return
        lists = await api_keys_of_owners([user._pk for user in users])
        for user, rows in zip(users, lists, strict=True):
            user._api_keys = [ApiKeyType.from_row(row) for row in rows]

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[UserType | None]:
        ids = list(node_ids)
        query = visible(await info.context.actor(), models.User).filter(id__in=ids)
        return nodes_in_order(ids, await query, cls.from_model)


@register_node
@strawberry.type(name="ApiKey")
class ApiKeyType(Node):
    read_permissions = (IsAdmin(),)

    name: str
    prefix: str
    scopes: list[str]
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    created_at: datetime

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> ApiKeyType:
        return cls(
            id=global_id("ApiKey", row["id"]),
            name=row["name"],
            prefix=row["prefix"],
            scopes=list(row["scopes"]),
            expires_at=row["expires_at"],
            revoked_at=row["revoked_at"],
            last_used_at=row["last_used_at"],
            created_at=row["created_at"],
        )

    @classmethod
    def from_model(cls, key: models.ApiKey) -> ApiKeyType:
        return cls.from_row({column: getattr(key, column) for column in API_KEY_COLUMNS})

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[ApiKeyType | None]:
        ids = list(node_ids)
        query = visible(await info.context.actor(), models.ApiKey).filter(id__in=ids)
        return nodes_in_order(ids, await query, cls.from_model)


@strawberry.type
class AuthPayload:
    access_token: str | None = None
    refresh_token: str | None = None
    access_token_expires_at: datetime | None = None
    refresh_token_expires_at: datetime | None = None
    user: UserType | None = None
    errors: list[AccountsError] = strawberry.field(default_factory=list)

    @classmethod
    def from_pair(cls, pair: Any) -> AuthPayload:
        return cls(
            access_token=pair.access_token,
            refresh_token=pair.refresh_token,
            access_token_expires_at=pair.access_expires_at,
            refresh_token_expires_at=pair.refresh_expires_at,
            user=UserType.from_model(pair.user),
        )
