"""Accounts queries: who am I, and (admins) the API keys."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import Info

from schema.accounts.loaders import API_KEY_COLUMNS
from schema.accounts.types import USER_COLUMNS, ApiKeyType, UserType
from schema.core.permissions import IsAdmin, Public, current_user
from schema.core.relay import After, Connection, First, paginate
from schema.core.selection import selects
from server.access import visible
from server.accounts.models import ApiKey, Role, User


@strawberry.type
class AccountsQuery:
    @strawberry.field(
        permission_classes=[Public()],
        description="The authenticated user (an API key's owner), or null when anonymous. "
        "Anyone may ask; credentials present but invalid or expired are UNAUTHENTICATED.",
    )
    async def me(self, info: Info) -> UserType | None:
        user = await current_user(info)
        return UserType.from_model(user) if user else None

    @strawberry.field(
        permission_classes=[IsAdmin()],
        description="Every account, newest first. Admins only (an API key needs the `admin` "
        "scope).",
    )
    async def users(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        role: Annotated[
            Role | None,  # the service enum, exposed by schema.accounts.types
            strawberry.argument(description="Only accounts with this role; all when left out."),
        ] = None,
    ) -> Connection[UserType]:
        query = visible(await info.context.actor(), User)
        if role is not None:
            query = query.filter(role=role)
        page = await paginate(
            query, first=first, after=after, to_node=UserType.from_row, columns=USER_COLUMNS
        )
        if selects(info, "edges", "node", "apiKeys"):
            # One query for the page's keys; this field's IsAdmin is apiKeys' own permission.
            await UserType.prefetch_api_keys([edge.node for edge in page.edges])
        return page

    @strawberry.field(
        permission_classes=[IsAdmin()],
        description="Every API key, revoked and expired ones too, newest first. Admins only (an "
        "API key needs the `admin` scope).",
    )
    async def api_keys(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[ApiKeyType]:
        return await paginate(
            visible(await info.context.actor(), ApiKey),
            first=first,
            after=after,
            to_node=ApiKeyType.from_row,
            columns=API_KEY_COLUMNS,
        )
