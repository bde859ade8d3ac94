"""Accounts queries: who am I, and (admins) the API keys."""

from __future__ import annotations

import strawberry
from strawberry import Info

from schema.accounts.types import ApiKeyType, Role, UserType
from schema.core.permissions import IsAdmin, current_user
from schema.core.relay import Connection, paginate
from server.accounts.models import ApiKey, User


@strawberry.type
class AccountsQuery:
    @strawberry.field(description="The authenticated user, or null without valid credentials.")
    async def me(self, info: Info) -> UserType | None:
        user = await current_user(info)
        return UserType.from_model(user) if user else None

    @strawberry.field(
        permission_classes=[IsAdmin], description="Every account, newest first (admins only)."
    )
    async def users(
        self, first: int | None = None, after: str | None = None, role: Role | None = None
    ) -> Connection[UserType]:
        query = User.all() if role is None else User.filter(role=role)
        return await paginate(query, first=first, after=after, to_node=UserType.from_model)

    @strawberry.field(permission_classes=[IsAdmin], description="API keys, newest first.")
    async def api_keys(
        self, first: int | None = None, after: str | None = None
    ) -> Connection[ApiKeyType]:
        return await paginate(ApiKey.all(), first=first, after=after, to_node=ApiKeyType.from_model)
