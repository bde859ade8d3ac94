"""Assemble Query, Mutation and Subscription from every domain into one schema."""

from __future__ import annotations

import strawberry
from strawberry import Info
from strawberry.tools import merge_types

from schema.accounts.mutations import AccountsMutation
from schema.accounts.queries import AccountsQuery
from schema.core.execution import FastLeafExecutionContext
from schema.core.extensions import schema_extensions
from schema.core.relay import Node, resolve_node
from schema.jobs.mutations import JobsMutation
from schema.jobs.queries import JobsQuery
from schema.jobs.subscriptions import JobsSubscription
from schema.ocr.mutations import OcrMutation
from schema.receipts.mutations import ReceiptsMutation
from schema.receipts.queries import ReceiptsQuery
from server.settings import Settings, get_settings


@strawberry.type
class NodeQuery:
    @strawberry.field(description="Any object by its global id; null if absent or not yours.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await resolve_node(info, id)


Query = merge_types("Query", (NodeQuery, AccountsQuery, JobsQuery, ReceiptsQuery))
Mutation = merge_types("Mutation", (AccountsMutation, JobsMutation, OcrMutation, ReceiptsMutation))
Subscription = merge_types("Subscription", (JobsSubscription,))


def build_schema(settings: Settings | None = None) -> strawberry.Schema:
    settings = settings or get_settings()
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=schema_extensions(settings),
        execution_context_class=FastLeafExecutionContext,
    )


schema = build_schema()
