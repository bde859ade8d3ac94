"""Assemble Query, Mutation and Subscription from every domain into one schema."""

from __future__ import annotations

import strawberry
from strawberry import Info, relay
from strawberry.tools import merge_types

from schema.accounts.mutations import AccountsMutation
from schema.accounts.queries import AccountsQuery
from schema.core.extensions import schema_extensions
from schema.core.relay import resolve_node
from server.settings import Settings, get_settings


@strawberry.type
class NodeQuery:
    @strawberry.field(description="Any object by its global id; null if absent or not yours.")
    async def node(self, info: Info, id: strawberry.ID) -> relay.Node | None:
        return await resolve_node(info, id)


Query = merge_types("Query", (NodeQuery, AccountsQuery))
Mutation = merge_types("Mutation", (AccountsMutation,))


@strawberry.type
class Subscription:
    @strawberry.subscription(description="Placeholder until job subscriptions land.")
    async def heartbeat(self) -> int:  # pragma: no cover - replaced by jobUpdated
        yield 0


def build_schema(settings: Settings | None = None) -> strawberry.Schema:
    settings = settings or get_settings()
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=schema_extensions(settings),
    )


schema = build_schema()
